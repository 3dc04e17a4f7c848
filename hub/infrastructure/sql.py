"""Dialect-aware bulk writes (SQLite and PostgreSQL): insert-if-absent and upsert, one executemany each.

Rows are deduplicated by primary key in Python first: PostgreSQL refuses an ``ON CONFLICT DO UPDATE`` that touches
one row twice in a statement, and a poll batch often carries two versions of one entity.

Each statement shape (table, kind and options, column keys, dialect) is compiled once and its rows are handed to the
driver with only the non-identity bind processors applied (``jjj.db_fast``): the SQL and the stored values are those
of ``conn.execute(stmt, rows)``, without SQLAlchemy's per-row parameter processing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter

from sqlalchemy import ColumnElement, String, Table, any_, case, func, literal, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from jjj.db_fast import executemany


def among(conn, column, values: Sequence) -> ColumnElement:  # noqa: ANN001
    """``column IN values`` for a query run on ``conn``. PostgreSQL: ``column = ANY(:array)``, what its planner makes
    of an IN list anyway, as ONE parameter: SQLAlchemy renders no placeholder per value and psycopg parses (and
    caches) one short statement instead of a new one of up to 500 placeholders per call (about a tenth of the
    worker's CPU on PostgreSQL went there). SQLite: the IN list. Same rows; for columns of plain types (text, ints)."""
    if conn.dialect.name == "postgresql":
        # text columns: an array of unbounded text (a cast to varchar(n)[] would cut a longer value to n characters)
        item = String() if isinstance(column.type, String) else column.type
        return column == any_(literal(list(values), postgresql.ARRAY(item)))
    return column.in_(values)


def among_rows(conn, columns: Sequence, rows: Sequence[tuple]) -> ColumnElement:  # noqa: ANN001
    """``tuple_(*columns).in_(rows)`` (row values) for a query run on ``conn``. PostgreSQL: the rows as one array
    parameter per column, ``(c1, c2, …) IN (SELECT * FROM unnest(:a1, :a2, …))``: one short statement whatever the
    number of rows, instead of a placeholder per value (up to 2,000 per statement). SQLite: the row-value IN list.
    Same rows (a NULL in a row matches nothing either way); for columns of plain types (text, ints)."""
    if conn.dialect.name != "postgresql":
        return tuple_(*columns).in_(rows)
    arrays = [literal([r[i] for r in rows], postgresql.ARRAY(String() if isinstance(c.type, String) else c.type))
              for i, c in enumerate(columns)]
    listed = func.unnest(*arrays).table_valued(*[f"c{i}" for i in range(len(columns))]).render_derived()
    return tuple_(*columns).in_(select(*listed.c))


def _insert_for(dialect, table: Table):  # noqa: ANN001, ANN202
    return (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(table)


def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


_pk_keys: dict[Table, Callable[[dict], object]] = {}


def _pk_key(table: Table) -> Callable[[dict], object]:
    """The row's primary key (a value for one column, a tuple for several): a hashable, sortable key."""
    found = _pk_keys.get(table)
    if found is None:
        if len(_pk_keys) > 256:
            _pk_keys.clear()
        found = _pk_keys[table] = itemgetter(*_pk(table))
    return found


def _dedupe(table: Table, rows: Iterable[dict], keep: Callable[[dict, dict], bool] | None) -> list[dict]:
    """One row per primary key, in first-seen key order. ``keep(old, new)`` says whether a later row replaces the
    one kept; ``None``: the first row wins."""
    key = _pk_key(table)
    out: dict = {}
    if keep is None:
        for row in rows:
            out.setdefault(key(row), row)
    else:
        for row in rows:
            k = key(row)
            seen = out.get(k)
            if seen is None or keep(seen, row):
                out[k] = row
    return list(out.values())


def insert_ignore(conn, table: Table, rows: Sequence[dict]) -> None:  # noqa: ANN001
    """Insert rows whose primary key is absent; the first row of a key wins (facts are written once)."""
    rows = _dedupe(table, rows, None)
    if rows:
        executemany(conn, table, rows,
                    lambda d: _insert_for(d, table).on_conflict_do_nothing(index_elements=_pk(table)),
                    ("insert_ignore",))


def _replace(_old: dict, _new: dict) -> bool:
    return True


def upsert(conn, table: Table, rows: Sequence[dict], *, newer: str | None = None,  # noqa: ANN001
           only_if_null: str | None = None) -> None:
    """Insert or replace by primary key (derived state rows).

    ``newer``: a sortable version column; a row replaces the stored one only when its version is greater.
    ``only_if_null``: the stored row is replaced only while this column is NULL (frozen afterwards).
    """
    keep = (lambda old, new: new[newer] > old[newer]) if newer else _replace
    rows = _dedupe(table, rows, keep)
    if not rows:
        return

    def build(dialect):  # noqa: ANN001, ANN202
        stmt = _insert_for(dialect, table)
        pk = _pk(table)
        cols = [c for c in rows[0] if c not in pk]
        if not cols:
            return stmt.on_conflict_do_nothing(index_elements=pk)
        where = None
        if newer:
            where = table.c[newer] < stmt.excluded[newer]
        if only_if_null:
            cond = table.c[only_if_null].is_(None)
            where = cond if where is None else (where & cond)
        return stmt.on_conflict_do_update(index_elements=pk, set_={c: stmt.excluded[c] for c in cols}, where=where)

    executemany(conn, table, rows, build, ("upsert", newer, only_if_null))


def accumulate(conn, table: Table, rows: Sequence[dict], *, add: str,  # noqa: ANN001
               latest: str | None = None) -> None:
    """Insert rows, or add ``add`` into the stored row and keep the greater ``latest`` (counters). Rows are written
    in key order, so that two workers adding to the same rows never wait on each other in a cycle; the addition
    happens in the database, so two workers' additions to one row both count."""
    if not rows:
        return
    rows = sorted(rows, key=_pk_key(table))

    def build(dialect):  # noqa: ANN001, ANN202
        stmt = _insert_for(dialect, table)
        set_ = {add: table.c[add] + stmt.excluded[add]}
        if latest is not None:
            set_[latest] = case((stmt.excluded[latest] > table.c[latest], stmt.excluded[latest]),
                                else_=table.c[latest])
        return stmt.on_conflict_do_update(index_elements=_pk(table), set_=set_)

    executemany(conn, table, rows, build, ("accumulate", add, latest))
