#!/usr/bin/env bash
# The README's main job: the whole platform on this machine with the demo scenario.
# Creates .venv and installs the project (like ops/test.sh), then runs `jjj demo` with any arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/jjj ]; then
  "$PY" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[test]" || .venv/bin/pip install --quiet -e .
fi
exec .venv/bin/jjj demo "$@"
