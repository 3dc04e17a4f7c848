"""`jjj adapter tianjin import` of a 200,000-row ledger streams: peak memory is flat in the number of rows (slow).

Each import runs in its own process (the CLI, as an operator runs it) and its peak RSS is read from
``getrusage(RUSAGE_CHILDREN)`` inside a wrapper process; 2,000 rows and 200,000 rows must peak within a few MB of
each other.  This is a sanity bound, not a timing test; the figures are printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jjj.config import PROJECT_ROOT
from tests.adapters.big_ledger import write

pytestmark = pytest.mark.slow

WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr[-2000:],
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def import_in_child(path: Path, env: dict) -> dict:
    jjj = [sys.executable, "-m", "jjj.cli", "adapter", "tianjin", "import", str(path), "--no-progress"]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *jjj], env=env, cwd=PROJECT_ROOT, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout)
    result["seconds"] = time.monotonic() - started
    return result


def test_a_200k_row_ledger_imports_with_flat_memory(tmp_path: Path, person_key: Path) -> None:  # noqa: ANN001
    env = {**os.environ, "JJJ_STATE_DIR": str(tmp_path / "state"),
           "JJJ_TJ_DATABASE_URL": f"sqlite:///{tmp_path / 'adapter-tj.db'}"}
    small = import_in_child(write(tmp_path / "ledger_small.csv", 2_000, bad_every=1000), env)
    big = import_in_child(write(tmp_path / "ledger_200k.csv", 200_000, bad_every=1000), env)
    assert (small["rc"], big["rc"]) == (1, 1), big["err"]  # 1 = some rows rejected (the negative inbounds)
    assert "accepted     199800 records → 199800 messages" in big["out"]
    assert "rejected        200 records" in big["out"]
    assert "200 × 数量 (payload.quantity): Only an adjustment may have a negative quantity." in big["out"]
    growth_mb = (big["max_rss_kb"] - small["max_rss_kb"]) / 1024
    print(f"\n200k-row import: peak RSS {big['max_rss_kb'] / 1024:.1f} MB vs {small['max_rss_kb'] / 1024:.1f} MB "
          f"for 2,000 rows (growth {growth_mb:.1f} MB), {big['seconds']:.0f}s "
          f"({200_000 / big['seconds']:.0f} rows/s)")
    assert growth_mb < 40, growth_mb
