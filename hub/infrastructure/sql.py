"""Dialect-aware bulk writes (SQLite and PostgreSQL): insert-if-absent and upsert, one executemany each.

Rows are deduplicated by primary key in Python first: PostgreSQL refuses an ``ON CONFLICT DO UPDATE`` that touches
one row twice in a statement, and a poll batch often carries two versions of one entity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Table, case
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn, table: Table):  # noqa: ANN001, ANN202
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _dedupe(table: Table, rows: Iterable[dict], keep: Callable[[dict, dict], bool]) -> list[dict]:
    names = _pk(table)
    out: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[n] for n in names)
        seen = out.get(key)
        if seen is None or keep(seen, row):
            out[key] = row
    return list(out.values())


def insert_ignore(conn, table: Table, rows: Sequence[dict]) -> None:  # noqa: ANN001
    """Insert rows whose primary key is absent; the first row of a key wins (facts are written once)."""
    rows = _dedupe(table, rows, lambda _old, _new: False)
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(index_elements=_pk(table)), rows)


def upsert(conn, table: Table, rows: Sequence[dict], *, newer: str | None = None,  # noqa: ANN001
           only_if_null: str | None = None) -> None:
    """Insert or replace by primary key (derived state rows).

    ``newer``: a sortable version column; a row replaces the stored one only when its version is greater.
    ``only_if_null``: the stored row is replaced only while this column is NULL (frozen afterwards).
    """
    keep = (lambda old, new: new[newer] > old[newer]) if newer else (lambda _old, _new: True)
    rows = _dedupe(table, rows, keep)
    if not rows:
        return
    stmt = _insert(conn, table)
    pk = _pk(table)
    cols = [c for c in rows[0] if c not in pk]
    where = None
    if newer:
        where = table.c[newer] < stmt.excluded[newer]
    if only_if_null:
        cond = table.c[only_if_null].is_(None)
        where = cond if where is None else (where & cond)
    if not cols:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=pk), rows)
        return
    conn.execute(stmt.on_conflict_do_update(index_elements=pk, set_={c: stmt.excluded[c] for c in cols},
                                            where=where), rows)


def accumulate(conn, table: Table, rows: Sequence[dict], *, add: str, latest: str) -> None:  # noqa: ANN001
    """Insert rows, or add ``add`` into the stored row and keep the greater ``latest`` (counters). Rows are written
    in key order, so that two workers adding to the same rows never wait on each other in a cycle."""
    if not rows:
        return
    stmt = _insert(conn, table)
    rows = sorted(rows, key=lambda r: tuple(r[n] for n in _pk(table)))
    newer = case((stmt.excluded[latest] > table.c[latest], stmt.excluded[latest]), else_=table.c[latest])
    conn.execute(stmt.on_conflict_do_update(index_elements=_pk(table),
                                            set_={add: table.c[add] + stmt.excluded[add], latest: newer}), rows)
