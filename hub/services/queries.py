"""Read-side queries for the API and dashboard (no writes). Every function takes an engine and returns plain
JSON-ready data (ints, strings; decimals as strings; money in fen). Persons appear only as person_ref strings.

Only ``actual`` messages make the shared picture (contracts.md "Envelope" status): exercise and test events live
in ``disaster_drill_events`` and are returned only when asked for with ``envelope_status="exercise"`` (or
``"test"``); stock positions count actual facts only; support flows and the cost ledger filter by status.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine, func, select

from hub.domain.disaster_totals import PERSON_INDICATORS
from hub.domain.relief_needs import allocate, needs, shortfalls
from hub.domain.relief_support import CostEntry
from hub.domain.relief_support import cost_ledger as cost_entries_ledger
from hub.infrastructure import tables as t
from hub.services.policy import HubPolicy

STAGE_RANK = {"initial": 1, "update": 2, "final": 3}
ACTUAL = "actual"


def _rows(engine: Engine, query) -> list[dict]:  # noqa: ANN001
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _jsonable(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        out[k] = v.isoformat() if hasattr(v, "isoformat") else v
    return out


# ------------------------------------------------------------------------------------------ disasters

def _events_table(envelope_status: str):  # noqa: ANN202
    e = t.disaster_events if envelope_status == ACTUAL else t.disaster_drill_events
    cond = None if envelope_status == ACTUAL else e.c.envelope_status == envelope_status
    return e, cond


def disaster_event(engine: Engine, region: str, event_id: str, *, envelope_status: str = ACTUAL) -> dict | None:
    """One event: reconciled state, the current report's payload, the full revision history (of one envelope
    status: a drill that reuses a real event's id is seen only with ``envelope_status="exercise"``/``"test"``)."""
    r = t.disaster_reports
    e, cond = _events_table(envelope_status)
    rows = _rows(engine, select(r).where(r.c.region == region, r.c.event_id == event_id,
                                         r.c.envelope_status == envelope_status))
    if not rows:
        return None
    q = select(e).where(e.c.region == region, e.c.event_id == event_id)
    state = next(iter(_rows(engine, q if cond is None else q.where(cond))), None)
    history = sorted(rows, key=lambda x: (x["revision"] or 0, STAGE_RANK.get(x["stage"] or "", 0),
                                          x["data_as_of"] or "", x["message_id"]))
    current = next((h for h in rows if state and h["message_id"] == state["current_message_id"]), history[-1])
    figures = (state or {}).get("figures") or {}
    return {
        "region": region, "event_id": event_id, "envelope_status": envelope_status,
        "status": state["status"] if state else None,
        "stage": state["stage"] if state else current["stage"],
        "revision": state["revision"] if state else current["revision"],
        "data_as_of": state["data_as_of"] if state else current["data_as_of"],
        "disaster_type": state["disaster_type"] if state else None,
        "current": current["payload"],
        "persons": {k: v for k, v in figures.items() if k in PERSON_INDICATORS},
        "quantities": {k: v for k, v in figures.items() if k not in PERSON_INDICATORS},
        "flags": {k: (state or {}).get(k) or [] for k in ("ignored", "decreases", "inconsistencies", "deadline_flags")},
        "history": [{"message_id": h["message_id"], "kind": h["kind"], "stage": h["stage"], "revision": h["revision"],
                     "data_as_of": h["data_as_of"]} for h in history],
    }


def disaster_events(engine: Engine, *, region: str | None = None, status: str | None = None,
                    envelope_status: str = ACTUAL) -> list[dict]:
    """Event rows; actual events unless ``envelope_status`` asks for the exercise or test ones."""
    e, cond = _events_table(envelope_status)
    q = select(e).order_by(e.c.region, e.c.event_id)
    if cond is not None:
        q = q.where(cond)
    if region:
        q = q.where(e.c.region == region)
    if status:
        q = q.where(e.c.status == status)
    return [_jsonable(r) for r in _rows(engine, q)]


def _add(acc: dict, figures: dict) -> None:
    for k, v in figures.items():
        group = "person_times" if k in PERSON_INDICATORS else "quantities"
        if isinstance(v, str):
            acc[group][k] = str(Decimal(acc[group].get(k, "0")) + Decimal(v))
        else:
            acc[group][k] = acc[group].get(k, 0) + v


def disaster_totals(engine: Engine, *, envelope_status: str = ACTUAL) -> dict:
    """Live (not cancelled) events summed per region, per county and overall: people in person-times (人次).
    Actual events only, unless a drill's totals are asked for explicitly."""
    e, cond = _events_table(envelope_status)
    q = select(e.c.region, e.c.figures, e.c.county_figures).where(e.c.status != "cancelled")
    rows = _rows(engine, q if cond is None else q.where(cond))

    def empty() -> dict:
        return {"event_count": 0, "person_times": {}, "quantities": {}}

    regions: dict[str, dict] = {}
    counties: dict[str, dict] = {}
    overall = empty()
    for row in rows:
        for acc in (regions.setdefault(row["region"], empty()), overall):
            acc["event_count"] += 1
            _add(acc, row["figures"])
        for county, figures in (row["county_figures"] or {}).items():
            acc = counties.setdefault(county, empty())
            acc["event_count"] += 1
            _add(acc, figures)
    return {"regions": dict(sorted(regions.items())), "counties": dict(sorted(counties.items())), "overall": overall}


def disaster_links(engine: Engine) -> list[dict]:
    return _rows(engine, select(t.disaster_links).order_by(*t.disaster_links.primary_key.columns))


# ------------------------------------------------------------------------------------------ relief

def stock_positions(engine: Engine, *, region: str | None = None) -> list[dict]:
    p = t.relief_stock_positions
    q = select(p).order_by(p.c.depot_id, p.c.item, p.c.spec, p.c.batch)
    if region:
        q = q.where(p.c.region == region)
    return [_jsonable(r) for r in _rows(engine, q)]


def stock_totals(engine: Engine) -> dict:
    """Available quantities by (region, item), (tier, item) and item."""
    by_region: dict[str, dict[str, int]] = {}
    by_tier: dict[str, dict[str, int]] = {}
    by_item: dict[str, int] = {}
    for r in _rows(engine, select(t.relief_stock_positions)):
        by_region.setdefault(r["region"], {})[r["item"]] = by_region.get(r["region"], {}).get(r["item"], 0) + \
            int(r["available"])
        by_tier.setdefault(r["tier"], {})[r["item"]] = by_tier.get(r["tier"], {}).get(r["item"], 0) + \
            int(r["available"])
        by_item[r["item"]] = by_item.get(r["item"], 0) + int(r["available"])
    return {"by_region": by_region, "by_tier": by_tier, "by_item": by_item}


def stock_discrepancies(engine: Engine) -> list[dict]:
    return _rows(engine, select(t.relief_discrepancies))


def relief_needs(engine: Engine, policy: HubPolicy | None = None, *, item_map: dict[str, str] | None = None) -> dict:
    """Needs of open events (planning ratios) against available stock → shortfalls and a suggested allocation.

    ``item_map`` maps a ratio item (``tent_12m2``, ``quilt``, ``folding_bed``) to the catalogue item counted as
    stock for it (default: ``tent_12m2`` → ``tent_single``).
    """
    policy = policy or HubPolicy()
    item_map = item_map or {"tent_12m2": "tent_single", "quilt": "quilt", "folding_bed": "folding_bed"}
    e = t.disaster_events
    need: dict[str, dict[str, int]] = {}
    for row in _rows(engine, select(e.c.region, e.c.figures).where(e.c.status == "open")):
        for item, qty in needs(row["figures"], policy.ratios).items():
            stock_item = item_map.get(item, item)
            need.setdefault(row["region"], {})[stock_item] = need.get(row["region"], {}).get(stock_item, 0) + qty
    available = {(region, item): qty for region, items in stock_totals(engine)["by_region"].items()
                 for item, qty in items.items()}
    allocations, remaining = allocate(need, available, policy.region_distances)
    return {"needs": need,
            "shortfalls": [{"region": s.region, "item": s.item, "need": s.need, "available": s.available,
                            "missing": s.missing} for s in shortfalls(need, available)],
            "allocations": [{"to_region": a.to_region, "item": a.item, "from_region": a.from_region,
                             "quantity": a.quantity} for a in allocations],
            "unmet": [{"region": s.region, "item": s.item, "missing": s.need} for s in remaining]}


def support_requests(engine: Engine, *, envelope_status: str = ACTUAL) -> list[dict]:
    s = t.relief_support_state
    return [_jsonable(r) for r in _rows(engine, select(s).where(s.c.envelope_status == envelope_status)
                                        .order_by(s.c.request_id))]


def relief_cost_ledger(engine: Engine) -> dict:
    """Officer-entered costs: event → "payer>payee" → fen."""
    entries = [CostEntry(r["entry_id"], r["event_ref"], r["payer_region"], r["payee_region"], int(r["amount_fen"]),
                         r["description"]) for r in _rows(engine, select(t.relief_cost_entries))]
    return {event: {f"{a}>{b}": fen for (a, b), fen in pairs.items()}
            for event, pairs in cost_entries_ledger(entries).items()}


LEDGER_FIELDS = ("supplier_region", "receiver_region", "item", "unit", "committed", "dispatched", "received",
                 "in_transit", "discrepancy", "unit_fen", "dispatched_fen", "received_fen", "in_transit_fen",
                 "discrepancy_fen", "receiver_bears_fen", "supplier_bears_fen", "discrepancy_borne_by", "request_ids",
                 "dispatch_ids", "flags")


def cost_ledger_events(engine: Engine, *, envelope_status: str = ACTUAL, page: int = 1,
                       per_page: int = 20) -> tuple[list[str], int]:
    """One page of the events that have a cost ledger (goods lines, or officer-entered costs for the actual one),
    in event order, and how many there are."""
    L, C = t.relief_cost_ledger, t.relief_cost_entries
    refs = select(L.c.event_ref).where(L.c.envelope_status == envelope_status)
    if envelope_status == ACTUAL:
        refs = refs.union(select(C.c.event_ref))
    else:
        refs = refs.distinct()
    sub = refs.subquery()
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(sub)).scalar_one()
        page_refs = [r[0] for r in conn.execute(select(sub.c.event_ref).order_by(sub.c.event_ref)
                                                .limit(per_page).offset((page - 1) * per_page))]
    return page_refs, total


def cost_ledger(engine: Engine, *, event: str | None = None, envelope_status: str = ACTUAL,
                events: list[str] | None = None) -> dict:
    """Who bears what per disaster event (``event`` = ``"<region>:<event_id>"``, or every event): the goods lines of
    the cross-region support flows per (supplier, receiver, item, unit) with quantities and fen, and per
    (payer = receiver, payee = supplier) pair the fen the receiver bears for goods, what the supplier writes off,
    what is still in transit (pending), officer-entered other costs (``relief_cost_entries``) and the total owed.
    Values are ``None`` where the item has no agreed unit value (counted as 0 in the pair totals, and counted).
    ``events``: only these events (a page of ``cost_ledger_events``)."""
    L, C = t.relief_cost_ledger, t.relief_cost_entries
    q = select(L).where(L.c.envelope_status == envelope_status)
    if event is not None:
        q = q.where(L.c.event_ref == event)
    if events is not None:
        q = q.where(L.c.event_ref.in_(events))
    lines = _rows(engine, q.order_by(L.c.event_ref, L.c.supplier_region, L.c.receiver_region, L.c.item, L.c.unit))
    other: dict[tuple[str, str, str], int] = {}
    if envelope_status == ACTUAL:  # officer entries are real money: they belong to the actual ledger only
        cq = select(C) if event is None else select(C).where(C.c.event_ref == event)
        if events is not None:
            cq = cq.where(C.c.event_ref.in_(events))
        for r in _rows(engine, cq):
            k = (r["event_ref"], r["payer_region"], r["payee_region"])
            other[k] = other.get(k, 0) + int(r["amount_fen"])
    events: dict[str, dict] = {}
    pairs: dict[tuple[str, str, str], dict] = {}
    for r in lines:
        ev = events.setdefault(r["event_ref"], {"event_ref": r["event_ref"], "lines": [], "pairs": []})
        ev["lines"].append({k: (int(r[k]) if isinstance(r[k], int) else r[k]) for k in LEDGER_FIELDS})
        p = pairs.setdefault((r["event_ref"], r["receiver_region"], r["supplier_region"]), {
            "payer_region": r["receiver_region"], "payee_region": r["supplier_region"], "goods_fen": 0,
            "supplier_bears_fen": 0, "in_transit_fen": 0, "unvalued_lines": 0})
        p["goods_fen"] += int(r["receiver_bears_fen"] or 0)
        p["supplier_bears_fen"] += int(r["supplier_bears_fen"] or 0)
        p["in_transit_fen"] += int(r["in_transit_fen"] or 0)
        p["unvalued_lines"] += r["unit_fen"] is None
    for ref, payer, payee in other:
        events.setdefault(ref, {"event_ref": ref, "lines": [], "pairs": []})
        pairs.setdefault((ref, payer, payee), {"payer_region": payer, "payee_region": payee, "goods_fen": 0,
                                               "supplier_bears_fen": 0, "in_transit_fen": 0, "unvalued_lines": 0})
    for (ref, payer, payee), p in sorted(pairs.items()):
        p["other_costs_fen"] = other.get((ref, payer, payee), 0)
        p["total_fen"] = p["goods_fen"] + p["other_costs_fen"]
        events[ref]["pairs"].append(p)
    return {"envelope_status": envelope_status, "events": [events[k] for k in sorted(events)]}


# ------------------------------------------------------------------------------------------ verification, referrals

def verification_requests(engine: Engine, *, status: str | None = None) -> list[dict]:
    s = t.verification_state
    q = select(s).order_by(s.c.request_id)
    if status:
        q = q.where(s.c.status == status)
    return [_jsonable(r) for r in _rows(engine, q)]


def referrals(engine: Engine) -> list[dict]:
    return [_jsonable(r) for r in _rows(engine, select(t.referrals).order_by(t.referrals.c.referral_id))]


# ------------------------------------------------------------------------------------------ eldercare, settlement

def adjudications(engine: Engine, *, period: str | None = None) -> list[dict]:
    a = t.eldercare_adjudications
    q = select(a).order_by(a.c.claim_id, a.c.line_id)
    if period:
        q = q.where(a.c.period == period)
    return [_jsonable(r) for r in _rows(engine, q)]


def statements(engine: Engine, *, period: str | None = None) -> list[dict]:
    s, acc = t.settlement_statements, t.settlement_accounts
    q = select(s, acc.c.status, acc.c.payable_fen, acc.c.paid_fen, acc.c.withheld_fen, acc.c.flags) \
        .join(acc, acc.c.statement_id == s.c.statement_id, isouter=True).order_by(s.c.statement_id)
    if period:
        q = q.where(s.c.period == period)
    return [_jsonable(r) for r in _rows(engine, q)]


def statement(engine: Engine, statement_id: str) -> dict | None:
    found = [r for r in statements(engine) if r["statement_id"] == statement_id]
    if not found:
        return None
    lines = _rows(engine, select(t.settlement_lines).where(t.settlement_lines.c.statement_id == statement_id)
                  .order_by(t.settlement_lines.c.line_id))
    return found[0] | {"lines": lines}


def netting(engine: Engine, period: str) -> dict:
    n, p = t.settlement_netting, t.settlement_positions
    return {"period": period,
            "obligations": _rows(engine, select(n.c.debtor, n.c.creditor, n.c.amount_fen).where(n.c.period == period)
                                 .order_by(n.c.debtor, n.c.creditor)),
            "positions": _rows(engine, select(p.c.region, p.c.gross_payable_fen, p.c.gross_receivable_fen,
                                              p.c.position_fen).where(p.c.period == period).order_by(p.c.region))}


def heartbeats(engine: Engine) -> list[dict]:
    return [_jsonable(r) for r in _rows(engine, select(t.region_heartbeats).order_by(
        t.region_heartbeats.c.region, t.region_heartbeats.c.adapter_id))]


def totals_fingerprint(engine: Engine) -> dict:
    """Everything derived, in one comparable structure (the kill -9 test compares two databases with it)."""
    pos = _rows(engine, select(t.relief_stock_positions.c.depot_id, t.relief_stock_positions.c.item,
                               t.relief_stock_positions.c.spec, t.relief_stock_positions.c.batch,
                               t.relief_stock_positions.c.on_hand, t.relief_stock_positions.c.available,
                               t.relief_stock_positions.c.discrepancy_count))
    adj = _rows(engine, select(t.eldercare_adjudications.c.claim_id, t.eldercare_adjudications.c.line_id,
                               t.eldercare_adjudications.c.accepted,
                               t.eldercare_adjudications.c.payable_fen, t.eldercare_adjudications.c.reasons))
    ev = _rows(engine, select(t.disaster_events.c.region, t.disaster_events.c.event_id, t.disaster_events.c.status,
                              t.disaster_events.c.revision, t.disaster_events.c.figures))
    with engine.connect() as conn:
        processed = conn.execute(select(t.processed.c.code)).scalars().all()
    codes: dict[int, int] = {}
    for c in processed:
        codes[c] = codes.get(c, 0) + 1
    return {"disaster_totals": disaster_totals(engine),
            "events": sorted((r["region"], r["event_id"], r["status"], r["revision"]) for r in ev),
            "stock": sorted(tuple(r.values()) for r in pos),
            "claims": sorted((f"{r['claim_id']}/{r['line_id']}", r["accepted"], int(r["payable_fen"]), tuple(r["reasons"])) for r in adj),
            "payable_fen": sum(int(r["payable_fen"]) for r in adj),
            "codes": dict(sorted(codes.items()))}
