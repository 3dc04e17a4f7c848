#!/usr/bin/env bash
# A throw-away PostgreSQL for tests and the demo, from Debian's packages (apt-get install postgresql).
#   ops/postgres/pg.sh up     -> prints the database URL on stdout
#   ops/postgres/pg.sh down
# Data lives in $JJJ_PG_DIR (default /tmp/jjj-pg-<port>); port $JJJ_PG_PORT (default 5433). PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` system user.
set -euo pipefail
port="${JJJ_PG_PORT:-5433}"
dir="${JJJ_PG_DIR:-/tmp/jjj-pg-$port}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
url="postgresql://jjj:jjj@127.0.0.1:$port/jjj"

case "${1:-}" in
  up)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      pwfile="$(mktemp)"; echo jjj > "$pwfile"; chmod 644 "$pwfile"
      as_pg "$bin/initdb" -D "$dir" -U jjj --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
      rm -f "$pwfile"
      cat >> "$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
max_connections = 200
shared_buffers = 256MB
CONF
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    if ! PGPASSWORD=jjj psql -h 127.0.0.1 -p "$port" -U jjj -d postgres -tAc "select 1 from pg_database where datname='jjj'" | grep -q 1; then
      PGPASSWORD=jjj psql -h 127.0.0.1 -p "$port" -U jjj -d postgres -qc "create database jjj" >/dev/null
    fi
    echo "$url"
    ;;
  down)
    if [ -f "$dir/PG_VERSION" ]; then as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true; fi
    ;;
  url) echo "$url" ;;
  *) echo "usage: $0 up|down|url" >&2; exit 2 ;;
esac
