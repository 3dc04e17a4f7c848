"""Officer actions on statements (the web calls them): confirm, dispute, resolve a dispute, record a payment, book an
adjustment into a later period. Each is one transaction with its audit entry and, where the contract asks, a notice.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.infrastructure.sql import insert_ignore
from hub.services import audit
from hub.services.context import Batch
from hub.services.eldercare import line_key
from hub.services.policy import HubPolicy
from hub.services.settlement_events import _statement, recompute_accounts
from hub.services.settlement_ids import SettlementError
from hub.services.settlement_run import notice


def _officer(engine: Engine, officer: str, action: str, sid: str, detail: dict, event: dict | None,
             prefix: str, policy: HubPolicy | None, now: datetime | None, notice_type: str | None) -> dict:
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        batch = Batch(conn, now, prefix, policy or HubPolicy())
        st = _statement(conn, sid)
        if st is None:
            raise SettlementError(f"no statement {sid}")
        if event is not None:
            insert_ignore(conn, t.settlement_events, [{"statement_id": sid, "actor": officer, "amount_fen": None,
                                                       "line_ids": None, "ref_id": None, "reason": None, **event}])
        recompute_accounts(batch, [sid])
        if notice_type:
            notice(batch, dict(st), notice_type)
        audit.append(conn, [{"actor": officer, "action": action, "subject": sid, "detail": detail}])
        from jjj.outbox import enqueue
        enqueue(conn, t.hub_outbox, batch.outgoing, now)
        acc = conn.execute(select(t.settlement_accounts).where(t.settlement_accounts.c.statement_id == sid)) \
            .mappings().first()
        return dict(acc)


def confirm(engine: Engine, statement_id: str, officer: str, *, at: datetime | None = None, prefix: str = "jjj",
            policy: HubPolicy | None = None) -> dict:
    """An officer confirms a statement (on behalf of the payee); returns the account row."""
    at = at or datetime.now(UTC)
    return _officer(engine, officer, "settlement.confirm", statement_id, {}, {
        "event_id": f"confirmation:{statement_id}:{officer}:{at.isoformat()}"[:80], "kind": "confirmation",
        "at": at}, prefix, policy, at, "confirmed")


def dispute(engine: Engine, statement_id: str, officer: str, line_ids: list[str], reason: str, *,
            dispute_id: str | None = None, at: datetime | None = None, prefix: str = "jjj",
            policy: HubPolicy | None = None) -> dict:
    """Dispute lines of a statement; while open their fen are withheld."""
    at = at or datetime.now(UTC)
    with engine.connect() as conn:
        known = {r.line_id for r in conn.execute(select(t.settlement_lines.c.line_id)
                                                 .where(t.settlement_lines.c.statement_id == statement_id))}
    if not line_ids or set(line_ids) - known:
        raise SettlementError(f"lines {sorted(set(line_ids) - known)} are not on statement {statement_id}")
    did = dispute_id or f"D-{hashlib.sha256(f'{statement_id}{at}'.encode()).hexdigest()[:16]}"
    return _officer(engine, officer, "settlement.dispute", statement_id, {"dispute_id": did, "lines": len(line_ids)},
                    {"event_id": f"dispute:{did}", "kind": "dispute", "at": at, "line_ids": sorted(line_ids),
                     "ref_id": did, "reason": reason}, prefix, policy, at, "disputed")


def resolve_dispute(engine: Engine, statement_id: str, officer: str, dispute_id: str, *, at: datetime | None = None,
                    prefix: str = "jjj", policy: HubPolicy | None = None) -> dict:
    """Close a dispute: its lines are payable again (an amount change is a later-period adjustment)."""
    at = at or datetime.now(UTC)
    return _officer(engine, officer, "settlement.resolve", statement_id, {"dispute_id": dispute_id},
                    {"event_id": f"resolution:{dispute_id}", "kind": "resolution", "at": at, "ref_id": dispute_id},
                    prefix, policy, at, None)


def record_payment(engine: Engine, statement_id: str, officer: str, payment_id: str, amount_fen: int, *,
                   paid_at: datetime | None = None, prefix: str = "jjj", policy: HubPolicy | None = None) -> dict:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise SettlementError("amount_fen must be an integer number of fen")
    paid_at = paid_at or datetime.now(UTC)
    return _officer(engine, officer, "settlement.payment", statement_id,
                    {"payment_id": payment_id, "amount_fen": amount_fen},
                    {"event_id": f"payment:{payment_id}", "kind": "payment", "at": paid_at, "ref_id": payment_id,
                     "amount_fen": amount_fen}, prefix, policy, paid_at, "paid")


def create_adjustment(engine: Engine, officer: str, adjustment_id: str, line_id: str, period: str,
                      amount_fen: int, reason: str, *, now: datetime | None = None) -> None:
    """Book a correction of a settled line into a later period (never an edit of the original statement).

    ``line_id`` is the hub line key ``"<claim_id>/<line_id>"`` (a bare line id is accepted while it is unambiguous).
    """
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        A = t.eldercare_adjudications
        where = [A.c.claim_id == line_id.split("/", 1)[0], A.c.line_id == line_id.split("/", 1)[1]] \
            if "/" in line_id else [A.c.line_id == line_id]
        found = conn.execute(select(A).where(*where, A.c.statement_id.is_not(None))).mappings().all()
        if len(found) > 1:
            raise SettlementError(f"line {line_id} is ambiguous: name it as <claim_id>/<line_id>")
        row = found[0] if found else None
        if row is None:
            raise SettlementError(f"line {line_id} is on no statement")
        carried_in = conn.execute(select(t.settlement_statements.c.period).where(
            t.settlement_statements.c.statement_id == row["statement_id"])).scalar()
        if Period.parse(period) <= max(Period.parse(row["period"]), Period.parse(carried_in or row["period"])):
            raise SettlementError("corrections go into a later period, never into the original statement")
        if conn.execute(select(t.job_runs).where(t.job_runs.c.job == "statements",
                                                 t.job_runs.c.run_key == period)).first():
            raise SettlementError(f"the statements of {period} are already issued")
        line_id = line_key(row["claim_id"], row["line_id"])
        conn.execute(insert(t.settlement_adjustments), [{
            "adjustment_id": adjustment_id, "period": period, "adjusts_line_id": line_id,
            "adjusts_period": row["period"], "payer_district": row["payer_district"],
            "payee_region": row["facility_region"], "facility_id": row["facility_id"],
            "subsidy_type": row["subsidy_type"], "elder_ref": row["elder_ref"], "amount_fen": amount_fen,
            "reason": reason, "created_by": officer, "created_at": now}])
        audit.append(conn, [{"actor": officer, "action": "settlement.adjustment", "subject": adjustment_id,
                             "detail": {"line_id": line_id, "period": period, "amount_fen": amount_fen}}])
