"""Big imports map and validate in worker processes (`adapters.core.parallel`): the outcome is exactly the
sequential one — same messages in the same order, same rejections with the originals kept, ids made in outbox
order, a broken file stopped at the same row, the same exception when a worker cannot go on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.core import parallel, store
from adapters.core.importer import import_file
from adapters.core.persons import PersonKeyMissing, Persons
from adapters.core.spec import MapContext, region
from tests.adapters.big_ledger import write
from tests.adapters.conftest import context, sample


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 37)  # many tasks, uneven last one


def ledger(tmp_path: Path, name: str = "ledger_p.csv", n: int = 1500) -> Path:
    """A GBK ledger with every kind of bad row: negative inbounds (contract), a wrong cell count, a bad district."""
    f = write(tmp_path / name, n, bad_every=97)
    lines = f.read_bytes().split(b"\r\n")
    lines[200] = lines[200].rsplit(b",", 3)[0]  # too few cells
    lines[400] = lines[400].replace("北辰区".encode("gbk"), "火星区".encode("gbk"))  # unknown district
    f.write_bytes(b"\r\n".join(lines))
    return f


def outbox(rt) -> list:  # noqa: ANN001
    t = store.outbox
    with rt.engine.connect() as conn:
        return conn.execute(select(t.c.seq, t.c.message_id, t.c.kind, t.c.topic, t.c.key, t.c.value, t.c.headers)
                            .order_by(t.c.seq)).all()


def rejects(rt, import_id: str) -> list:  # noqa: ANN001
    r = store.rejects
    with rt.engine.connect() as conn:
        return [tuple(x) for x in conn.execute(select(r.c.source, r.c.location, r.c.format, r.c.problems, r.c.original)
                                               .where(r.c.import_id == import_id).order_by(r.c.id))]


def comparable(value: bytes) -> dict:
    msg = json.loads(value)
    del msg["message_id"], msg["sent_at"]
    return msg


def summary_of(s) -> tuple:  # noqa: ANN001
    return (s.accepted_messages, s.accepted_records, s.rejected_records, s.skipped_records, dict(s.reasons),
            s.examples, s.fatal)


def test_workers_give_exactly_the_sequential_import(make_runtime, hasher, tmp_path: Path) -> None:  # noqa: ANN001
    rt, spec = make_runtime("tj"), region("tj")
    fmt, f = spec.formats["ledger"], ledger(tmp_path)
    seq = import_file(rt, fmt, f, context(spec, hasher), progress=False, workers=0)
    n_seq = len(outbox(rt))
    par = import_file(rt, fmt, f, context(spec, hasher), progress=False, workers=2, again=True)
    rows = outbox(rt)
    assert summary_of(par) == summary_of(seq)
    assert (par.accepted_messages, par.rejected_records) == (1500 - 15 - 2, 15 + 2)
    assert par.reasons["所在区 (depot.unit_code): unknown district '火星区'"] == 1
    assert par.reasons["row: 13 cells, the header has 16"] == 1
    a, b = rows[:n_seq], rows[n_seq:]
    assert len(a) == len(b) == par.accepted_messages
    assert [(r.kind, r.topic, r.key, r.headers, comparable(r.value)) for r in a] == \
           [(r.kind, r.topic, r.key, r.headers, comparable(r.value)) for r in b]
    assert rejects(rt, par.import_id) == rejects(rt, seq.import_id)
    assert rejects(rt, par.import_id)[0][4] == f.read_bytes().decode("gbk").split("\r\n")[97]  # original kept
    # ids: the one in the message, unique, strictly increasing in outbox order (made by the importing process)
    assert all(json.loads(r.value)["message_id"] == r.message_id for r in b)
    ids = [r.message_id for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_a_broken_file_stops_at_the_same_row_with_the_rows_before_it_imported(make_runtime, hasher,  # noqa: ANN001
                                                                              tmp_path: Path) -> None:
    rt, spec = make_runtime("tj"), region("tj")
    fmt, f = spec.formats["ledger"], ledger(tmp_path, n=600)
    lines = f.read_bytes().split(b"\r\n")
    lines[450] = lines[450][:20] + b"\xff\xff" + lines[450][20:]  # not GBK: the file cannot be read on
    f.write_bytes(b"\r\n".join(lines))
    seq = import_file(rt, fmt, f, context(spec, hasher), progress=False, workers=0)
    lines[550] = lines[550].replace(b"TJ-TZ", b"TJ-TX")  # another file (a failed import of the same one resumes)
    f.write_bytes(b"\r\n".join(lines))
    par = import_file(rt, fmt, f, context(spec, hasher), progress=False, workers=2)
    assert seq.fatal and "row 451" in seq.fatal
    assert summary_of(par) == summary_of(seq)
    assert seq.accepted_messages + seq.rejected_records == 449
    assert rejects(rt, par.import_id) == rejects(rt, seq.import_id)
    with rt.engine.connect() as conn:
        imps = conn.execute(select(store.imports.c.status, store.imports.c.ordinal_done, store.imports.c.error)
                            .order_by(store.imports.c.started_at)).all()
    assert imps[0] == imps[1] and imps[0][0] == "failed"


def test_a_worker_that_cannot_go_on_raises_what_the_sequential_import_raises(make_runtime, tmp_path: Path) -> None:  # noqa: ANN001
    rt, spec = make_runtime("tj"), region("tj")
    fmt = spec.formats["disaster"]
    src = sample("tianjin", "disaster_2026-07-31.csv")
    no_key = MapContext(spec.code, Persons(None), spec.config)  # ID numbers cannot be pseudonymised
    for workers in (0, 2):
        f = tmp_path / f"disaster_{workers}.csv"
        f.write_bytes(src.read_bytes())
        with pytest.raises(PersonKeyMissing):
            import_file(rt, fmt, f, no_key, progress=False, workers=workers, again=True)


def test_only_big_files_of_independent_formats_use_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = region("tj")
    monkeypatch.delenv("JJJ_IMPORT_WORKERS", raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert parallel.workers_for(spec.formats["ledger"], parallel.MIN_BYTES) == 2
    assert parallel.workers_for(spec.formats["ledger"], parallel.MIN_BYTES - 1) == 0
    assert parallel.workers_for(spec.formats["claims"], 10 * parallel.MIN_BYTES) == 0  # grouped rows
    assert parallel.workers_for(spec.formats["correction"], 10 * parallel.MIN_BYTES) == 0  # reads the outbox
    monkeypatch.setenv("JJJ_IMPORT_WORKERS", "0")
    assert parallel.workers_for(spec.formats["ledger"], 10 * parallel.MIN_BYTES) == 0
    assert parallel.workers_for(spec.formats["ledger"], 10, requested=3) == 3
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.delenv("JJJ_IMPORT_WORKERS")
    assert parallel.workers_for(spec.formats["ledger"], 10 * parallel.MIN_BYTES) == 0  # one core: no gain


STOPPABLE = """
import signal, sys
from pathlib import Path
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # as `jjj bench` does: the workers inherit it
from adapters.core.importer import import_file
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import region
from jjj.config import Settings
spec, rt = region("tj"), AdapterRuntime("tj", Settings.from_env())
s = import_file(rt, spec.formats["ledger"], Path(sys.argv[1]), rt.context(spec.config), progress=False, workers=2)
print(s.accepted_messages, s.rejected_records)
"""


def test_workers_stop_when_the_importer_has_its_own_sigterm_handler(person_key, tmp_path: Path) -> None:  # noqa: ANN001
    import os
    import subprocess
    import sys

    from jjj.config import PROJECT_ROOT

    f = ledger(tmp_path, n=400)
    env = {**os.environ, "JJJ_STATE_DIR": str(tmp_path / "state"),
           "JJJ_TJ_DATABASE_URL": f"sqlite:///{tmp_path / 'adapter-tj.db'}"}
    done = subprocess.run([sys.executable, "-c", STOPPABLE, str(f)], env=env, cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout.split()) == (0, ["394", "6"]), done.stderr[-2000:]


def test_a_parallel_import_that_crashed_stops_its_workers_and_resumes_without_doubling(  # noqa: ANN001
        make_runtime, hasher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    rt, spec = make_runtime("tj"), region("tj")
    fmt, f = spec.formats["ledger"], ledger(tmp_path, n=900)
    original, calls = rt.write, {"n": 0}

    def crash_on_third_batch(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return original(*args, **kw)

    monkeypatch.setattr(rt, "write", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        import_file(rt, fmt, f, context(spec, hasher), batch=100, progress=False, workers=2)
    assert multiprocessing.active_children() == []  # the workers were stopped
    assert len(outbox(rt)) == 200 - 3  # two batches of 100 committed (rows 97, 194 and 200 rejected)
    monkeypatch.setattr(rt, "write", original)
    s = import_file(rt, fmt, f, context(spec, hasher), batch=100, progress=False, workers=2)
    assert (s.skipped_records, s.accepted_messages + s.rejected_records) == (200, 700)
    rows = outbox(rt)
    assert len(rows) == 900 - 9 - 2 and len({r.value for r in rows}) == len(rows)
    ids = [r.message_id for r in rows]
    assert ids == sorted(ids)


def test_a_worker_that_stops_answering_does_not_hang_the_import(make_runtime, hasher, tmp_path: Path,  # noqa: ANN001
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import os
    import time

    rt, spec = make_runtime("tj"), region("tj")
    fmt, f = spec.formats["ledger"], ledger(tmp_path, n=500)
    seq = import_file(rt, fmt, f, context(spec, hasher), progress=False, workers=0)
    importer, real = os.getpid(), rt.envelope

    def wedged_in_workers(item, message_id=None):  # noqa: ANN001, ANN202
        if os.getpid() != importer:
            time.sleep(60)  # a worker stuck (or dead): its results never come
        return real(item, message_id=message_id)

    monkeypatch.setattr(rt, "envelope", wedged_in_workers)
    monkeypatch.setattr(parallel, "WAIT_S", 0.5)
    par = import_file(rt, fmt, f, context(spec, hasher), progress=False, workers=2, again=True)
    assert summary_of(par) == summary_of(seq)  # the importer did it all itself
    assert rejects(rt, par.import_id) == rejects(rt, seq.import_id)
    assert multiprocessing.active_children() == []


def _big_result_after(seconds: float) -> bytes:
    import time

    time.sleep(seconds)
    return b"x" * 400_000  # more than a pipe holds: the worker writes it while the parent reads


def test_stopping_the_pool_lets_the_chunks_in_flight_finish_first() -> None:
    # Pool.terminate stops reading results before it kills the workers: a worker writing a large result then dies
    # holding the result queue's lock and the pool's task handler waits on it for ever (a CI hang). So a failed
    # import's pool is stopped only once its chunks are back, the ordinary way.
    import multiprocessing
    import time

    pool = multiprocessing.get_context("fork").Pool(2)
    tasks = [pool.apply_async(_big_result_after, (0.3,)) for _ in range(4)]
    started = time.monotonic()
    parallel._stop(pool, tasks, wedged=False)
    assert [len(t.get(0)) for t in tasks] == [400_000] * 4
    assert 0.5 < time.monotonic() - started < parallel.STOP_S  # two rounds of 0.3 s on two workers, no terminate
    assert multiprocessing.active_children() == []


def test_stopping_a_pool_with_a_worker_that_stopped_answering_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import time

    monkeypatch.setattr(parallel, "STOP_S", 1.0)
    pool = multiprocessing.get_context("fork").Pool(2)
    stuck = pool.apply_async(_big_result_after, (60,))
    pool._outqueue._wlock.acquire()  # as if a killed worker held it: the pool's own stop hangs as in the CI run
    started = time.monotonic()
    parallel._stop(pool, [stuck], wedged=True)
    assert time.monotonic() - started < 5  # a grace of STOP_S for the chunks, STOP_S for the terminate, the kill
    assert not stuck.ready()
    assert multiprocessing.active_children() == []
