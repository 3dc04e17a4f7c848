"""The worker's memory helpers: the periodic ``malloc_trim`` and the env-gated memory trace (JJJ_HUB_MEMTRACE)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from hub.entrypoints import consumer
from jjj.db import make_engine


def test_malloc_trim_runs_once_per_period_and_zero_turns_it_off(monkeypatch) -> None:  # noqa: ANN001
    # readings: start, 1st check, 2nd check + its re-arm, 3rd check, 4th check + its re-arm, the second trimmer
    clock = iter([100.0, 100.5, 101.0, 101.0, 101.5, 102.5, 102.5, 103.0])
    monkeypatch.setattr(consumer.time, "monotonic", lambda: next(clock))
    trim = consumer.MallocTrim(1.0)  # next at 101.0
    assert trim._trim is not None  # glibc (the test machine and the production image)
    calls = []
    trim._trim = calls.append
    trim.maybe()  # 100.5: not yet
    trim.maybe()  # 101.0: trims, next at 102.0
    trim.maybe()  # 101.5: not yet
    trim.maybe()  # 102.5: trims, next at 103.5
    assert calls == [0, 0]
    assert consumer.MallocTrim(0)._trim is None


def test_memtrace_is_off_without_the_variable_and_writes_one_line_per_period(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("JJJ_HUB_MEMTRACE", raising=False)
    assert consumer.MemTrace.from_env(None, None) is None
    out = tmp_path / "trace.jsonl"
    monkeypatch.setenv("JJJ_HUB_MEMTRACE", str(out))
    monkeypatch.setenv("JJJ_HUB_MEMTRACE_EVERY", "1000")
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    services = SimpleNamespace(engine=engine, intake=SimpleNamespace(cache={"disaster_rows": {"m": {}}}))
    trace = consumer.MemTrace.from_env(services, SimpleNamespace(_key_hashes={b"k": 1}))
    for n in (400, 400, 400, 900):  # crosses 1,000 at 1,200 and 2,000 at 2,100
        trace.count(n)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["messages"] for line in lines] == [1200, 2100]
    assert lines[0]["intake_cache"] == {"disaster_rows": 1}
    assert lines[0]["key_hashes"] == 1
    assert set(lines[0]["smaps"]) >= {"heap", "anon"}
    assert lines[0]["mallinfo"]["arena"] > 0
    engine.dispose()
