"""Freeze a period's open claim lines onto their statements and total them, in one pass over the lines.

The statement run's only per-line work: one ``UPDATE`` sets each open accepted line's ``statement_id`` (computed by
the database from the line's key) and hands back what it froze, grouped into statement totals. The totals are
those of exactly the lines frozen (PostgreSQL: the same statement; SQLite: the same locked state, and the counts are
compared).

* PostgreSQL: ``WITH frozen AS (UPDATE … RETURNING key, payable_fen) SELECT key, count, sum … GROUP BY key``; the
  digest is the built-in ``sha256``.
* SQLite (no hash function, and a Python function per line costs ~4 µs): the digests of the (facility, subsidy
  type) pairs go into a temporary table (the pairs are read with one index seek each, from
  ``ix_eldercare_adjudications_statement_key``); the ``UPDATE`` looks each line's digest up there (C, one b-tree
  probe). No ``RETURNING`` (buffering and fetching 1,000,000 returned rows cost as much CPU as a ``GROUP BY``): a
  second connection totals the same lines with a ``GROUP BY`` in a thread while the ``UPDATE`` runs in another,
  under the run's write lock, and the run builds its statements and notices as soon as the totals are in
  (``_freeze_sqlite``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import column, func, select, table, update
from sqlalchemy.pool import StaticPool

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services.settlement_ids import SettlementError, digest, prefix, sid_sql

Key = tuple[str, str, str, str]  # payer district, payee region (bus code), facility id, subsidy type
R = TypeVar("R")


def freeze(conn, period: Period, open_lines, then: Callable[[dict[Key, list[int]]], R]) -> R:  # noqa: ANN001
    """Freeze the lines matching ``open_lines`` onto the statements of ``period``; returns ``then(totals)``, totals
    being key → [line count, fen] of exactly the lines frozen.

    ``then`` runs while the ``UPDATE`` is still writing (SQLite; PostgreSQL: after it), so it must not use ``conn``:
    it is where the run builds its statements and notices, in Python, while the database writes. If the freeze then
    fails (``SettlementError``), whatever ``then`` made is dropped with the transaction. SQLite: call ``prepare``
    first (the write lock)."""
    if conn.dialect.name == "postgresql":
        return then(_freeze_postgresql(conn, period, open_lines))
    return _freeze_sqlite(conn, period, open_lines, then)


def _freeze_postgresql(conn, period: Period, open_lines) -> dict[Key, list[int]]:  # noqa: ANN001
    A = t.eldercare_adjudications
    keys = (A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type)
    frozen = (update(A).where(open_lines).values(statement_id=sid_sql(conn, period, *keys))
              .returning(*keys, A.c.payable_fen).cte("frozen"))
    fk = [frozen.c[k.name] for k in keys]
    return {tuple(k): [int(n), int(fen)] for *k, n, fen in conn.execute(
        select(*fk, func.count(), func.sum(frozen.c.payable_fen)).group_by(*fk))}


_DIGESTS = table("jjj_statement_digests", column("facility_id"), column("subsidy_type"), column("digest"),
                 schema="temp")


def _freeze_sqlite(conn, period: Period, open_lines, then: Callable[[dict[Key, list[int]]], R]) -> R:  # noqa: ANN001
    """Three things at once: the ``UPDATE`` (no ``RETURNING``) on the run's connection in a thread; a ``GROUP BY`` of
    the same lines on a second connection in another thread (both in C, GIL released); ``then(totals)`` in Python
    here as soon as the totals are in. ``UPDATE … RETURNING`` counted in Python cost ~1.7 s of CPU more than the bare
    ``UPDATE`` (as much as the ``GROUP BY`` itself), and the notices ~1 s after it.

    Same lines on both connections: the run holds the database's write lock since ``prepare`` (no one else commits a
    line until the run does), and the reader starts after that, so it reads exactly the state the ``UPDATE``
    changes; the counts are compared all the same. An in-memory database (no second connection sees it) or a
    ``StaticPool`` (one connection) totals first, then updates, on the run's connection."""
    A = t.eldercare_adjudications
    listed = conn.execute(select(A.c.facility_id, A.c.subsidy_type).distinct()).all()
    pairs = {digest(f, s): (f, s) for f, s in listed}
    if len(pairs) != len(listed):
        raise SettlementError(f"statement run {period}: two (facility, subsidy type) pairs share a statement digest")
    keys = (A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type)
    grouped = select(*keys, func.count(), func.sum(A.c.payable_fen)).where(open_lines).group_by(*keys)
    conn.exec_driver_sql("CREATE TEMP TABLE jjj_statement_digests (facility_id TEXT NOT NULL, "
                         "subsidy_type TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (facility_id, subsidy_type)) "
                         "WITHOUT ROWID")  # one b-tree probe per line (a rowid table takes two: 2x the UPDATE)
    try:
        if pairs:
            conn.execute(_DIGESTS.insert(), [{"facility_id": f, "subsidy_type": s, "digest": d}
                                             for d, (f, s) in pairs.items()])
        hashed = (select(_DIGESTS.c.digest).where(_DIGESTS.c.facility_id == A.c.facility_id,
                                                  _DIGESTS.c.subsidy_type == A.c.subsidy_type).scalar_subquery())
        stmt = (update(A).where(open_lines)
                .values(statement_id=prefix(period) + A.c.payer_district + "-" + A.c.facility_region + "-" + hashed))
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        sql, params = str(compiled), [compiled.params[p] for p in compiled.positiontup]
        # no second connection to the same database: in memory, or a pool that hands out this very connection
        inline = (conn.engine.url.database in (None, "", ":memory:") or isinstance(conn.engine.pool, StaticPool))
        totals = _Background(lambda: _read(conn if inline else None, conn.engine, grouped), inline=inline)
        frozen = _Background(lambda: _execute(conn.connection.driver_connection, sql, params), inline=inline)
        try:
            out: dict[Key, list[int]] = {}
            known = set(pairs.values())
            for *k, n, fen in totals.result():
                if (k[2], k[3]) not in known:  # its statement id would be NULL: cannot happen under the write lock
                    raise SettlementError(f"statement run {period}: a line of an unlisted (facility, type) pair "
                                          f"{tuple(k[2:])}")
                out[tuple(k)] = [int(n), int(fen)]
            counted = sum(n for n, _ in out.values())  # before ``then``: it may add to the totals
            result = then(out)
        finally:
            updated = frozen.result()  # always waited for: the connection is the run's
    finally:
        conn.exec_driver_sql("DROP TABLE temp.jjj_statement_digests")
    if counted != updated:
        raise SettlementError(f"statement run {period}: {updated} lines frozen, {counted} totalled")
    return result


def _read(conn, engine, grouped) -> list:  # noqa: ANN001
    if conn is not None:
        return conn.execute(grouped).all()
    with engine.connect() as reader:
        return reader.execute(grouped).all()


def _execute(raw, sql: str, params: list) -> int:  # noqa: ANN001
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.rowcount
    finally:
        cursor.close()


class _Background:
    """``work()`` in a thread (or at once, ``inline``); ``result()`` waits and returns it or raises its error."""

    def __init__(self, work: Callable[[], object], *, inline: bool) -> None:
        self.value, self.error, self.thread = None, None, None
        if inline:
            self._run(work)
        else:
            self.thread = threading.Thread(target=self._run, args=(work,), name="jjj-statement-run")
            self.thread.start()

    def _run(self, work: Callable[[], object]) -> None:
        try:
            self.value = work()
        except BaseException as e:  # noqa: BLE001 - raised in the run's thread by result()
            self.error = e

    def result(self):  # noqa: ANN201
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.value
