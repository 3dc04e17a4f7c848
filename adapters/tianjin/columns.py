"""Declarative column maps for Tianjin's flat exports: one :class:`Table` per message kind.

A Tianjin export is one header row and flat rows.  A table says which native column goes to which canonical path
and through which converter; kinds with lines (stock counts, requests, dispatches, rate tables …) repeat the
message's own columns on every row and are grouped by one key column (rows of one message are contiguous, as in
the claims export).  Every bad field of a row is reported at once, located ``file:row N: 列名 (path): reason``.

References: a kind answering a hub message reads the hub message id (from ``GET /deliveries``) from
``回复消息编号``; when it is blank, the adapter's own last message about the same entity is referenced if the table
names such kinds (a correction references our last report of the event).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import schemas
from adapters.core import units as u
from adapters.core.errors import RowError, bad
from adapters.core.mapping import CodeMap, collect, get, label, native_date, native_month, native_time, text_field
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext, Mapped, Mapper, Outcome, Rejected

#: a converter of one native cell: (value, field label for errors, mapping context) → canonical value
Conv = Callable[[object, str, MapContext], object]
ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
REF_COLUMN = "回复消息编号"


def plain(fn: Callable[[object, str], object]) -> Conv:
    """A context-free converter (units, dates, code maps) as a column converter."""
    return lambda value, where, ctx: fn(value, where)


def _text(value: object, where: str, ctx: MapContext) -> str:
    if isinstance(value, float) and value.is_integer():  # a spreadsheet number cell holding an id (2026 → "2026")
        value = int(value)
    return str(value).strip()


def _split(value: object) -> list[str]:
    return [p.strip() for p in re.split(r"[;；、,，]", str(value)) if p.strip()]


def listof(codes: CodeMap) -> Conv:
    """``北京;河北`` or ``户籍、婚姻`` → a list of codes (every unknown entry named by its position)."""

    def conv(value: object, where: str, ctx: MapContext) -> list[str]:
        parts = _split(value)
        if not parts:
            raise bad(where, "the list is empty", "列表为空")
        return collect(*(lambda p=p, i=i: codes(p, f"{where}[{i}]") for i, p in enumerate(parts)))

    return conv


def flag(value: object, where: str, ctx: MapContext) -> bool:
    """是/否 (also Y/N, 1/0) → bool."""
    key = str(value).strip().upper()
    if key in ("是", "Y", "1", "TRUE"):
        return True
    if key in ("否", "N", "0", "FALSE"):
        return False
    raise bad(where, f"{value!r} is neither 是 nor 否", f"“{value}”应为“是”或“否”")


TEXT: Conv = _text
def _date(value: object, where: str, ctx: MapContext) -> str:
    """A date; exports converted through Excel write dates as ``2024-01-01 00:00:00``: a midnight time is dropped."""
    text = str(value).strip()
    m = re.match(r"^(\S+)[ T]00:00(:00)?$", text)
    return native_date(m[1] if m else text, where)


DATE: Conv = _date
COUNT, FEN, TIME, MONTH = plain(u.count), plain(u.yuan_to_fen), plain(native_time), plain(native_month)


def PERSON(value: object, where: str, ctx: MapContext) -> dict:  # noqa: N802 - a converter constant
    """身份证号 → person_ref (the ID number itself goes no further)."""
    return ctx.persons.ref(str(value), where)


def MASKED(value: object, where: str, ctx: MapContext) -> str:  # noqa: N802
    """姓名 → masked name (张*明)."""
    return ctx.persons.masked(str(value), where)


@dataclass(frozen=True)
class Col:
    """One native column: where it goes (dotted canonical path), how it converts, whether it must be filled."""

    native: str
    path: str
    conv: Conv = TEXT
    required: bool = True
    default: object = None   # taken when an optional cell is blank (e.g. 0 for 损坏数量); None = left out


@dataclass(frozen=True)
class Refs:
    """Where ``references`` come from: the ``回复消息编号`` column, else our own last message of ``previous``."""

    previous: tuple[str, ...] = ()
    key: str = ""            # payload field holding the entity key of those messages


@dataclass(frozen=True)
class Table:
    """A kind's column map; with ``lines`` and ``group`` many rows make one message."""

    kind: str
    head: tuple[Col, ...]
    lines: tuple[Col, ...] = ()
    group: str | None = None           # native column whose value groups contiguous rows into one message
    lines_path: str = "lines"
    fixed: Mapping[str, object] = field(default_factory=dict)
    refs: Refs | None = None
    #: (payload, first row, ctx) → payload: what a column map cannot say (derived fields, regrouping)
    finish: Callable[[dict, Mapping, MapContext], dict] | None = None

    @property
    def required(self) -> tuple[str, ...]:
        """Columns the export must have (optional ones may be absent from the header)."""
        cols = [c.native for c in (*self.head, *self.lines) if c.required]
        return tuple(dict.fromkeys([*([self.group] if self.group else []), *cols]))

    @property
    def fields(self) -> dict[str, str]:
        """Canonical path → native column, for located contract errors."""
        out = {f"payload.{c.path}": c.native for c in self.head}
        out.update({f"payload.{self.lines_path}.{c.path}": c.native for c in self.lines})
        return out


def convert(cols: tuple[Col, ...], row: Mapping, ctx: MapContext, prefix: str = "") -> dict:
    """The canonical (nested) dict of a row's columns; all bad cells of the row reported together."""
    out: dict = {}

    def one(col: Col) -> None:
        where = label(col.native, f"{prefix}{col.path}")
        value = get(row, col.native, f"{prefix}{col.path}", required=col.required)
        value = col.default if value is None else col.conv(value, where, ctx)
        if value is None:
            return
        node = out
        *parents, leaf = col.path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value

    collect(*(lambda c=c: one(c) for c in cols))
    return out


def references(table: Table, row: Mapping, payload: dict, ctx: MapContext) -> tuple[str, ...]:
    """The message ids this one answers or supersedes (see the module docstring)."""
    where = label(REF_COLUMN, "references")
    given = _split(row.get(REF_COLUMN) or "")
    for i, ref in enumerate(given):
        if not ULID.match(ref.upper()):
            raise bad(f"{REF_COLUMN}[{i}] (references)", f"{ref!r} is not a message id (26-character ULID)",
                      f"“{ref}”不是消息编号（26 位 ULID）")
    if given:
        return tuple(r.upper() for r in given)
    spec = table.refs or Refs()
    key = str(payload.get(spec.key, "")) if spec.key else ""
    found = [m for k in spec.previous if key and (m := ctx.last_message_id(k, key))]
    if found:
        return (max(found),)  # ULIDs sort by time: the newest of our messages about the entity
    if schemas.KINDS[table.kind].requires_references:
        raise bad(where, "blank: the id of the message this one answers or supersedes is required (hub messages: "
                  "GET /deliveries)" + (f"; this adapter sent no {'/'.join(spec.previous)} about {key}"
                                        if spec.previous else ""),
                  "为空：须填写所答复或更正的消息编号（平台消息见 GET /deliveries）")
    return ()


def _width(row: Mapping) -> None:
    if "__cells__" in row:
        raise bad("row", f"{len(row['__cells__'])} cells, the header has {row['__width__']}",
                  f"本行 {len(row['__cells__'])} 列，表头为 {row['__width__']} 列")


def _message(table: Table, head: dict, lines: list[dict] | None, row: Mapping, ctx: MapContext) -> Canonical:
    payload = {**table.fixed, **head}
    if lines is not None:
        payload[table.lines_path] = lines
    if table.finish:
        payload = table.finish(payload, row, ctx)
    return Canonical(table.kind, payload, references=references(table, row, payload, ctx))


def single(table: Table) -> Mapper:
    """One row = one message."""
    return _rows(lambda row: table, f"one row → {table.kind}")


def switch(column: str, codes: CodeMap, tables: Mapping[str, Table]) -> Mapper:
    """One row = one message whose kind the row's ``column`` names (a case-handling log: 受理/退回/进展/办结)."""
    return _rows(lambda row: tables[codes(get(row, column), column)],
                 f"one row → {' / '.join(t.kind for t in tables.values())} by {column}")


def _rows(pick: Callable[[Mapping], Table], doc: str) -> Mapper:
    def mapper(records: Iterator[Record], ctx: MapContext) -> Iterator[Outcome]:
        for rec in records:
            try:
                _width(rec.data)
                table = pick(rec.data)
                item = _message(table, convert(table.head, rec.data, ctx), None, rec.data, ctx)
            except RowError as exc:
                yield Rejected((rec,), exc.at(rec.source, rec.location))
                continue
            yield Mapped(item, (rec,))

    mapper.__doc__ = doc
    return mapper


class _Group:
    def __init__(self, table: Table, key: str, head: dict, first: Mapping, ctx: MapContext) -> None:
        self.table, self.key, self.head, self.first, self.ctx = table, key, head, first, ctx
        self.lines: list[dict] = []
        self.records: list[Record] = []

    def canonical(self, drop: set[int] = frozenset()) -> Canonical | None:  # type: ignore[assignment]
        lines = [ln for i, ln in enumerate(self.lines) if i not in drop]
        return _message(self.table, self.head, lines, self.first, self.ctx) if lines else None

    def outcome(self) -> Outcome:
        try:
            item = self.canonical()
        except RowError as exc:  # references of the group (same on every row): located at its rows
            return Rejected(tuple(self.records), exc.at(self.records[0].source, _span(self.records)))
        # the pipeline maps contract errors on payload.lines[i] back to row i (rows and lines are 1:1 there)
        rebuild = self.canonical if self.table.lines_path == "lines" else None
        return Mapped(item, tuple(self.records), rebuild=rebuild)


def _span(records: list[Record]) -> str:
    return records[0].location if len(records) == 1 else f"{records[0].location}–{records[-1].location}"


def _refs(row: Mapping) -> list[str]:
    return _split(row.get(REF_COLUMN) or "")


def _differs(table: Table, row: Mapping, group: _Group) -> RowError:
    """A row of a message whose message columns (those repeated on every row) differ from the message's first row."""
    cols = [label(c.native, c.path) for c in table.head if str(row.get(c.native) or "") != str(group.first.get(c.native) or "")]
    if _refs(row) != _refs(group.first):
        cols.append(label(REF_COLUMN, "references"))
    first = group.records[0].location
    return bad(", ".join(cols) or table.group, f"differs from the first row of {group.key} ({first}): the message "
               "columns must be the same on every row of a message", f"与 {group.key} 首行（{first}）不一致：同一单据各行的表头信息须相同")


def grouped(table: Table) -> Mapper:
    """Contiguous rows with the same ``group`` value → one message; a bad row is rejected alone."""
    assert table.group is not None

    def mapper(records: Iterator[Record], ctx: MapContext) -> Iterator[Outcome]:
        current: _Group | None = None
        closed: set[str] = set()
        for rec in records:
            row = rec.data
            try:
                _width(row)
                key = text_field(row, table.group)
                head, line = collect(lambda row=row: convert(table.head, row, ctx),
                                     lambda row=row: convert(table.lines, row, ctx, f"{table.lines_path}."))
                if current is None or key != current.key:
                    if key in closed:
                        raise bad(table.group, f"rows of {key} are not contiguous (the export must be sorted by "
                                  f"{table.group})", f"{key} 的明细行不连续（应按{table.group}排序）")
                    if current is not None:
                        closed.add(current.key)
                        yield current.outcome()
                    current = _Group(table, key, head, row, ctx)
                elif head != current.head or _refs(row) != _refs(current.first):
                    raise _differs(table, row, current)
            except RowError as exc:
                yield Rejected((rec,), exc.at(rec.source, rec.location))
                continue
            current.lines.append(line)
            current.records.append(rec)
        if current is not None:
            yield current.outcome()

    mapper.__doc__ = f"rows grouped by {table.group} → {table.kind}"
    return mapper


def mapper(table: Table) -> Mapper:
    return grouped(table) if table.group else single(table)
