"""Batch import of a native file: stream → map → validate → outbox in transactions of ``batch`` messages.

Each transaction also moves the import's progress (``imports.ordinal_done``), so an import killed half-way resumes
where it stopped when started again on the same file (same sha256) and nothing is doubled; a finished file is not
imported twice unless asked.  Rejected records go to the ``rejects`` table with the original kept.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from adapters.core import store
from adapters.core.errors import AdapterError, FormatError
from adapters.core.parallel import run_parallel, workers_for
from adapters.core.pipeline import Ready, read_file, run
from adapters.core.spec import MapContext, NativeFormat, Rejected
from schemas import new_message_id


class AlreadyImported(AdapterError):
    """This exact file (same sha256) was imported before."""


@dataclass
class ImportSummary:
    import_id: str
    source: str
    format: str
    accepted_messages: int = 0
    accepted_records: int = 0
    rejected_records: int = 0
    skipped_records: int = 0          # already imported before a resume
    reasons: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    fatal: str | None = None

    @property
    def ok(self) -> bool:
        return self.rejected_records == 0 and self.fatal is None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _start(runtime, path: Path, fmt: NativeFormat, again: bool) -> tuple[str, int]:  # noqa: ANN001
    digest, now = sha256_of(path), datetime.now(UTC)
    with runtime.engine.begin() as conn:
        rows = conn.execute(select(store.imports).where(store.imports.c.sha256 == digest)
                            .order_by(store.imports.c.started_at.desc())).all()
        unfinished = [r for r in rows if r.status in ("running", "failed")]
        if unfinished:  # resume a crashed (or stopped) import of this very file: nothing is doubled
            conn.execute(update(store.imports).where(store.imports.c.import_id == unfinished[0].import_id)
                         .values(status="running", error=None))
            return unfinished[0].import_id, unfinished[0].ordinal_done
        if any(r.status == "done" for r in rows) and not again:
            raise AlreadyImported(f"{path.name} was already imported", import_id=rows[0].import_id)
        import_id = new_message_id()
        conn.execute(store.imports.insert().values(import_id=import_id, source=path.name, sha256=digest,
                                                   format=fmt.name, status="running", ordinal_done=0, accepted=0,
                                                   rejected=0, started_at=now))
    return import_id, 0


def import_file(runtime, fmt: NativeFormat, path: Path, ctx: MapContext, *, batch: int = 1000,  # noqa: ANN001
                again: bool = False, progress: bool = True, workers: int | None = None) -> ImportSummary:
    """Import one file; returns the summary (FormatError stops the file and is reported as ``fatal``).

    Big files of a format with independent rows are mapped and validated in worker processes while this process
    reads and writes the outbox (``adapters.core.parallel``; same results, same order). ``workers`` (default: one
    per core, or ``JJJ_IMPORT_WORKERS``; 0 = none) sets how many.
    """
    from tqdm import tqdm

    import_id, done_before = _start(runtime, path, fmt, again)
    summary = ImportSummary(import_id, path.name, fmt.name)
    bar = tqdm(unit=" rows", desc=path.name, file=sys.stderr, disable=not progress, mininterval=0.5)
    ready: list[Ready] = []
    rejected: list[Rejected] = []
    last_ordinal = done_before

    # one connection for the whole import, a transaction per batch: SQLite connections are not pooled, and opening
    # and closing one per batch (pragmas, WAL bookkeeping) cost more than writing the batch
    conn = runtime.engine.connect()

    def flush(final: bool = False, error: str | None = None) -> None:
        with conn.begin():
            runtime.write(conn, ready, rejected, fmt.name, import_id)
            values = {"ordinal_done": last_ordinal, "accepted": store.imports.c.accepted + len(ready),
                      "rejected": store.imports.c.rejected + sum(len(r.records) for r in rejected)}
            if final:
                values.update(status="failed" if error else "done", finished_at=datetime.now(UTC), error=error)
            conn.execute(update(store.imports).where(store.imports.c.import_id == import_id).values(**values))
        runtime.committed()
        ready.clear()
        rejected.clear()

    n = workers_for(fmt, path.stat().st_size, workers)
    results = (run_parallel(fmt, read_file(fmt, path), ctx, runtime.envelope, n, engine=runtime.engine)
               if n else run(fmt, read_file(fmt, path), ctx, runtime.envelope))
    try:
        try:
            for result in results:
                ordinal = max(r.ordinal for r in result.records)
                bar.update(max(0, ordinal - last_ordinal))
                if ordinal <= done_before:
                    summary.skipped_records += len(result.records)
                    continue
                last_ordinal = max(last_ordinal, ordinal)
                if isinstance(result, Ready):
                    ready.append(result)
                    summary.accepted_messages += 1
                    summary.accepted_records += len(result.records)
                else:
                    rejected.append(result)
                    summary.rejected_records += len(result.records)
                    for p in result.error.problems:
                        summary.reasons[f"{p.field}: {p.reason}"] += 1
                    if len(summary.examples) < 20:
                        summary.examples.append(str(result.error))
                if len(ready) + len(rejected) >= batch:
                    flush()
        except FormatError as exc:
            summary.fatal = str(exc)
            flush(final=True, error=summary.fatal)
            bar.close()
            return summary
        flush(final=True)
        bar.close()
        return summary
    finally:
        results.close()  # stops the workers if the import failed half-way
        conn.close()
