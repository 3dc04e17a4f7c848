"""The monthly statement run (set-based, docs/perf/settlement.md) and the statement notices.

A run for period P takes every accepted, not yet settled line of P (and of earlier, issued periods: late lines) and
every adjustment booked into P. One pass freezes the claim lines onto their statements and totals them
(``settlement_freeze``); claim lines are not copied: a statement's lines are the ``settlement_lines`` view over the
frozen adjudications and ``settlement_extra_lines`` (where the adjustments go). Python handles only the statements
(rows, notices) and the netting. A second run of the same period is a no-op (``job_runs``).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import JSON, and_, delete, func, insert, literal, null, select

from hub.domain.calendar import Period, local_date
from hub.domain.settlement import SettlementStatement, StatementKey, late_line_periods, region_of
from hub.domain.settlement_accounts import account
from hub.domain.settlement_netting import net
from hub.infrastructure import tables as t
from hub.infrastructure.sql import upsert
from hub.services.context import Batch
from hub.services.policy import BUS_REGION, PROVINCE
from hub.services.settlement_freeze import freeze
from hub.services.settlement_ids import SettlementError, prepare, sid, sid_sql


def _late_periods(conn, period: Period) -> list[str]:  # noqa: ANN001
    """Earlier, issued periods with accepted lines on no statement (noted by the eldercare recompute)."""
    M, J = t.settlement_late_periods, t.job_runs
    issued = {Period.parse(r.run_key) for r in conn.execute(select(J.c.run_key).where(J.c.job == "statements"))}
    noted = {Period.parse(r.period) for r in conn.execute(select(M.c.period))}
    return [str(p) for p in late_line_periods(period, noted, issued)]


def run_statements(batch: Batch, period: Period) -> list[str]:
    """Issue the statements of ``period``; idempotent. Returns the ids issued by this call.

    Lines of an earlier, already issued period (late claims) go onto this period's statements as late lines
    (``late_of`` in the view): an issued statement is never changed.
    """
    conn, A, D, S, J = (batch.conn, t.eldercare_adjudications, t.settlement_adjustments, t.settlement_statements,
                        t.job_runs)
    key = str(period)
    if conn.execute(select(J.c.job).where(J.c.job == "statements", J.c.run_key == key)).first():
        return []
    prepare(conn)
    periods = [key, *_late_periods(conn, period)]
    adjusted = conn.execute(
        select(D.c.payer_district, D.c.payee_region, D.c.facility_id, D.c.subsidy_type, func.count(),
               func.sum(D.c.amount_fen)).where(D.c.period == key)
        .group_by(D.c.payer_district, D.c.payee_region, D.c.facility_id, D.c.subsidy_type)).all()

    def issue(totals: dict) -> tuple[list[dict], int]:
        """The statement rows and their notices, in Python (while SQLite is still freezing the lines)."""
        adjustments = 0
        for *k, n, fen in adjusted:
            acc = totals.setdefault(tuple(k), [0, 0])
            acc[0], acc[1], adjustments = acc[0] + int(n), acc[1] + int(fen), adjustments + int(n)
        rows = [{"statement_id": sid(period, payer, payee, facility, subsidy), "period": key,
                 "payer_district": payer, "payer_region": BUS_REGION[region_of(payer)], "payee_region": payee,
                 "facility_id": facility, "subsidy_type": subsidy, "total_fen": fen, "line_count": n,
                 "issued_at": batch.now}
                for (payer, payee, facility, subsidy), (n, fen) in totals.items()]
        # the order of the domain's statements (by key, payee as its province code)
        rows.sort(key=lambda r: (r["payer_district"], PROVINCE[r["payee_region"]], r["facility_id"],
                                 r["subsidy_type"]))
        for row in rows:
            notice(batch, row, "issued")
        return rows, adjustments

    rows, adjustments = freeze(conn, period, and_(A.c.period.in_(periods), A.c.accepted.is_(True),
                                                  A.c.statement_id.is_(None)), issue)
    if rows:
        conn.execute(insert(S), rows)
        _add_adjustments(conn, period, adjustments)
        _open_accounts(batch, key)
    _net(batch, period)
    detail = {"statements": len(rows), "total_fen": sum(r["total_fen"] for r in rows)}
    if len(periods) > 1:
        detail["late_periods"] = periods[1:]
        conn.execute(delete(t.settlement_late_periods).where(t.settlement_late_periods.c.period.in_(periods[1:])))
    conn.execute(insert(J), [{"job": "statements", "run_key": key, "ran_at": batch.now, "detail": detail}])
    batch.audit.append({"actor": "scheduler", "action": "settlement.statements_run", "subject": key, "detail": detail})
    return [r["statement_id"] for r in rows]


def _add_adjustments(conn, period: Period, expected: int) -> None:  # noqa: ANN001
    """The period's adjustments as extra lines of their statements (claim lines are read through the view)."""
    D, X = t.settlement_adjustments, t.settlement_extra_lines
    added = conn.execution_options(preserve_rowcount=True).execute(insert(X).from_select(
        ["statement_id", "line_id", "elder_ref", "amount_fen", "adjusts", "late_of"],
        select(sid_sql(conn, period, D.c.payer_district, D.c.payee_region, D.c.facility_id, D.c.subsidy_type),
               D.c.adjustment_id, D.c.elder_ref, D.c.amount_fen, D.c.adjusts_line_id, null())
        .where(D.c.period == str(period)))).rowcount
    if added != expected:
        raise SettlementError(f"statement run {period}: {added} adjustment lines added, {expected} counted")


def _open_accounts(batch: Batch, period: str) -> None:
    """The account of each new statement: what the domain says of a statement with no event yet, for every one."""
    S = t.settlement_statements
    blank = account(SettlementStatement(StatementKey(Period.parse(period), "110000", "110000", "-", "-"), (), 0, 0),
                    local_date(batch.now), batch.now, policy=batch.policy.settlement)
    batch.conn.execute(insert(t.settlement_accounts).from_select(
        ["statement_id", "status", "confirmed_at", "open_disputes", "withheld_fen", "payable_fen", "paid_fen",
         "flags", "updated_at"],
        select(S.c.statement_id, literal(blank.status.value), null(), literal(list(blank.open_disputes), JSON),
               literal(blank.withheld_fen), S.c.total_fen - blank.withheld_fen, literal(blank.paid_fen),
               literal(list(blank.flags), JSON), literal(batch.now, t.TS)).where(S.c.period == period)))


def _net(batch: Batch, period: Period) -> None:
    """Net the period from its gross totals per (payer region, payee region), grouped by the database."""
    conn, S = batch.conn, t.settlement_statements
    pairs = conn.execute(select(S.c.payer_region, S.c.payee_region, func.sum(S.c.total_fen).label("fen"))
                         .where(S.c.period == str(period)).group_by(S.c.payer_region, S.c.payee_region))
    # one statement per pair carries the pair's total: netting only ever sums a pair's statements
    statements = [SettlementStatement(StatementKey(period, PROVINCE[r.payer_region], PROVINCE[r.payee_region], "", ""),
                                      (), int(r.fen), 0) for r in pairs]
    netting = net(period, statements, PROVINCE.values())
    payable, receivable = defaultdict(int), defaultdict(int)
    for (payer, payee), fen in netting.gross.items():
        payable[payer] += fen
        receivable[payee] += fen
    upsert(conn, t.settlement_netting, [{"period": str(period), "debtor": BUS_REGION[o.debtor],
                                         "creditor": BUS_REGION[o.creditor], "amount_fen": o.amount_fen}
                                        for o in netting.obligations])
    upsert(conn, t.settlement_positions, [{"period": str(period), "region": BUS_REGION[r],
                                           "gross_payable_fen": payable[r], "gross_receivable_fen": receivable[r],
                                           "position_fen": pos} for r, pos in netting.positions.items()])


def notice(batch: Batch, row: dict, notice_type: str, due_on: str | None = None) -> None:
    """``hub.statement_notice`` to the statement's payer and payee regions (one message each: one inbox per region)."""
    payload = {"statement_id": row["statement_id"], "notice_type": notice_type,
               "payer_code": row["payer_district"], "payee_region": row["payee_region"], "period": row["period"],
               "claim_count": int(row["line_count"]),
               # the contract's Fen is ≥ 0: a statement of net-negative adjustments is notified as 0 (issue noted)
               "claimed_fen": max(int(row["total_fen"]), 0), "accepted_fen": max(int(row["total_fen"]), 0)}
    if due_on:
        payload["due_on"] = due_on
    for region in sorted({row["payer_region"], row["payee_region"]}):
        batch.send("hub.statement_notice", payload, region)
