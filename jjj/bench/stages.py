"""Where a hub worker's time goes: the hub's intake run in-process over the same records, with exclusive timers
around each stage (µs per message), and the same pass under pyinstrument for the profile.

Stages (wall clock): decode (bytes → JSON), verify (signature and proof), validate (compiled schema + contract
rules), rules (handlers and the batch's recompute, excluding their SQL), database (every cursor execute and commit),
receipts (building receipts/dead letters/outgoing messages and publishing the hub outbox, excluding SQL), other
(the rest of the intake: dedupe bookkeeping, Python glue). Timers are exclusive: a stage's SQL counts as database.
``cpu`` is the process CPU time per message over the same pass (comparable across runs on a loaded machine).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from sqlalchemy import event

STAGES = ("decode", "verify", "validate", "rules", "database", "receipts", "other")
_STICKY = {"verify", "receipts"}  # inside these, only SQL is split out (a receipt's own validation is its cost)


class StageClock:
    """Exclusive wall-clock time per stage."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []  # [stage, start, child_seconds]

    def enter(self, stage: str) -> bool:
        if self._stack and self._stack[-1][0] in _STICKY and stage != "database":
            return False
        self._stack.append([stage, time.perf_counter(), 0.0])
        return True

    def leave(self) -> None:
        stage, start, child = self._stack.pop()
        elapsed = time.perf_counter() - start
        self.totals[stage] += elapsed - child
        if self._stack:
            self._stack[-1][2] += elapsed

    def wrap(self, stage: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            pushed = self.enter(stage)
            try:
                return fn(*args, **kwargs)
            finally:
                if pushed:
                    self.leave()
        timed.__wrapped_stage__ = fn  # type: ignore[attr-defined]
        return timed


@contextlib.contextmanager
def instrumented(clock: StageClock, engine, publisher) -> Iterator[None]:  # noqa: ANN001
    """Patch the hub's stage functions (only those that exist in this build) for the duration."""
    import schemas.fast
    import schemas.serde
    import schemas.validate
    from hub.services import handlers, intake

    patches: list[tuple[object, str, object]] = []

    def patch(obj: object, name: str, stage: str) -> None:
        if hasattr(obj, name):
            original = getattr(obj, name)
            patches.append((obj, name, original))
            setattr(obj, name, clock.wrap(stage, original))

    patch(schemas.serde, "parse", "decode")
    patch(intake, "verify_record", "verify")
    patch(schemas.fast, "validate_fast", "validate")
    patch(schemas.validate, "validate_message", "validate")
    patch(intake, "apply_batch", "rules")
    patch(intake, "insert_rows", "database")  # COPY on PostgreSQL runs on the raw connection: no cursor events
    patch(intake, "receipt_message", "receipts")
    patch(intake, "dead_letter_message", "receipts")
    with contextlib.suppress(ImportError):
        from hub.services import context
        patch(context.Batch, "send", "receipts")
    patch(publisher, "drain", "receipts")
    saved_handlers = dict(handlers.HANDLERS)
    for kind, fn in saved_handlers.items():
        handlers.HANDLERS[kind] = clock.wrap("rules", fn)

    def before(*_a) -> None:  # noqa: ANN002
        clock.enter("database")

    def after(*_a) -> None:  # noqa: ANN002
        clock.leave()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", after)
    dialect = engine.dialect
    dialect.do_commit = clock.wrap("database", dialect.do_commit)
    try:
        yield
    finally:
        del dialect.do_commit
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        event.remove(engine, "handle_error", after)
        handlers.HANDLERS.clear()
        handlers.HANDLERS.update(saved_handlers)
        for obj, name, original in reversed(patches):
            setattr(obj, name, original)


def stage_pass(services, records: list, *, batch: int = 500) -> dict:  # noqa: ANN001
    """Run the intake over `records` in poll-sized batches, instrumented; returns µs/message per stage."""
    from jjj.signing import _verify_cached

    intake, publisher = services.intake, services.publisher()
    clock = StageClock()
    _verify_cached.cache_clear()
    started, cpu = time.perf_counter(), time.process_time()
    with instrumented(clock, services.engine, publisher):
        for i in range(0, len(records), batch):
            intake.process(records[i:i + batch])
            publisher.drain(until_empty=True)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    publisher.producer.close(timeout=10)
    n = max(1, len(records))
    out = {s: round(clock.totals.get(s, 0.0) * 1e6 / n, 1) for s in STAGES if s != "other"}
    out["other"] = round(max(0.0, total * 1e6 / n - sum(out.values())), 1)
    out["total"] = round(total * 1e6 / n, 1)
    # this process's CPU (all its threads; with SQLite the database too, with PostgreSQL not the server's): on a
    # shared machine the wall-clock stages swing 2-3x with the load, the CPU per message much less
    out["cpu"] = round(cpu * 1e6 / n, 1)
    return out


def profile_pass(services, records: list, path, *, batch: int = 500) -> float:  # noqa: ANN001
    """The same pass, uninstrumented, under pyinstrument; writes the text profile to `path`. Returns µs/message."""
    from pyinstrument import Profiler

    from jjj.signing import _verify_cached

    intake, publisher = services.intake, services.publisher()
    _verify_cached.cache_clear()
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for i in range(0, len(records), batch):
        intake.process(records[i:i + batch])
        publisher.drain(until_empty=True)
    profiler.stop()
    total = time.perf_counter() - started
    publisher.producer.close(timeout=10)
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    return total * 1e6 / max(1, len(records))


def fetch_records(bootstrap: str, prefix: str, n: int) -> list:
    """The first `n` records of the run's topics as the hub's `Record`s (copied out of kafka-python)."""
    import uuid

    from hub.entrypoints.consumer import to_record
    from jjj.bus.clients import make_consumer
    from jjj.bus.topics import hub_input_topics

    consumer = make_consumer(bootstrap, hub_input_topics(prefix), group_id=f"fetch-{uuid.uuid4().hex[:8]}",
                             client_id="bench-fetch", max_poll_records=500)
    out: list = []
    deadline = time.monotonic() + 120
    try:
        while len(out) < n and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                out.extend(to_record(r) for r in batch)
    finally:
        consumer.close()
    return out[:n]
