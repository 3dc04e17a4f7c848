"""Relief family: ledger facts (movements, snapshot lines) → stock positions and discrepancies; support facts
(request, commitments, declines, dispatches, receipts) → the state of each request.

Each touched stock line (depot, item, spec, batch) is rebuilt from all its facts with ``build_ledger``; the balance
is taken at the end of time (every movement counts) so the row does not depend on the clock. Lines of one snapshot
message with the same key are summed first (one count per line per snapshot).

Exercise and test messages (envelope ``status`` ≠ ``actual``) are stored with their status but never counted in
stock: positions read actual facts only, and a drill's movement and request ids are stored as
``"<status>/<id>"`` so a drill can never take (and so silently drop) a real id. A drill's support flow is tracked
like a real one (its state and cost-ledger rows carry its status) but announces no status change.

Every touched support request also rebuilds the cost ledger of its event (``hub.domain.relief_costs``): per
(event, supplying region, receiving region, item, unit) what was committed, dispatched, received, is in transit or
written off, valued at the policy's agreed unit values (``HubPolicy.relief_valuation`` when the policy has one).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import and_, delete, or_, select

from hub.domain.errors import DomainError
from hub.domain.relief import Movement, MovementKind, Snapshot, StockKey, build_ledger, discrepancies, position_at
from hub.domain.relief_costs import CostLine, CostLineKey, Flow, Valuation, cost_lines
from hub.domain.relief_support import Commitment, Decline, Dispatch, Receipt, RequestLine, SupportRequest, support_state
from hub.infrastructure import tables as t
from hub.infrastructure.sql import among, among_rows, insert_ignore, upsert
from hub.services.context import Batch

END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
ACTUAL = "actual"


def _status(msg: dict) -> str:
    return msg.get("status") or ACTUAL


def scoped(status: str, ident: str) -> str:
    """A business id as stored: itself for actual messages, ``"<status>/<id>"`` for drills (``/`` never occurs in an
    identifier, so a drill's id can never equal a real one)."""
    return ident if status == ACTUAL else f"{status}/{ident}"


def _depot(batch: Batch, region: str, depot: dict) -> None:
    batch.upserts[t.relief_depots].append({"depot_id": depot["depot_id"], "region": region, "tier": depot["tier"],
                                           "unit_code": depot["unit_code"]})


def on_snapshot(batch: Batch, msg: dict) -> None:
    p, region, status = msg["payload"], msg["sender"]["region"], _status(msg)
    if status == ACTUAL:
        _depot(batch, region, p["depot"])
    depot_id = p["depot"]["depot_id"]
    for i, line in enumerate(p["lines"]):
        batch.add(t.relief_snapshot_lines, {
            "message_id": msg["message_id"], "line_no": i, "region": region, "depot_id": depot_id,
            "item": line["item_code"], "spec": line.get("spec", ""), "batch": line.get("batch", ""),
            "unit": line["unit"], "storage_mode": line["storage_mode"], "on_hand": line["on_hand"],
            "reserved": line["reserved"], "damaged": line["damaged"], "as_of": datetime.fromisoformat(p["as_of"]),
            "envelope_status": status})
        if status == ACTUAL:
            batch.touch("stock", (depot_id, line["item_code"], line.get("spec", ""), line.get("batch", "")))


def on_movement(batch: Batch, msg: dict) -> None:
    p, region, status = msg["payload"], msg["sender"]["region"], _status(msg)
    key = (p["depot"]["depot_id"], p["item_code"], p.get("spec", ""), p.get("batch", ""))
    batch.add(t.relief_movements, {
        "region": region, "movement_id": scoped(status, p["movement_id"]), "message_id": msg["message_id"],
        "depot_id": key[0], "item": key[1], "spec": key[2], "batch": key[3], "unit": p["unit"],
        "movement_type": p["movement_type"], "quantity": p["quantity"],
        "occurred_at": datetime.fromisoformat(p["occurred_at"]), "envelope_status": status})
    if status == ACTUAL:
        _depot(batch, region, p["depot"])
        batch.touch("stock", key)


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)  # SQLite returns naive UTC


def recompute_stock(batch: Batch) -> None:
    keys = batch.touched.pop("stock", set())
    if not keys:
        return
    conn = batch.conn
    depots = sorted({k[0] for k in keys})
    M, S, D = t.relief_movements, t.relief_snapshot_lines, t.relief_depots
    movements: dict[tuple, list[Movement]] = defaultdict(list)
    counts: dict[tuple, dict[str, list[int]]] = defaultdict(dict)
    as_of: dict[tuple[str, str], datetime] = {}
    units: dict[tuple, str] = {}
    for i in range(0, len(depots), 500):
        chunk = depots[i:i + 500]
        for r in conn.execute(select(M).where(among(conn, M.c.depot_id, chunk), M.c.envelope_status == ACTUAL)).mappings():
            k = (r["depot_id"], r["item"], r["spec"], r["batch"])
            if k in keys:
                movements[k].append(Movement(f"{r['region']}:{r['movement_id']}", StockKey(*k),
                                             MovementKind(r["movement_type"]), int(r["quantity"]),
                                             _aware(r["occurred_at"])))
                units[k] = r["unit"]
        for r in conn.execute(select(S).where(among(conn, S.c.depot_id, chunk), S.c.envelope_status == ACTUAL)).mappings():
            k = (r["depot_id"], r["item"], r["spec"], r["batch"])
            if k in keys:
                agg = counts[k].setdefault(r["message_id"], [0, 0, 0])
                agg[0] += r["on_hand"]
                agg[1] += r["reserved"]
                agg[2] += r["damaged"]
                as_of[(k, r["message_id"])] = _aware(r["as_of"])
                units[k] = r["unit"]
    tiers = {r.depot_id: (r.region, r.tier) for r in conn.execute(select(D).where(among(conn, D.c.depot_id, depots)))}
    positions, flagged = [], []
    for k in sorted(keys):
        shots = [Snapshot(mid, StockKey(*k), v[0], v[1], v[2], as_of[(k, mid)]) for mid, v in counts[k].items()]
        try:
            ledger = build_ledger(movements[k], shots)
        except DomainError:
            continue
        pos = position_at(ledger, StockKey(*k), END_OF_TIME)
        found = discrepancies(ledger)
        region, tier = tiers.get(k[0], ("??", "county"))
        positions.append({"depot_id": k[0], "item": k[1], "spec": k[2], "batch": k[3], "region": region,
                          "tier": tier, "unit": units.get(k, ""), "on_hand": pos.on_hand, "reserved": pos.reserved,
                          "damaged": pos.damaged, "available": pos.available,
                          "last_snapshot_at": max((s.as_of for s in shots), default=None),
                          "movement_count": len(movements[k]), "discrepancy_count": len(found),
                          "updated_at": batch.now})
        flagged += [{"depot_id": k[0], "item": k[1], "spec": k[2], "batch": k[3], "snapshot_id": d.snapshot_id,
                     "previous_snapshot_id": d.previous_snapshot_id, "expected": d.expected, "counted": d.counted,
                     "conflict": d.conflict} for d in found]
    _clear_discrepancies(conn, keys)
    upsert(conn, t.relief_stock_positions, positions)
    insert_ignore(conn, t.relief_discrepancies, flagged)


def _clear_discrepancies(conn, keys: set[tuple]) -> None:  # noqa: ANN001
    """Drop the stored discrepancies of the touched lines: one DELETE per 500 keys (not one per key); the
    ``depot_id IN`` part lets both databases use the primary-key index, the row-value IN picks the exact lines."""
    X = t.relief_discrepancies
    ordered = sorted(keys)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i:i + 500]
        conn.execute(delete(X).where(among(conn, X.c.depot_id, sorted({k[0] for k in chunk})),
                                     among_rows(conn, (X.c.depot_id, X.c.item, X.c.spec, X.c.batch), chunk)))


# ------------------------------------------------------------------------------------------ support flow

def on_support_request(batch: Batch, msg: dict) -> None:
    p, region, status = msg["payload"], msg["sender"]["region"], _status(msg)
    ref = p.get("event_ref") or {}
    rid = scoped(status, p["request_id"])
    batch.add(t.relief_support_requests, {
        "request_id": rid, "region": region, "envelope_status": status, "message_id": msg["message_id"],
        "event_region": ref.get("region"), "event_id": ref.get("event_id"), "to_regions": p["to_regions"],
        "needed_by": datetime.fromisoformat(p["needed_by"]),
        "lines": [{k: ln.get(k, "") for k in ("line_no", "item_code", "spec", "unit", "quantity")}
                  for ln in p["lines"]],
        "requested_at": datetime.fromisoformat(msg["sent_at"])})
    for to in p["to_regions"]:
        if to != region:
            batch.route(msg, to, p["request_id"])
    batch.touch("support", rid)


def on_support_reply(batch: Batch, msg: dict) -> None:
    """Commitment, decline, dispatch or receipt: stored, forwarded to the requesting region when it is known."""
    p, region, kind = msg["payload"], msg["sender"]["region"], msg["kind"].split(".")[1]
    rid = scoped(_status(msg), p["request_id"])
    if kind == "receipt":
        lines = {"received": {str(ln["line_no"]): ln["received"] for ln in p["lines"]},
                 "discrepancy": {str(ln["line_no"]): ln["discrepancy"] for ln in p["lines"]}}
        entity, at = p["dispatch_id"], p["received_at"]
    else:
        lines = {str(ln["line_no"]): ln["quantity"] for ln in p.get("lines", [])}
        entity = {"commitment": p.get("commitment_id"), "dispatch": p.get("dispatch_id")}.get(kind) \
            or msg["message_id"]
        at = p.get("departed_at") or p.get("expected_dispatch_at") or msg["sent_at"]
    batch.add(t.relief_support_messages, {
        "message_id": msg["message_id"], "request_id": rid, "kind": kind, "region": region,
        "entity_id": entity, "lines": lines, "at": datetime.fromisoformat(at), "reason": p.get("reason")})
    requester = _requesters(batch, rid)
    if requester and requester != region:
        batch.route(msg, requester, p["request_id"])
    batch.touch("support", rid)


_REPLIES = ("relief.commitment", "relief.decline", "relief.dispatch", "relief.receipt")


def _load_requesters(conn, rids: list[str]) -> dict:  # noqa: ANN001
    R = t.relief_support_requests
    found: dict[str, str] = {}
    for i in range(0, len(rids), 500):
        found.update((r.request_id, r.region) for r in
                     conn.execute(select(R.c.request_id, R.c.region).where(among(conn, R.c.request_id, rids[i:i + 500]))))
    return {"ids": set(rids), "region": found}


def _requesters(batch: Batch, rid: str) -> str | None:
    """The stored requesting region of a support request; read once per batch for every reply in it."""
    pre = batch.prefetch("relief.requesters", lambda msgs: _load_requesters(batch.conn, sorted(
        {scoped(_status(m), m["payload"]["request_id"]) for m in msgs if "request_id" in m.get("payload", {})})),
        lambda m: m["kind"] in _REPLIES)
    if rid not in pre["ids"]:  # called outside the intake's batch
        pre = _load_requesters(batch.conn, [rid])
    return pre["region"].get(rid)


def _ints(d: dict) -> dict[int, int]:
    return {int(k): int(v) for k, v in d.items()}


def _flows(conn, ids: list[str]) -> dict[str, tuple]:  # noqa: ANN001
    """Request id → (stored request row, domain request, commitments, declines, dispatches, receipts)."""
    R, Msg = t.relief_support_requests, t.relief_support_messages
    requests, replies = {}, defaultdict(list)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        requests.update({r["request_id"]: r for r in conn.execute(select(R).where(among(conn, R.c.request_id, chunk)))
                         .mappings()})
        for r in conn.execute(select(Msg).where(among(conn, Msg.c.request_id, chunk))).mappings():
            replies[r["request_id"]].append(r)
    out = {}
    for rid, req in requests.items():
        event_ref = f"{req['event_region']}:{req['event_id']}" if req["event_id"] else ""
        request = SupportRequest(rid, event_ref, req["region"],
                                 tuple(RequestLine(ln["line_no"], ln["item_code"], ln["spec"], ln["unit"],
                                                   ln["quantity"]) for ln in req["lines"]),
                                 _aware(req["requested_at"]))
        c, d, x, rc = [], [], [], []
        for m in replies[rid]:
            at = _aware(m["at"])
            if m["kind"] == "commitment":
                c.append(Commitment(m["entity_id"], rid, m["region"], _ints(m["lines"]), at))
            elif m["kind"] == "decline":
                d.append(Decline(m["entity_id"], rid, m["region"], m["reason"] or "", at))
            elif m["kind"] == "dispatch":
                x.append(Dispatch(m["entity_id"], rid, m["region"], _ints(m["lines"]), at))
            else:
                rc.append(Receipt(m["message_id"], m["entity_id"], _ints(m["lines"]["received"]),
                                  _ints(m["lines"]["discrepancy"]), at))
        out[rid] = (req, request, c, d, x, rc)
    return out


def recompute_support(batch: Batch) -> None:
    ids = sorted(batch.touched.pop("support", set()))
    if not ids:
        return
    conn, St = batch.conn, t.relief_support_state
    flows = _flows(conn, ids)
    before = {r.request_id: r.status for r in conn.execute(select(St.c.request_id, St.c.status)
                                                           .where(among(conn, St.c.request_id, ids)))}
    rows = []
    for rid, (req, request, c, d, x, rc) in flows.items():
        try:
            state = support_state(request, c, d, x, rc)
        except DomainError:
            continue
        items = {ln.line_no: ln.item for ln in request.lines}
        rows.append({"request_id": rid, "region": req["region"], "status": state.status.value,
                     "committed_regions": list(state.committed_regions),
                     "declined_regions": list(state.declined_regions),
                     "lines": [{"line_no": lp.line_no, "item": items[lp.line_no], "requested": lp.requested,
                                "committed": lp.committed, "shipped": lp.shipped, "received": lp.received,
                                "discrepancy": lp.discrepancy, "in_transit": lp.in_transit} for lp in state.lines],
                     "flags": list(state.flags), "updated_at": batch.now,
                     "envelope_status": req["envelope_status"]})
        if before.get(rid) != state.status.value and req["envelope_status"] == ACTUAL:
            batch.status_change("support_request", rid, req["region"], before.get(rid), state.status.value)
    upsert(conn, St, rows)
    _store_parts(conn, flows)
    recompute_costs(batch, {(req["envelope_status"], req["event_region"], req["event_id"])
                            for req, *_ in flows.values()})


def _part(flow: tuple) -> list | None:
    """One request's share of its event's cost ledger: ``cost_lines`` of its flow alone (the ledger of an event sums
    its requests' lines key by key and joins their request and dispatch ids), as JSON; None when the domain refuses
    the flow (then the ledger of its event and status is not written, as when all flows are taken together)."""
    _req, request, c, _d, x, rc = flow
    try:
        lines = cost_lines([Flow(request, tuple(c), tuple(x), tuple(rc))])
    except DomainError:
        return None
    return [[ln.key.event_ref, ln.key.supplier_region, ln.key.receiver_region, ln.key.item, ln.key.unit,
             ln.committed, ln.dispatched, ln.received, ln.discrepancy, list(ln.requests), list(ln.dispatches)]
            for ln in lines]


def _store_parts(conn, flows: dict[str, tuple]) -> dict[str, list | None]:  # noqa: ANN001
    """Compute and keep (``relief_cost_parts``) the shares of these requests; returns them."""
    parts = {rid: _part(flow) for rid, flow in flows.items()}
    upsert(conn, t.relief_cost_parts, [{"request_id": rid, "lines": part} for rid, part in parts.items()])
    return parts


def _summed(parts: list[list | None], valuation: Valuation) -> list[CostLine] | None:
    """The cost lines of an event group from its requests' shares (None when one share was refused)."""
    acc: dict[CostLineKey, list] = {}
    for part in parts:
        if part is None:
            return None
        for ev, supplier, receiver, item, unit, committed, dispatched, received, lost, requests, dispatches in part:
            row = acc.setdefault(CostLineKey(ev, supplier, receiver, item, unit), [0, 0, 0, 0, set(), set()])
            row[0] += committed
            row[1] += dispatched
            row[2] += received
            row[3] += lost
            row[4].update(requests)
            row[5].update(dispatches)
    return [CostLine(k, v[0], v[1], v[2], v[3], valuation.of(k.item, k.unit), tuple(sorted(v[4])),
                     tuple(sorted(v[5])), valuation.discrepancy_borne_by) for k, v in sorted(acc.items())]


def recompute_costs(batch: Batch, events: set[tuple[str, str | None, str | None]]) -> None:
    """Rebuild the cost ledger of the given (envelope status, event region, event id) from all their flows."""
    if not events:
        return
    conn, R, L, P = batch.conn, t.relief_support_requests, t.relief_cost_ledger, t.relief_cost_parts
    valuation = getattr(batch.policy, "relief_valuation", None) or Valuation()
    ordered = sorted(events, key=lambda e: (e[0], e[1] or "", e[2] or ""))
    for i in range(0, len(ordered), 200):
        chunk = ordered[i:i + 200]
        # fixed-shape statements (expanding IN lists): an OR of one term per event compiled a new statement for
        # every chunk size and None pattern, and each one stayed in the engine's compiled cache with its bound
        # values (a worker grew by hundreds of MB; docs/perf/hub-memory.md)
        named = [(s, er, eid) for s, er, eid in chunk if eid is not None]
        unnamed = sorted({s for s, _er, eid in chunk if eid is None})
        cond = or_(among_rows(conn, (R.c.envelope_status, R.c.event_region, R.c.event_id), named),
                   and_(R.c.envelope_status.in_(unnamed), R.c.event_id.is_(None)))
        status_of = {r.request_id: r.envelope_status for r in conn.execute(
            select(R.c.request_id, R.c.envelope_status).where(cond))}
        rids = sorted(status_of)
        # each request's share is kept (``relief_cost_parts``, refreshed whenever the request is recomputed): the
        # event's ledger sums them instead of re-reading and re-building every flow of the event
        parts: dict[str, list | None] = {}
        for j in range(0, len(rids), 500):
            parts.update((r.request_id, r.lines) for r in conn.execute(
                select(P.c.request_id, P.c.lines).where(among(conn, P.c.request_id, rids[j:j + 500]))))
        missing = [rid for rid in rids if rid not in parts]
        if missing:  # requests last recomputed before migration 0013
            parts.update(_store_parts(conn, _flows(conn, missing)))
        by_status: dict[str, list] = defaultdict(list)
        for rid in rids:
            by_status[status_of[rid]].append(parts[rid])
        rows = []
        for status, shares in by_status.items():
            lines = _summed(shares, valuation)
            if lines is None:
                continue
            rows += [{"envelope_status": status, "event_ref": ln.key.event_ref,
                      "supplier_region": ln.key.supplier_region, "receiver_region": ln.key.receiver_region,
                      "item": ln.key.item, "unit": ln.key.unit, "committed": ln.committed,
                      "dispatched": ln.dispatched, "received": ln.received, "in_transit": ln.in_transit,
                      "discrepancy": ln.discrepancy, "unit_fen": ln.unit_fen, "dispatched_fen": ln.dispatched_fen,
                      "received_fen": ln.received_fen, "in_transit_fen": ln.in_transit_fen,
                      "discrepancy_fen": ln.discrepancy_fen, "receiver_bears_fen": ln.receiver_bears_fen,
                      "supplier_bears_fen": ln.supplier_bears_fen, "discrepancy_borne_by": ln.discrepancy_borne_by,
                      "request_ids": list(ln.requests), "dispatch_ids": list(ln.dispatches),
                      "flags": list(ln.flags), "updated_at": batch.now} for ln in lines]
        refs = [(s, f"{er}:{eid}" if eid else "") for s, er, eid in chunk]
        conn.execute(delete(L).where(among_rows(conn, (L.c.envelope_status, L.c.event_ref), refs)))
        upsert(conn, L, rows)
