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
from datetime import datetime as _datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, Time, TypeDecorator, insert
from sqlalchemy.dialects.sqlite import DATETIME as _SQLITE_DATETIME

_SQLITE_BIND = _SQLITE_DATETIME.bind_processor

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


def _fast_processor(type_, dialect):  # noqa: ANN001, ANN202
    """The type's bind processor for this dialect, with the same results as ``type_.bind_processor(dialect)``:
    a type decorator's ``process_bind_param`` is chained straight to its implementation's processor (one call less
    per value), and SQLite's default DATETIME text of a naive ``datetime`` is ``isoformat(" ", "microseconds")``
    (the same characters as SQLAlchemy's ``%``-format of the fields, in C); anything else goes to SQLAlchemy's own
    processor. ``tests/jjj/test_db_fast.py`` compares both for every value shape."""
    proc = type_.bind_processor(dialect)
    if proc is None:
        return None
    if isinstance(type_, TypeDecorator):
        if not type_._has_bind_processor:
            return proc
        inner = _fast_processor(type_.impl_instance, dialect)
        param = type_.process_bind_param
        if inner is None:
            return lambda v: param(v, dialect)
        return lambda v: inner(param(v, dialect))
    if (type(type_) is _SQLITE_DATETIME and type_._storage_format == _SQLITE_DATETIME._storage_format
            and type(type_).bind_processor is _SQLITE_BIND):
        slow = proc

        def sqlite_datetime(value):  # noqa: ANN001, ANN202
            if type(value) is _datetime and value.tzinfo is None:
                return value.isoformat(" ", "microseconds")
            return slow(value)

        return sqlite_datetime
    return proc


def _immutable(type_) -> bool:  # noqa: ANN001
    """Columns whose values are immutable (datetimes, dates): a value that is the same object as the previous row's
    converts to the same result (a batch's rows often share one clock reading), so the previous result is reused."""
    affinity = getattr(type_, "_type_affinity", None)
    return affinity is not None and issubclass(affinity, Date | DateTime | Time)


def _generate(procs: list, keys: list[str], names: list[str] | None, memo: list[bool]):  # noqa: ANN202
    """A converter of row dicts into the driver's parameters, written out per statement shape (one tuple or dict
    expression per row, no inner loop): ``keys[i]`` is read from the row, ``procs[i]`` (or None) applied; ``names``
    (pyformat drivers) are the dict keys of the parameters, None for a tuple (qmark drivers)."""
    env: dict[str, Any] = {"_MISS": object()}
    lines = ["def convert(rows):", "    out = []", "    append = out.append"]
    body = []
    items = []
    for i, (proc, key) in enumerate(zip(procs, keys, strict=True)):
        if proc is None:
            items.append(f"r[{key!r}]")
            continue
        env[f"p{i}"] = proc
        if memo[i]:
            lines.append(f"    l{i} = m{i} = _MISS")
            body += [f"        v{i} = r[{key!r}]", f"        if v{i} is not l{i}:",
                     f"            l{i} = v{i}", f"            m{i} = p{i}(v{i})"]
            items.append(f"m{i}")
        else:
            items.append(f"p{i}(r[{key!r}])")
    if names is None:
        row = "(" + "".join(f"{x}, " for x in items) + ")"
    else:
        row = "{" + ", ".join(f"{n!r}: {x}" for n, x in zip(names, items, strict=True)) + "}"
    lines += ["    for r in rows:", *body, f"        append({row})", "    return out"]
    exec("\n".join(lines), env)  # noqa: S102 - the code is made of repr()s of column names only
    return env["convert"]


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
        return _fast_processor(binds[name].type.dialect_impl(dialect), dialect)

    def memo(name: str) -> bool:
        return _immutable(binds[name].type)

    if comp.positional:
        names = list(comp.positiontup)
        return _Shape(comp.string, _generate([proc(n) for n in names], names, None, [memo(n) for n in names]))
    escaped = comp.escaped_bind_names or {}
    keys = list(binds)
    return _Shape(comp.string, _generate([proc(n) for n in keys], keys, [escaped.get(n, n) for n in keys],
                                         [memo(n) for n in keys]))


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
