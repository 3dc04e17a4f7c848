"""`jjj bench --quick` works end to end on the real broker and prints every key (no timing is asserted: the figures
are measured by a full run, see docs/scaling.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jjj.bench.runner import KEYS
from jjj.config import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.kafka]


def test_quick_bench_prints_a_table_and_every_key_as_json(kafka_bootstrap: str, tmp_path: Path) -> None:
    jjj = Path(sys.executable).parent / "jjj"
    env = {**os.environ, "JJJ_KAFKA_BOOTSTRAP": kafka_bootstrap, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("JJJ_BENCH_PG_URL", None)
    done = subprocess.run([str(jjj), "bench", "--quick", "--db", "sqlite"], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("figure")
    result = json.loads(lines[-1])
    assert set(KEYS) <= set(result)
    assert all(set(result[key]) == {"sqlite"} for key in KEYS)
    assert result["databases"] == ["sqlite"]
    # the RSS readings: every checkpoint and the end, each read after the hub processes trimmed on the bench's
    # SIGUSR1; by the end all three processes of the worker (front, apply, relay) handle it and were signalled
    detail = json.loads(next(line for line in lines if line.startswith("detail[sqlite]: ")).split(": ", 1)[1])
    checkpoint = str(result["volumes"]["rss_checkpoint"])
    assert {checkpoint, "end"} <= set(detail["hub_rss_mb"]) == set(detail["hub_rss_untrimmed_mb"])
    assert result["hub_rss_growth_mb"]["sqlite"] == round(detail["hub_rss_mb"]["end"] - detail["hub_rss_mb"][checkpoint], 1)
    assert detail["hub_rss_trimmed_procs"]["end"] == 3
