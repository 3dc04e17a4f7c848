"""Read-only aggregates for the dashboard and API: the situation overview, the county map, one event with its
timeline, relief needs versus stock, exchange health per region, one statement with its lines."""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from datetime import UTC, datetime
from fractions import Fraction

from sqlalchemy import Engine, func, select

from hub.domain.relief_needs import Ratios, needs
from hub.entrypoints.web.readmodel import PEOPLE, _figure, iso, plain, statement_status
from hub.infrastructure import tables as t
from jjj.config import REGIONS

STAGE_RANK = {"initial": 1, "update": 2, "final": 3}
#: Planning ratios per relocated person with the catalogue's item codes (a 12 m² tent for 4.5 people).
NEED_RATIOS = Ratios(per_person={"tent_single": Fraction(2, 9), "quilt": Fraction(1), "folding_bed": Fraction(1)})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _live_events(conn) -> list:  # noqa: ANN001
    e = t.disaster_events
    return conn.execute(select(e.c.region, e.c.event_id, e.c.status, e.c.figures, e.c.county_figures,
                               e.c.updated_at).where(e.c.status != "cancelled")).all()


_memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> {name: (fingerprint, result)}
_memo_lock = threading.Lock()


def _fingerprint(conn) -> tuple:  # noqa: ANN001
    """Changes whenever an event or stock position is written (count and newest update of each table)."""
    e, s = t.disaster_events, t.relief_stock_positions
    return (tuple(conn.execute(select(func.count(), func.max(e.c.updated_at))).one()),
            tuple(conn.execute(select(func.count(), func.max(s.c.updated_at))).one()))


def _memoised(engine: Engine, name: str, build) -> dict:  # noqa: ANN001
    """The aggregate over all events is recomputed only when the underlying rows changed (never stale)."""
    with engine.connect() as conn:
        fp = _fingerprint(conn)
        with _memo_lock:
            hit = _memo.get(engine, {}).get(name)
        if hit and hit[0] == fp:
            return {**hit[1], "generated_at": now_iso()}
        result = build(conn)
    with _memo_lock:
        _memo.setdefault(engine, {})[name] = (fp, result)
    return result


def overview(engine: Engine) -> dict:
    """Per region and in total: events (open/closed), people figures (person-times across events), needs vs stock."""
    return _memoised(engine, "overview", _overview)


def _overview(conn) -> dict:  # noqa: ANN001
    events = _live_events(conn)
    stock = conn.execute(select(t.relief_stock_positions.c.region, t.relief_stock_positions.c.item,
                                func.sum(t.relief_stock_positions.c.available))
                         .group_by(t.relief_stock_positions.c.region, t.relief_stock_positions.c.item)).all()
    regions = {r: {"region": r, "events": 0, "open_events": 0, **dict.fromkeys(PEOPLE, 0), "needs": {}, "stock": {}}
               for r in REGIONS}
    latest = None
    for ev in events:
        row = regions[ev.region]
        row["events"] += 1
        row["open_events"] += ev.status == "open"
        for k in PEOPLE:
            row[k] += _figure(ev.figures, k)
        if ev.status == "open":
            for item, n in needs(ev.figures or {}, NEED_RATIOS).items():
                row["needs"][item] = row["needs"].get(item, 0) + n
        latest = max(latest, ev.updated_at) if latest else ev.updated_at
    for region, item, available in stock:
        if region in regions:
            regions[region]["stock"][item] = int(available or 0)
    total = {"region": "total", "events": 0, "open_events": 0, **dict.fromkeys(PEOPLE, 0), "needs": {}, "stock": {}}
    for row in regions.values():
        for k in ("events", "open_events", *PEOPLE):
            total[k] += row[k]
        for part in ("needs", "stock"):
            for item, n in row[part].items():
                total[part][item] = total[part].get(item, 0) + n
    return {"regions": list(regions.values()), "total": total, "data_as_of": iso(latest), "generated_at": now_iso()}


def county_map(engine: Engine) -> dict:
    """Affected population per county (open and closed events, cancelled excluded): the map's shading."""
    return _memoised(engine, "map", _county_map)


def _county_map(conn) -> dict:  # noqa: ANN001
    events = _live_events(conn)
    by_county: dict[str, int] = defaultdict(int)
    latest = None
    for ev in events:
        for county, figures in (ev.county_figures or {}).items():
            by_county[county] += _figure(figures, "affected_population")
        latest = max(latest, ev.updated_at) if latest else ev.updated_at
    return {"counties": [{"code": c, "affected_population": n} for c, n in sorted(by_county.items())],
            "data_as_of": iso(latest), "generated_at": now_iso()}


def disaster_event(engine: Engine, region: str, event_id: str, envelope_status: str = "actual") -> dict | None:
    """One event: reconciled state, per-county breakdown and the report timeline (every revision as received).
    Only ``actual`` reports and state unless ``envelope_status`` asks for a drill's (exercise/test): a drill that
    reuses a real event's id never shows in the real event's timeline."""
    r = t.disaster_reports
    e = t.disaster_events if envelope_status == "actual" else t.disaster_drill_events
    sq = select(e).where(e.c.region == region, e.c.event_id == event_id)
    if envelope_status != "actual":
        sq = sq.where(e.c.envelope_status == envelope_status)
    with engine.connect() as conn:
        state = conn.execute(sq).first()
        reports = conn.execute(select(r.c.message_id, r.c.kind, r.c.stage, r.c.revision, r.c.data_as_of, r.c.sent_at,
                                      r.c.received_at, r.c.payload)
                               .where(r.c.region == region, r.c.event_id == event_id,
                                      r.c.envelope_status == envelope_status)).all()
        links = conn.execute(select(t.disaster_links).where(
            ((t.disaster_links.c.a_region == region) & (t.disaster_links.c.a_event_id == event_id))
            | ((t.disaster_links.c.b_region == region) & (t.disaster_links.c.b_event_id == event_id)))).all()
    if state is None and not reports:
        return None
    history = sorted(reports, key=lambda x: (STAGE_RANK.get(x.stage or "", 0), x.revision or 0, x.data_as_of or ""))
    current = next((h for h in history if state is not None and h.message_id == state.current_message_id),
                   history[-1] if history else None)
    s = state._mapping if state is not None else {}
    return {
        "region": region, "event_id": event_id,
        "status": s.get("status", "open"),
        "stage": s.get("stage") or (current.stage if current else None),
        "revision": s.get("revision") or (current.revision if current else None),
        "data_as_of": s.get("data_as_of") or (current.data_as_of if current else None),
        "disaster_type": s.get("disaster_type"),
        "started_on": iso(s.get("started_on")),
        "figures": dict(s.get("figures") or {}),
        "counties": [{"code": c, **{k: _figure(f, k) for k in PEOPLE}}
                     for c, f in sorted((s.get("county_figures") or {}).items())],
        "flags": {k: list(s.get(k) or []) for k in ("inconsistencies", "decreases", "deadline_flags", "ignored")},
        "links": [plain(x._mapping) for x in links],
        "current": current.payload if current else None,
        "history": [{"message_id": h.message_id, "kind": h.kind, "stage": h.stage, "revision": h.revision,
                     "data_as_of": h.data_as_of, "sent_at": h.sent_at, "received_at": iso(h.received_at)}
                    for h in history],
        "generated_at": now_iso(),
    }


def shortfalls(engine: Engine) -> list[dict]:
    """Per region and item: what open events need versus the stock available there (only where need > stock)."""
    ov = overview(engine)
    out = []
    for row in ov["regions"]:
        for item, need in sorted(row["needs"].items()):
            available = row["stock"].get(item, 0)
            if need > available:
                out.append({"region": row["region"], "item": item, "need": need, "available": available,
                            "shortfall": need - available})
    return out


def region_health(engine: Engine, region: str | None = None) -> list[dict]:
    """Per region: last heartbeat and outbox depth reported, last message received, rejections by code."""
    hb, pc = t.region_heartbeats, t.processed_counts  # counts kept by the intake: a few rows, not every record
    with engine.connect() as conn:
        beats = conn.execute(select(hb)).all()
        counts = [(r.region, r.code, int(r.count)) for r in conn.execute(select(pc))]
        last = dict(conn.execute(select(pc.c.region, func.max(pc.c.last_at)).group_by(pc.c.region)).all())
        dead = dict(conn.execute(select(t.dead_letters.c.region, func.count())
                                 .where(t.dead_letters.c.replayed_at.is_(None)).group_by(t.dead_letters.c.region)).all())
    out = []
    for r in REGIONS if region is None else (region,):
        mine = [b for b in beats if b.region == r]
        codes = {str(code): n for reg, code, n in counts if reg == r and code != 100}
        out.append({
            "region": r,
            "adapters": [{"adapter_id": b.adapter_id, "last_seen_at": iso(b.last_seen_at), "outbox_depth": b.outbox_depth,
                          "oldest_pending_at": b.oldest_pending_at, "software_version": b.software_version,
                          "stale_since": iso(b.stale_since)} for b in mine],
            "last_heartbeat_at": iso(max((b.last_seen_at for b in mine), default=None)),
            "outbox_depth": sum(b.outbox_depth for b in mine),
            "stale": any(b.stale_since is not None for b in mine),
            "last_message_at": iso(last.get(r)),
            "accepted": sum(n for reg, code, n in counts if reg == r and code == 100),
            "rejections": codes,
            "rejected": sum(codes.values()),
            "dead_letters": int(dead.get(r, 0)),
        })
    return out


def statement(engine: Engine, statement_id: str) -> dict | None:
    """One statement, its account status, its lines and what happened to it (confirmations, disputes, payments)."""
    st, ac, ln, ev = t.settlement_statements, t.settlement_accounts, t.settlement_lines, t.settlement_events
    with engine.connect() as conn:
        head = conn.execute(select(st, statement_status().label("status"), ac.c.paid_fen, ac.c.withheld_fen)
                            .select_from(st.outerjoin(ac, ac.c.statement_id == st.c.statement_id))
                            .where(st.c.statement_id == statement_id)).first()
        if head is None:
            return None
        lines = conn.execute(select(ln.c.line_id, ln.c.elder_ref, ln.c.amount_fen, ln.c.adjusts)
                             .where(ln.c.statement_id == statement_id).order_by(ln.c.line_id)).all()
        events = conn.execute(select(ev).where(ev.c.statement_id == statement_id).order_by(ev.c.at)).all()
    out = plain(head._mapping)
    out["paid_fen"], out["withheld_fen"] = int(head.paid_fen or 0), int(head.withheld_fen or 0)
    # elder_ref is already a keyed pseudonym; show only its tail so pages carry no linkable identifier
    out["lines"] = [{"line_id": x.line_id, "elder": "…" + x.elder_ref[-8:], "amount_fen": x.amount_fen,
                     "adjusts": x.adjusts} for x in lines]
    out["events"] = [plain(e._mapping) for e in events]
    out["generated_at"] = now_iso()
    return out
