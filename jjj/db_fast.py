"""Bulk writes without SQLAlchemy's per-row parameter processing: a statement compiled once per shape, run as one
executemany of pre-processed rows.

``conn.execute(stmt, rows)`` re-derives the statement's cache key on every call and, for every row, builds a
parameter dict, runs each bind processor through a generic loop and copies the result into a tuple (about 8 % of the
hub worker's CPU on SQLite). Here a statement shape — (table, statement kind, column keys, dialect) — is compiled
once, exactly as ``conn.execute`` compiles it (same SQL text, same bind processors: ``DateTime`` text on SQLite,
JSON serialised by the dialect's serializer, type decorators such as the hub's UTC timestamps), and each row becomes
a tuple in the statement's positional order (qmark drivers: SQLite) or a dict of its bind names (pyformat drivers:
psycopg) with only the non-identity processors applied. The cache never holds bound values and is bounded.

Statements the fast path cannot reproduce exactly (Python-side column defaults, expanding or literal parameters,
binds that are not the rows' columns, a schema translate map, dialects that rewrite executemany into multi-row
INSERTs) fall back to ``conn.execute``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert

#: Statement shapes kept (a process writes a few dozen: one per table and statement kind); the oldest goes first.
MAX_SHAPES = 512

_FALLBACK = object()
_shapes: dict[tuple, Any] = {}
_lock = threading.Lock()


class _Shape:
    """One compiled statement and the conversion of row dicts into the driver's parameters."""

    __slots__ = ("convert", "sql")

    def __init__(self, sql: str, convert: Callable[[Sequence[dict]], list]) -> None:
        self.sql = sql
        self.convert = convert


def _positional(names: list[str], procs: list) -> Callable[[Sequence[dict]], list]:
    get = itemgetter(*names)
    if len(names) == 1:
        proc = procs[0]
        if proc is None:
            return lambda rows: [(get(r),) for r in rows]
        return lambda rows: [(proc(get(r)),) for r in rows]
    processed = [(i, p) for i, p in enumerate(procs) if p is not None]
    if not processed:
        return lambda rows: [get(r) for r in rows]  # itemgetter already returns a tuple

    def convert(rows: Sequence[dict]) -> list[tuple]:
        out = []
        append = out.append
        for r in rows:
            v = list(get(r))
            for i, p in processed:
                v[i] = p(v[i])
            append(tuple(v))
        return out

    return convert


def _named(items: list[tuple[str, str, Any]]) -> Callable[[Sequence[dict]], list]:
    plain = [(escaped, name) for escaped, name, p in items if p is None]
    processed = [(escaped, name, p) for escaped, name, p in items if p is not None]

    def convert(rows: Sequence[dict]) -> list[dict]:
        out = []
        append = out.append
        for r in rows:
            d = {e: r[n] for e, n in plain}
            for e, n, p in processed:
                d[e] = p(r[n])
            append(d)
        return out

    return convert


def _compile(stmt, dialect, columns: tuple[str, ...]):  # noqa: ANN001, ANN202
    """The statement compiled as ``conn.execute(stmt, rows)`` compiles it, or ``_FALLBACK``."""
    if getattr(dialect, "use_insertmanyvalues_wo_returning", False):
        return _FALLBACK  # SQLAlchemy batches such executemany into multi-row INSERTs: keep that
    comp = stmt.compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
    if (comp.insert_prefetch or comp.update_prefetch or comp.literal_execute_params or comp.post_compile_params
            or getattr(comp, "_insertmanyvalues", None) is not None):
        return _FALLBACK
    wanted = set(columns)
    binds = {name: bp for bp, name in comp.bind_names.items()}
    if not set(binds) <= wanted or any(bp.callable is not None for bp in binds.values()):
        return _FALLBACK

    def proc(name: str):  # noqa: ANN202
        return binds[name].type.dialect_impl(dialect).bind_processor(dialect)

    if comp.positional:
        names = list(comp.positiontup)
        return _Shape(comp.string, _positional(names, [proc(n) for n in names]))
    escaped = comp.escaped_bind_names or {}
    return _Shape(comp.string, _named([(escaped.get(n, n), n, proc(n)) for n in binds]))


def executemany(conn, table: Table, rows: Sequence[dict], build: Callable[[Any], Any],  # noqa: ANN001
                shape: Hashable = ()) -> None:
    """Run ``build(dialect)`` for ``rows`` (dicts with the keys of the first row; later rows may carry more, which
    are ignored, as ``conn.execute`` ignores them) in one executemany.

    ``shape`` must tell apart every statement ``build`` can return for one table and column set (the statement
    kind and its options): it is part of the cache key, with the table, the first row's keys and the dialect."""
    if not rows:
        return
    dialect = conn.dialect
    columns = tuple(rows[0])
    key = (table, shape, columns, dialect.name, dialect.driver, dialect.paramstyle,
           getattr(dialect, "_json_serializer", None))
    found = _shapes.get(key)
    if found is None:
        found = _compile(build(dialect), dialect, columns)
        with _lock:
            while len(_shapes) >= MAX_SHAPES:
                del _shapes[next(iter(_shapes))]
            _shapes[key] = found
    if found is _FALLBACK or conn.get_execution_options().get("schema_translate_map"):
        conn.execute(build(dialect), rows)
        return
    conn.exec_driver_sql(found.sql, found.convert(rows))


def insert_many(conn, table: Table, rows: Sequence[dict]) -> None:  # noqa: ANN001
    """A plain ``INSERT`` of ``rows`` (``conn.execute(insert(table), rows)``), one executemany."""
    executemany(conn, table, rows, lambda _dialect: insert(table), ("insert",))
