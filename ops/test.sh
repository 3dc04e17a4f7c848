#!/usr/bin/env bash
# The project's test command (README "Tests"): one command on a fresh machine.
#   1. creates .venv and installs the project with its test extras when missing;
#   2. starts the local Kafka broker (`jjj kafka up`) unless JJJ_KAFKA_BOOTSTRAP already answers;
#   3. starts a throw-away PostgreSQL (ops/postgres/pg.sh) unless JJJ_TEST_DATABASE_URL is set;
#   4. runs pytest on SQLite (the whole suite), then again on PostgreSQL (every test that uses a database);
#   5. stops what it started, also on failure. "No tests collected" (pytest exit 5) is a failure.
# Extra arguments go to both pytest runs, e.g. `ops/test.sh -k walking -x`.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export JJJ_STATE_DIR="${JJJ_STATE_DIR:-$root/state}"
export PYTHONDONTWRITEBYTECODE=1

stamp() { date +%s; }
t0=$(stamp)
if [ ! -x .venv/bin/jjj ]; then
  echo "== creating .venv and installing the project (pip) =="
  python3.11 -m venv .venv || python3 -m venv .venv || exit 1
  .venv/bin/pip install -q --upgrade pip || exit 1
  .venv/bin/pip install -q -e '.[test]' || exit 1
fi
jjj=.venv/bin/jjj

started_kafka=0
started_pg=0
cleanup() {
  if [ "$started_kafka" = 1 ]; then $jjj kafka down || true; fi
  if [ "$started_pg" = 1 ]; then ops/postgres/pg.sh down || true; fi
}
trap cleanup EXIT

if ! $jjj kafka status >/dev/null 2>&1; then
  echo "== starting Kafka =="
  $jjj kafka up || exit 1
  started_kafka=1
fi
$jjj keys init >/dev/null

if [ -z "${JJJ_TEST_DATABASE_URL:-}" ]; then
  echo "== starting PostgreSQL =="
  if pg_url=$(ops/postgres/pg.sh up); then
    started_pg=1
  else
    echo "PostgreSQL could not be started (apt-get install postgresql)" >&2
    exit 1
  fi
else
  pg_url="$JJJ_TEST_DATABASE_URL"
fi
t1=$(stamp)

run_pytest() {
  local label=$1; shift
  local s; s=$(stamp)
  echo "== pytest on $label =="
  .venv/bin/pytest "$@"
  local rc=$?
  echo "== pytest on $label: exit $rc in $(( $(stamp) - s ))s =="
  if [ $rc = 5 ]; then echo "no tests were collected: that is a failure" >&2; return 1; fi
  return $rc
}

JJJ_TEST_DATABASE_URL= run_pytest "SQLite" "$@"
rc_sqlite=$?
JJJ_TEST_DATABASE_URL="$pg_url" run_pytest "PostgreSQL" -m db "$@"
rc_pg=$?

echo "== setup $(( t1 - t0 ))s, total $(( $(stamp) - t0 ))s; SQLite exit $rc_sqlite, PostgreSQL exit $rc_pg =="
[ $rc_sqlite = 0 ] && [ $rc_pg = 0 ]
