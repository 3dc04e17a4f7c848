"""Statement accounts, and what the regions say about issued statements (confirm, dispute, pay).

An account (status, withheld and payable fen, flags) is recomputed from the statement, its lines and its actual
events by the domain's ``account``. Only actual facts count: a drill's confirmation, dispute or payment is stored
with its status but never enters an account.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import and_, select

from hub.domain.calendar import Period, local_date
from hub.domain.settlement import SettlementStatement, StatementKey, StatementLine
from hub.domain.settlement_accounts import Confirmation, Dispute, Payment, account
from hub.infrastructure import tables as t
from hub.infrastructure.sql import upsert
from hub.services.context import Batch, BusinessRuleBroken
from hub.services.eldercare import line_key
from hub.services.policy import PROVINCE
from hub.services.settlement_run import notice


def _aware(d: datetime | None) -> datetime | None:
    return d if d is None or d.tzinfo else d.replace(tzinfo=UTC)



def _domain_statement(row: dict, lines: list[dict]) -> SettlementStatement:
    key = StatementKey(Period.parse(row["period"]), row["payer_district"], PROVINCE[row["payee_region"]],
                       row["facility_id"], row["subsidy_type"])
    return SettlementStatement(key, tuple(sorted(StatementLine(ln["line_id"], ln["elder_ref"], int(ln["amount_fen"]),
                                                               ln["adjusts"]) for ln in lines)),
                               int(row["total_fen"]), int(row["line_count"]))



def recompute_accounts(batch: Batch, ids: list[str]) -> None:
    if not ids:
        return
    conn, S, L, E = batch.conn, t.settlement_statements, t.settlement_lines, t.settlement_events
    st = {r["statement_id"]: dict(r) for r in conn.execute(select(S).where(S.c.statement_id.in_(ids))).mappings()}
    lines, events = defaultdict(list), defaultdict(list)
    for r in conn.execute(select(L).where(L.c.statement_id.in_(ids))).mappings():
        lines[r["statement_id"]].append(dict(r))
    for r in conn.execute(select(E).where(E.c.statement_id.in_(ids), E.c.envelope_status == "actual")).mappings():
        events[r["statement_id"]].append(dict(r))
    rows = []
    for sid, row in st.items():
        ev = events[sid]
        resolved = {e["ref_id"]: _aware(e["at"]) for e in ev if e["kind"] == "resolution"}
        statement = _domain_statement(row, lines[sid])
        dom = statement.statement_id  # the domain names statements by their key; ours is a short stable id
        acc = account(
            statement, local_date(_aware(row["issued_at"])), batch.now,
            [Confirmation(dom, _aware(e["at"])) for e in ev if e["kind"] == "confirmation"],
            [Dispute(e["ref_id"], dom, frozenset(e["line_ids"] or []), _aware(e["at"]), e["reason"] or "",
                     resolved.get(e["ref_id"])) for e in ev if e["kind"] == "dispute"],
            [Payment(e["ref_id"], dom, int(e["amount_fen"]), _aware(e["at"])) for e in ev if e["kind"] == "payment"],
            batch.policy.settlement)
        rows.append({"statement_id": sid, "status": acc.status.value, "confirmed_at": acc.confirmed_at,
                     "open_disputes": list(acc.open_disputes), "withheld_fen": acc.withheld_fen,
                     "payable_fen": acc.payable_fen, "paid_fen": acc.paid_fen, "flags": list(acc.flags),
                     "updated_at": batch.now})
    upsert(conn, t.settlement_accounts, rows)


def _statement(conn, sid: str) -> dict | None:  # noqa: ANN001
    return conn.execute(select(t.settlement_statements).where(t.settlement_statements.c.statement_id == sid)) \
        .mappings().first()


SETTLEMENT_KINDS = ("eldercare.confirmation", "eldercare.dispute", "eldercare.payment")


def _statements(conn, ids: list[str]) -> dict:  # noqa: ANN001
    S = t.settlement_statements
    rows = {}
    for i in range(0, len(ids), 500):
        rows.update({r["statement_id"]: r for r in conn.execute(
            select(S).where(S.c.statement_id.in_(ids[i:i + 500]))).mappings()})
    return {"ids": set(ids), "rows": rows}


def _stored_statement(batch: Batch, sid: str) -> dict | None:
    """The statement a settlement message names, read once per batch for all of them (``Batch.prefetch``)."""
    pre = batch.prefetch("settlement.statements",
                         lambda msgs: _statements(batch.conn, sorted({m["payload"]["statement_id"] for m in msgs})),
                         lambda m: m["kind"] in SETTLEMENT_KINDS)
    if sid not in pre["ids"]:  # a handler called outside the intake's batch (no prefetch covers it)
        return _statement(batch.conn, sid)
    return pre["rows"].get(sid)




def _lines_of(conn, sid: str) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    """hub line key → (claim id, line id) of a statement's claim lines (found through the statement's key)."""
    A, S = t.eldercare_adjudications, t.settlement_statements
    on = and_(A.c.facility_id == S.c.facility_id, A.c.subsidy_type == S.c.subsidy_type,
              A.c.payer_district == S.c.payer_district, A.c.statement_id == S.c.statement_id)
    return {line_key(r.claim_id, r.line_id): (r.claim_id, r.line_id)
            for r in conn.execute(select(A.c.line_id, A.c.claim_id).select_from(S.join(A, on))
                                  .where(S.c.statement_id == sid))}


def on_settlement_message(batch: Batch, msg: dict) -> None:
    """eldercare.confirmation (payee), .dispute (payee), .payment (payer) against an issued statement."""
    p, region, kind = msg["payload"], msg["sender"]["region"], msg["kind"].split(".")[1]
    st = _stored_statement(batch, p["statement_id"])
    if st is None:
        raise BusinessRuleBroken("settlement.unknown_statement", f"no statement {p['statement_id']}",
                                 f"结算单 {p['statement_id']} 不存在", ["payload.statement_id"])
    party = st["payer_region"] if kind == "payment" else st["payee_region"]
    if region != party:
        raise BusinessRuleBroken("settlement.wrong_party", f"{kind} comes from {party}", f"{kind} 应由 {party} 发送",
                                 ["sender.region"])
    row = {"event_id": f"{kind}:{msg['message_id']}", "statement_id": p["statement_id"], "kind": kind,
           "amount_fen": None, "line_ids": None, "ref_id": None, "reason": None, "actor": region}
    if kind == "confirmation":
        row.update(at=datetime.fromisoformat(p["confirmed_at"]), amount_fen=p["confirmed_fen"])
    elif kind == "payment":
        row.update(at=datetime.fromisoformat(p["paid_at"]), amount_fen=p["amount_fen"], ref_id=p["payment_id"])
    else:
        owned = _lines_of(batch.conn, p["statement_id"])
        # a disputed line names its claim and, optionally, one line of it (none: every line of the claim)
        ids = sorted({key for ln in p["lines"] for key, (cid, lid) in owned.items()
                      if cid == ln["claim_id"] and ln.get("line_id") in (None, lid)})
        if not ids:
            raise BusinessRuleBroken("settlement.dispute_unknown_line", "the dispute names no line of the statement",
                                     "异议所列明细不在结算单中", ["payload.lines"])
        row.update(at=datetime.fromisoformat(p["raised_at"]), line_ids=ids, ref_id=p["dispute_id"],
                   reason=p.get("note") or p["lines"][0]["reason_code"])
    status = msg.get("status") or "actual"
    batch.add(t.settlement_events, row | {"envelope_status": status})
    if status != "actual":  # a drill is checked and kept like a real one but never changes the account
        return
    batch.touch("statement", p["statement_id"])
    kind_notice = {"confirmation": "confirmed", "dispute": "disputed", "payment": "paid"}[kind]
    notice(batch, st, kind_notice)


def recompute(batch: Batch) -> None:
    ids = sorted(batch.touched.pop("statement", set()))
    recompute_accounts(batch, ids)

