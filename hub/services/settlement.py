"""Settlement: statement runs, netting, and what happens to a statement after issue (confirm, dispute, pay).

A run for period P (``run_statements``) takes every accepted, not yet settled line of P (and of earlier, issued
periods: late lines) and every adjustment booked into P; the database groups them into statements, freezes the lines
(``statement_id``) and copies them onto the statements, set-based (docs/perf/settlement.md); then it nets the
period's cross-region statements and notifies payer and payee regions. A second run of the same period is a no-op
(``job_runs``). Only actual facts count: exercise/test claims are never adjudicated (``hub.services.eldercare``), so
no drill line reaches a statement, and a drill's confirmation, dispute or payment is stored with its status but
never enters an account. Officer actions are service functions the web calls; each is one transaction with its
audit entry.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import JSON, Engine, and_, delete, func, insert, literal, null, select, update

from hub.domain.calendar import Period, local_date
from hub.domain.settlement import (
    SettlementStatement,
    StatementKey,
    StatementLine,
    late_line_periods,
    region_of,
)
from hub.domain.settlement_accounts import Confirmation, Dispute, Payment, account
from hub.domain.settlement_netting import net
from hub.infrastructure import tables as t
from hub.infrastructure.sql import insert_ignore, upsert
from hub.services import audit
from hub.services.context import Batch, BusinessRuleBroken
from hub.services.eldercare import line_key
from hub.services.policy import BUS_REGION, PROVINCE, HubPolicy


class SettlementError(Exception):
    """An officer action refers to an unknown statement or line, or breaks a settlement rule."""


def statement_id(key: StatementKey) -> str:
    """Stable, short, contract-safe id: ``ST-YYYYMM-<payer>-<payee>-<hash of facility and type>``."""
    return _sid(key.period, key.payer_district, BUS_REGION[key.payee_region], key.facility_id, key.subsidy_type)


def _aware(d: datetime | None) -> datetime | None:
    return d if d is None or d.tzinfo else d.replace(tzinfo=UTC)


@lru_cache(maxsize=65536)
def _digest(facility_id: str, subsidy_type: str) -> str:
    return hashlib.sha256(f"{facility_id}|{subsidy_type}".encode()).hexdigest()[:12]


def _sid(period: Period, payer_district: str, payee_region: str, facility_id: str, subsidy_type: str) -> str:
    """``statement_id`` of a key given with the bus code of the payee region (no per-statement key object)."""
    return f"ST-{period.year:04d}{period.month:02d}-{payer_district}-{payee_region}-{_digest(facility_id, subsidy_type)}"


def _prepare(conn) -> None:  # noqa: ANN001
    """Per dialect: the digest of statement ids in SQL, and a consistent view of the run's inputs.

    PostgreSQL: writers of the run's inputs wait until commit, so every step sees the same lines, and the run's
    sorts and groups get memory. SQLite: the transaction's snapshot already gives the same lines to every step (a
    concurrent writer makes the run fail, not mix); the digest is registered on this (unpooled) connection.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE eldercare_adjudications, settlement_adjustments IN SHARE ROW EXCLUSIVE MODE")
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    else:
        conn.connection.driver_connection.create_function("jjj_statement_digest", 2, _digest, deterministic=True)


def _sid_sql(conn, period: Period, payer, payee, facility, subsidy):  # noqa: ANN001, ANN202
    """``_sid`` as an SQL expression of columns (the same text: the tests compare both)."""
    if conn.dialect.name == "postgresql":
        digest = func.substr(func.encode(func.sha256(func.convert_to(facility + "|" + subsidy, "UTF8")), "hex"), 1, 12)
    else:
        digest = func.jjj_statement_digest(facility, subsidy)
    return literal(f"ST-{period.year:04d}{period.month:02d}-") + payer + "-" + payee + "-" + digest


def _late_periods(conn, period: Period) -> list[str]:  # noqa: ANN001
    """Earlier, issued periods with accepted lines on no statement (noted by the eldercare recompute)."""
    M, J = t.settlement_late_periods, t.job_runs
    issued = {Period.parse(r.run_key) for r in conn.execute(select(J.c.run_key).where(J.c.job == "statements"))}
    noted = {Period.parse(r.period) for r in conn.execute(select(M.c.period))}
    return [str(p) for p in late_line_periods(period, noted, issued)]


def run_statements(batch: Batch, period: Period) -> list[str]:
    """Issue the statements of ``period``; idempotent. Returns the ids issued by this call.

    Set-based: the database groups the lines into statement totals, copies the lines onto the statements and
    freezes them (``statement_id``) with three statements over all lines; Python handles only the statements (ids,
    notices, accounts) and the netting. Lines of an earlier, already issued period (late claims) go onto this
    period's statements as late lines (``late_of``): an issued statement is never changed.
    """
    conn, A, D, S, J = (batch.conn, t.eldercare_adjudications, t.settlement_adjustments, t.settlement_statements,
                        t.job_runs)
    key = str(period)
    if conn.execute(select(J.c.job).where(J.c.job == "statements", J.c.run_key == key)).first():
        return []
    _prepare(conn)
    periods = [key, *_late_periods(conn, period)]
    open_lines = and_(A.c.period.in_(periods), A.c.accepted.is_(True), A.c.statement_id.is_(None))
    totals: dict[tuple, list[int]] = {}
    for q in (select(A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type, func.count(),
                     func.sum(A.c.payable_fen)).where(open_lines)
              .group_by(A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type),
              select(D.c.payer_district, D.c.payee_region, D.c.facility_id, D.c.subsidy_type, func.count(),
                     func.sum(D.c.amount_fen)).where(D.c.period == key)
              .group_by(D.c.payer_district, D.c.payee_region, D.c.facility_id, D.c.subsidy_type)):
        for *k, n, fen in conn.execute(q):
            acc = totals.setdefault(tuple(k), [0, 0])
            acc[0], acc[1] = acc[0] + int(n), acc[1] + int(fen)
    rows = [{"statement_id": _sid(period, payer, payee, facility, subsidy), "period": key, "payer_district": payer,
             "payer_region": BUS_REGION[region_of(payer)], "payee_region": payee, "facility_id": facility,
             "subsidy_type": subsidy, "total_fen": fen, "line_count": n, "issued_at": batch.now}
            for (payer, payee, facility, subsidy), (n, fen) in totals.items()]
    # the order of the domain's statements (by key, payee as its province code)
    rows.sort(key=lambda r: (r["payer_district"], PROVINCE[r["payee_region"]], r["facility_id"], r["subsidy_type"]))
    if rows:
        conn.execute(insert(S), rows)
        _copy_lines(conn, period, periods, open_lines, rows)
        _open_accounts(batch, key)
    _net(batch, period)
    for row in rows:
        _notice(batch, row, "issued")
    detail = {"statements": len(rows), "total_fen": sum(r["total_fen"] for r in rows)}
    if len(periods) > 1:
        detail["late_periods"] = periods[1:]
        conn.execute(delete(t.settlement_late_periods).where(t.settlement_late_periods.c.period.in_(periods[1:])))
    conn.execute(insert(J), [{"job": "statements", "run_key": key, "ran_at": batch.now, "detail": detail}])
    batch.audit.append({"actor": "scheduler", "action": "settlement.statements_run", "subject": key, "detail": detail})
    return [r["statement_id"] for r in rows]


def _copy_lines(conn, period: Period, periods: list[str], open_lines, rows: list[dict]) -> None:  # noqa: ANN001
    """Freeze the open claim lines onto their statements, then copy them and the period's adjustments as lines.

    The statement id is computed by the database from each line's key (no join per line); the lines are written in
    key order (cheap appends to the primary-key index).
    """
    A, D, S, L = t.eldercare_adjudications, t.settlement_adjustments, t.settlement_statements, t.settlement_lines
    key, prefix = str(period), f"ST-{period.year:04d}{period.month:02d}-"
    conn = conn.execution_options(preserve_rowcount=True)  # PostgreSQL: rowcount of INSERT … SELECT
    frozen = conn.execute(update(A).where(open_lines).values(statement_id=_sid_sql(
        conn, period, A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type))).rowcount
    cols = ["statement_id", "line_id", "elder_ref", "amount_fen", "adjusts", "late_of"]
    line_id = A.c.claim_id + "/" + A.c.line_id
    claims = conn.execute(insert(L).from_select(cols, select(
        A.c.statement_id, line_id, A.c.elder_ref, A.c.payable_fen, null(), func.nullif(A.c.period, key))
        .where(A.c.period.in_(periods), A.c.accepted.is_(True), A.c.statement_id.startswith(prefix))
        .order_by(A.c.statement_id, line_id))).rowcount
    adjustments = conn.execute(insert(L).from_select(cols, select(
        _sid_sql(conn, period, D.c.payer_district, D.c.payee_region, D.c.facility_id, D.c.subsidy_type),
        D.c.adjustment_id, D.c.elder_ref, D.c.amount_fen, D.c.adjusts_line_id, null()).where(D.c.period == key))
    ).rowcount
    # totals and counts were grouped from these same lines: any difference means an error, and nothing is issued
    expected = sum(r["line_count"] for r in rows)
    empty = conn.execute(select(func.count()).select_from(S).where(
        S.c.period == key, ~select(L.c.line_id).where(L.c.statement_id == S.c.statement_id).exists())).scalar_one()
    if claims + adjustments != expected or frozen != claims or empty:
        raise SettlementError(f"statement run {key}: {frozen} lines frozen, {claims} claim and {adjustments} "
                              f"adjustment lines copied, {expected} counted, {empty} statements without lines")


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


def _domain_statement(row: dict, lines: list[dict]) -> SettlementStatement:
    key = StatementKey(Period.parse(row["period"]), row["payer_district"], PROVINCE[row["payee_region"]],
                       row["facility_id"], row["subsidy_type"])
    return SettlementStatement(key, tuple(sorted(StatementLine(ln["line_id"], ln["elder_ref"], int(ln["amount_fen"]),
                                                               ln["adjusts"]) for ln in lines)),
                               int(row["total_fen"]), int(row["line_count"]))


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


def _notice(batch: Batch, row: dict, notice_type: str, due_on: str | None = None) -> None:
    payload = {"statement_id": row["statement_id"], "notice_type": notice_type,
               "payer_code": row["payer_district"], "payee_region": row["payee_region"], "period": row["period"],
               "claim_count": int(row["line_count"]),
               # the contract's Fen is ≥ 0: a statement of net-negative adjustments is notified as 0 (issue noted)
               "claimed_fen": max(int(row["total_fen"]), 0), "accepted_fen": max(int(row["total_fen"]), 0)}
    if due_on:
        payload["due_on"] = due_on
    for region in sorted({row["payer_region"], row["payee_region"]}):
        batch.send("hub.statement_notice", payload, region)


# ------------------------------------------------------------------------------------------ accounts

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


def _lines_of(conn, sid: str) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    """hub line key → (claim id, line id) of a statement's claim lines."""
    A = t.eldercare_adjudications
    return {line_key(r.claim_id, r.line_id): (r.claim_id, r.line_id)
            for r in conn.execute(select(A.c.line_id, A.c.claim_id).where(A.c.statement_id == sid))}


# ------------------------------------------------------------------------------------------ messages from regions

def on_settlement_message(batch: Batch, msg: dict) -> None:
    """eldercare.confirmation (payee), .dispute (payee), .payment (payer) against an issued statement."""
    p, region, kind = msg["payload"], msg["sender"]["region"], msg["kind"].split(".")[1]
    st = _statement(batch.conn, p["statement_id"])
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
    notice = {"confirmation": "confirmed", "dispute": "disputed", "payment": "paid"}[kind]
    _notice(batch, st, notice)


def recompute(batch: Batch) -> None:
    ids = sorted(batch.touched.pop("statement", set()))
    recompute_accounts(batch, ids)


# ------------------------------------------------------------------------------------------ officer actions

def _officer(engine: Engine, officer: str, action: str, sid: str, detail: dict, event: dict | None,
             prefix: str, policy: HubPolicy | None, now: datetime | None, notice: str | None) -> dict:
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
        if notice:
            _notice(batch, dict(st), notice)
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


__all__ = ["confirm", "dispute", "resolve_dispute", "record_payment", "create_adjustment", "run_statements",
           "region_of"]
