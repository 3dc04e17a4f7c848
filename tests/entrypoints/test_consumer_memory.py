"""The worker's memory helpers: the periodic ``malloc_trim`` and the env-gated memory trace (JJJ_HUB_MEMTRACE)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from types import SimpleNamespace

from hub.entrypoints import consumer
from jjj.db import make_engine


def test_malloc_trim_runs_once_per_period_and_zero_turns_it_off(monkeypatch) -> None:  # noqa: ANN001
    now = [100.0]
    monkeypatch.setattr(consumer.time, "monotonic", lambda: now[0])
    trim = consumer.MallocTrim(1.0)  # next at 101.0
    assert trim._trim is not None  # glibc (the test machine and the production image)
    calls = []
    trim._trim = calls.append
    for t, expected in ((100.5, 0), (101.0, 1), (101.5, 1), (102.5, 2)):
        now[0] = t
        trim.maybe()
        assert len(calls) == expected, t
    assert consumer.MallocTrim(0)._trim is None


def test_an_idle_worker_trims_once_after_its_last_batch_and_not_more_than_once_a_second(monkeypatch) -> None:  # noqa: ANN001
    now = [100.0]
    monkeypatch.setattr(consumer.time, "monotonic", lambda: now[0])
    trim = consumer.MallocTrim(10.0)
    calls = []
    trim._trim = calls.append
    now[0] = 100.5
    trim.idle()  # nothing handled yet
    assert calls == []
    trim.maybe()  # a batch at 100.5 (period not over)
    trim.idle()  # empty poll 0.5 s after the last trim (start): too soon
    assert calls == []
    now[0] = 101.2
    trim.idle()  # trims the batch's pages
    trim.idle()  # nothing since
    assert calls == [0]
    now[0] = 101.5
    trim.maybe()
    now[0] = 101.9
    trim.idle()  # 0.7 s after the last trim: waits
    now[0] = 102.3
    trim.idle()
    assert calls == [0, 0]
    assert trim.next_at == 112.3  # an idle trim re-arms the period
    assert consumer.MallocTrim(0).idle() is None  # off: nothing to call


def test_a_trim_request_by_signal_trims_once_per_signal(monkeypatch) -> None:  # noqa: ANN001
    calls: list[int] = []
    monkeypatch.setattr("ctypes.CDLL", lambda name: SimpleNamespace(malloc_trim=calls.append))
    before = signal.getsignal(signal.SIGUSR2)
    try:
        assert consumer.MallocTrim.on_request(signal.SIGUSR2) is True
        os.kill(os.getpid(), signal.SIGUSR2)
        os.kill(os.getpid(), signal.SIGUSR2)
        assert calls == [0, 0]  # Python runs the handler before the next bytecode of the main thread
    finally:
        signal.signal(signal.SIGUSR2, before)


def test_a_hub_process_survives_sigusr1_and_trims_with_the_real_c_library() -> None:
    # SIGUSR1's default action ends a process: the bench signals every hub process before reading its RSS
    code = ("import os, signal; from hub.entrypoints.consumer import MallocTrim; "
            "assert MallocTrim.on_request(); os.kill(os.getpid(), signal.SIGUSR1); print('alive')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "alive"), done.stderr


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


def test_the_bench_signals_only_a_process_that_handles_the_trim_signal() -> None:
    from jjj.bench.consume import catches

    code = ("import sys, signal; from hub.entrypoints.consumer import MallocTrim; "
            "sys.argv[1:] and MallocTrim.on_request(); print('ready', flush=True); sys.stdin.read()")
    for installed in (False, True):
        proc = subprocess.Popen([sys.executable, "-c", code, *(["on"] if installed else [])], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            assert catches(proc.pid, signal.SIGUSR1) is installed
            assert catches(proc.pid, signal.SIGUSR2) is False
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
            proc.stdout.close()
