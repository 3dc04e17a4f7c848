"""Native records → validated, enveloped messages (or located rejections): the path every input takes.

read (streaming) → region mapper → envelope + contract validation.  The contract's own errors are turned into
located row errors: the canonical path (``payload.lines[12].days_in_care``) names the native field when the
format declares it, and a line index of a grouped message points at the native row it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import schemas
from adapters.core.errors import Problem, RowError
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext, Mapped, NativeFormat, Outcome, Rejected
from jjj.outbox import OutgoingMessage

_LINE = re.compile(r"^payload\.lines\[(\d+)\]")
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Ready:
    """A validated message ready for the outbox, with the records it came from."""

    message: OutgoingMessage
    item: Canonical
    records: tuple[Record, ...]


Result = Ready | Rejected


def read_file(fmt: NativeFormat, path: Path, source: str | None = None) -> Iterator[Record]:
    """The format's reader over a file, opened in binary (readers detect encodings themselves)."""
    with open(path, "rb") as fh:
        yield from fmt.reader(fh, source or path.name, path)


def run(fmt: NativeFormat, records: Iterable[Record], ctx: MapContext,
        envelope: Callable[[Canonical], OutgoingMessage]) -> Iterator[Result]:
    """Map and validate; every record ends in exactly one Ready or Rejected (nothing is dropped silently)."""
    for outcome in fmt.mapper(iter(records), ctx):
        yield from _validate(fmt, outcome, envelope)


def _validate(fmt: NativeFormat, outcome: Outcome, envelope: Callable[[Canonical], OutgoingMessage]) -> Iterator[Result]:
    if isinstance(outcome, Rejected):
        yield outcome
        return
    mapped: Mapped = outcome
    try:
        yield Ready(envelope(mapped.item), mapped.item, mapped.records)
        return
    except schemas.ContractError as exc:
        error = exc
    if mapped.rebuild is not None and len(mapped.records) > 1:
        lines = {int(m[1]) for e in error.errors if (m := _LINE.match(e.path))}
        if lines and all(_LINE.match(e.path) for e in error.errors):
            # Only some lines are wrong: reject those rows, send the rest (no partial garbage, nothing held back).
            for i in sorted(lines):
                errs = [e for e in error.errors if _LINE.match(e.path) and int(_LINE.match(e.path)[1]) == i]
                rec = mapped.records[i]
                yield Rejected((rec,), RowError(_problems(fmt, errs), source=rec.source, location=rec.location))
            rebuilt = mapped.rebuild(lines)
            if rebuilt is not None:
                keep = tuple(r for i, r in enumerate(mapped.records) if i not in lines)
                yield from _validate(fmt, Mapped(rebuilt, keep, None), envelope)
            return
    first = mapped.records[0]
    location = first.location if len(mapped.records) == 1 else f"{first.location}–{mapped.records[-1].location}"
    yield Rejected(mapped.records, RowError(_problems(fmt, error.errors or []) or
                                            [Problem("message", error.reason, error.reason_zh, rule=error.rule)],
                                            source=first.source, location=location))


def _problems(fmt: NativeFormat, errors: list) -> list[Problem]:
    out = []
    for e in errors:
        bare = _INDEX.sub("", e.path)
        native = fmt.fields.get(bare) or fmt.fields.get(_LINE.sub("payload.lines", e.path).split("[")[0])
        out.append(Problem(f"{native} ({e.path})" if native else e.path, e.en, e.zh, path=e.path, rule=e.rule))
    return out
