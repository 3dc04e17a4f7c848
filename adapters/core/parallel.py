"""Map and validate the records of a per-record format in worker processes, in file order.

An import is CPU-bound Python: reading, mapping, the contract's validation and the JSON of every row.  For formats
whose rows are independent (``per_record(..., independent=True)``: the mapping uses the row, the configuration and
the person-ref key, never the outbox), the parent reads the file and writes the outbox while forked workers run the
very same ``pipeline.run`` (mapper → envelope → validation) over chunks of rows.  The results come back in file
order and are exactly those of the sequential path:

* a row the mapper or the contract refuses is the same ``Rejected`` (same problems, source and location; the parent
  puts its own record, with the original, back in);
* message ids are made by the parent, in outbox order (ULIDs strictly increasing as before): a worker encodes each
  message with a placeholder id (a real id it made once per chunk, so every rule still sees a valid id) and the
  parent writes its own id over it — the canonical JSON starts with ``{"message_id":"<26 characters>"``;
* a ``FormatError`` of the reader stops the file at the same row, after every row before it is handled;
* anything else a worker raises (a missing person-ref key, a bug) makes the parent run that chunk itself, so the
  exception is the one the sequential path raises.

Workers are forked (the format, context and runtime are inherited, nothing is pickled but rows and results); where
``fork`` is not available, or the file is small, the import stays sequential.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import schemas
from adapters.core.errors import FormatError, RowError
from adapters.core.pipeline import Ready, Result, run
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext, NativeFormat, Rejected
from jjj.outbox import OutgoingMessage

#: rows per task: big enough that a task's pickling and hand-over cost little per row, small enough to keep the
#: workers and the outbox writer streaming (and memory flat)
CHUNK = 500
#: files smaller than this are imported in-process: forking the workers costs more than it saves
MIN_BYTES = 512 * 1024
#: longest wait for a chunk's results (a chunk takes milliseconds); past it the importer does the rest itself
WAIT_S = 120.0
#: longest wait for a terminated pool to stop (its workers are killed past it)
STOP_S = 10.0
log = logging.getLogger(__name__)
_HEAD = b'{"message_id":"'
_ID_END = len(_HEAD) + 26

# what a forked worker inherits: (format, context, envelope(item, message_id))
_STATE: tuple[NativeFormat, MapContext, Callable[..., OutgoingMessage]] | None = None


def workers_for(fmt: NativeFormat, size: int, requested: int | None = None) -> int:
    """How many worker processes to use for a file of ``size`` bytes in ``fmt`` (0: import in-process).

    ``requested`` (or ``JJJ_IMPORT_WORKERS``) overrides the default: one per core when there are at least two.
    """
    if not getattr(fmt.mapper, "independent", False) or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if requested is None:
        env = os.environ.get("JJJ_IMPORT_WORKERS", "").strip()
        if env:
            requested = int(env)
        else:
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
            requested = cores if cores >= 2 and size >= MIN_BYTES else 0
    return max(0, requested)


def run_parallel(fmt: NativeFormat, records: Iterable[Record], ctx: MapContext,
                 envelope: Callable[..., OutgoingMessage], workers: int, *, engine=None,  # noqa: ANN001
                 chunk: int | None = None) -> Iterator[Result]:
    """``pipeline.run`` with the mapping and validation in ``workers`` forked processes; same results, same order.

    ``envelope`` must take ``message_id=`` (``AdapterRuntime.envelope``). ``engine`` (the runtime's, if any) is
    disposed in the workers without touching the parent's connections.
    """
    global _STATE
    chunk = chunk or CHUNK
    _STATE = (fmt, ctx, envelope)
    warm(fmt)
    # the workers' garbage collector leaves the objects they inherit alone (no scanning of the importer's heap, no
    # copy-on-write of every page it touches)
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker, initargs=(engine,))
    finally:
        gc.unfreeze()
    pending: deque[tuple[list[Record], Any]] = deque()
    wedged = False
    try:
        it, error = iter(records), None
        while error is None:
            rows: list[Record] = []
            try:
                for rec in it:
                    rows.append(rec)
                    if len(rows) >= chunk:
                        break
            except FormatError as exc:
                error = exc  # handle the rows read before it, then stop the file there
            if not rows:
                break
            if wedged:  # a worker stopped answering: the rest of the file is done here
                pending.append((rows, None))
            else:
                pending.append((rows, pool.apply_async(_work, ([(r.source, r.location, r.data, r.ordinal)
                                                                 for r in rows], schemas.new_message_id()))))
            while len(pending) > 2 * workers:
                wedged = yield from _finish(*pending.popleft(), fmt, ctx, envelope, wedged)
        while pending:
            wedged = yield from _finish(*pending.popleft(), fmt, ctx, envelope, wedged)
        if error is not None:
            raise error
    finally:
        # every task is done, the import failed half-way (the caller closed this generator), or a worker stopped
        # answering: stop the workers
        _stop(pool, [task for _, task in pending if task is not None], wedged)
        _STATE = None


def _stop(pool, tasks: list, wedged: bool) -> None:  # noqa: ANN001
    """Stop the workers; never hang the importer doing it.

    The chunks still in flight are let finish first (a chunk takes milliseconds). ``Pool.terminate`` stops reading
    results before it kills the workers: a worker that was writing a large result then dies holding the result
    queue's lock, and the pool's task handler waits on that lock for ever (seen in CI as a hang in
    ``task_handler.join()``). Idle workers can be closed and joined the ordinary way; only when one stopped
    answering is the pool terminated, and then from a helper thread given ``STOP_S`` to finish.
    """
    deadline = time.monotonic() + (min(WAIT_S, STOP_S) if wedged else WAIT_S)
    for task in tasks:
        task.wait(max(0.0, deadline - time.monotonic()))
    if not wedged and all(task.ready() for task in tasks):
        pool.close()  # the workers leave on their own once the queue is empty
        pool.join()
        return
    stopper = threading.Thread(target=_terminate, args=(pool,), name="jjj-import-pool-stop", daemon=True)
    stopper.start()
    stopper.join(STOP_S)
    if stopper.is_alive():  # the pool's own threads are stuck: make sure no worker outlives the import
        for proc in list(getattr(pool, "_pool", ())):
            with contextlib.suppress(Exception):
                proc.kill()
                proc.join(1.0)
        log.warning("the import's worker pool did not stop within %.0f s; its workers were killed", STOP_S)


def _terminate(pool) -> None:  # noqa: ANN001
    pool.terminate()
    pool.join()


def warm(fmt: NativeFormat) -> None:
    """Compile the format's validators here, once, rather than in every worker."""
    from adapters.core.encoder import warm as warm_encoder

    for kind in fmt.kinds:
        warm_encoder(kind)


def _init_worker(engine) -> None:  # noqa: ANN001
    # a worker is stopped by the importer, not by handlers it inherited (`jjj bench` turns SIGTERM into an exit
    # that cleans up, which a worker must not do) nor by the terminal's Ctrl-C (the importer stops the pool)
    with contextlib.suppress(ValueError):  # (only the main thread may; a forked child's thread is its main one)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if engine is not None:  # never use (or close) the parent's pooled connections from here
        engine.dispose(close=False)


def _work(rows: list[tuple], placeholder: str) -> list[tuple] | None:
    """In a worker: the pipeline over a chunk. A result per message or rejection; None if anything else failed.

    ``placeholder`` is a real id the importer made (not made here: the id generator's lock may have been held by
    another thread of the importer when it forked).
    """
    fmt, ctx, envelope = _STATE

    def enveloped(item: Canonical) -> OutgoingMessage:
        return envelope(item, message_id=placeholder)

    out: list[tuple] = []
    try:
        records = [Record(source, location, data, "", ordinal) for source, location, data, ordinal in rows]
        index = {id(r): i for i, r in enumerate(records)}
        head, same = _HEAD + placeholder.encode(), {}
        for res in run(fmt, records, ctx, enveloped):
            if isinstance(res, Ready):
                m = res.message
                if m.value[:_ID_END] != head:
                    return None  # not the canonical layout: let the parent do this chunk
                # the same kind and topic objects for every row: pickled once per chunk, not once per row
                kind, topic = same.setdefault(m.kind_at_version, m.kind_at_version), same.setdefault(m.topic, m.topic)
                out.append((index[id(res.records[0])], kind, topic, m.key, m.value[_ID_END:], m.headers))
            else:
                e = res.error
                out.append((index[id(res.records[0])], e.problems, e.source, e.location))
    except Exception:  # noqa: BLE001 - the parent re-runs the chunk and raises what the sequential path raises
        return None
    return out


def _finish(rows: list[Record], task, fmt: NativeFormat, ctx: MapContext,  # noqa: ANN001
            envelope: Callable[..., OutgoingMessage], wedged: bool) -> Iterator[Result]:
    """The results of a chunk, in order; returns whether the workers are to be given up on."""
    results = None
    if task is not None and not wedged:
        try:
            results = task.get(timeout=WAIT_S)
        except multiprocessing.TimeoutError:  # a worker died or hangs: its task would never come back
            wedged = True
    if results is None:
        yield from run(fmt, rows, ctx, envelope)
        return wedged
    new_id, head = schemas.new_message_id, _HEAD
    for res in results:
        rec = rows[res[0]]
        if len(res) == 6:
            mid = new_id()
            yield Ready(OutgoingMessage(mid, res[1], res[2], res[3], head + mid.encode() + res[4], res[5]), None,
                        (rec,))
        else:
            yield Rejected((rec,), RowError(res[1], source=res[2], location=res[3]))
    return wedged
