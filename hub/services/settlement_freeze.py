"""Freeze a period's open claim lines onto their statements and total them, in one pass over the lines.

The statement run's only per-line work: one ``UPDATE`` sets each open accepted line's ``statement_id`` (computed by
the database from the line's key) and hands back what it froze, grouped into statement totals. The totals are
therefore those of exactly the lines frozen (no separate ``GROUP BY`` that a concurrent writer could make differ).

* PostgreSQL: ``WITH frozen AS (UPDATE … RETURNING key, payable_fen) SELECT key, count, sum … GROUP BY key``; the
  digest is the built-in ``sha256``.
* SQLite (no hash function, and a Python function per line costs ~4 µs): the digests of the (facility, subsidy
  type) pairs go into a temporary table (the pairs are read with one index seek each, from
  ``ix_eldercare_adjudications_statement_key``); the ``UPDATE`` looks each line's digest up there (C, one b-tree
  probe) and returns ``statement_id, payable_fen``, counted by ``collections.Counter`` (C) and summed per id.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import column, func, select, table, update

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services.settlement_ids import SettlementError, digest, prefix, sid_sql

Key = tuple[str, str, str, str]  # payer district, payee region (bus code), facility id, subsidy type


def freeze(conn, period: Period, open_lines) -> dict[Key, list[int]]:  # noqa: ANN001
    """Freeze the lines matching ``open_lines`` onto the statements of ``period``; key → [line count, fen]."""
    if conn.dialect.name == "postgresql":
        return _freeze_postgresql(conn, period, open_lines)
    return _freeze_sqlite(conn, period, open_lines)


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


def _freeze_sqlite(conn, period: Period, open_lines) -> dict[Key, list[int]]:  # noqa: ANN001
    A = t.eldercare_adjudications
    listed = conn.execute(select(A.c.facility_id, A.c.subsidy_type).distinct()).all()
    pairs = {digest(f, s): (f, s) for f, s in listed}
    if len(pairs) != len(listed):
        raise SettlementError(f"statement run {period}: two (facility, subsidy type) pairs share a statement digest")
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
                .values(statement_id=prefix(period) + A.c.payer_district + "-" + A.c.facility_region + "-" + hashed)
                .returning(A.c.statement_id, A.c.payable_fen))
        # the raw cursor, counted in C: (id, fen) → lines; a statement's lines take few distinct amounts (rates)
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(str(compiled), [compiled.params[p] for p in compiled.positiontup])
            counted = Counter(cursor)
        finally:
            cursor.close()
    finally:
        conn.exec_driver_sql("DROP TABLE temp.jjj_statement_digests")
    by_sid: dict[str | None, list[int]] = {}
    for (sid, fen), n in counted.items():
        acc = by_sid.setdefault(sid, [0, 0])
        acc[0] += n
        acc[1] += fen * n
    if None in by_sid:
        # a line of a pair written after the pairs were read (a concurrent writer): fail, never mix
        raise SettlementError(f"statement run {period}: {by_sid.get(None, [0])[0]} lines changed during the run")
    totals: dict[Key, list[int]] = {}
    start = len(prefix(period))
    for sid, acc in by_sid.items():  # ST-YYYYMM-<payer>-<payee>-<digest>: payee and digest never hold a "-"
        payer_payee, hashed_key = sid[start:].rsplit("-", 1)
        payer, payee = payer_payee.rsplit("-", 1)
        totals[(payer, payee, *pairs[hashed_key])] = acc
    return totals
