"""Disaster family: store each revision as a fact, then rebuild each touched event with the pure rules.

After a batch, every touched event is rebuilt from *all* its stored revisions (``build_event``), checked
(falling cumulative figures, internal consistency, deadlines) and its ``disaster_events`` row replaced; links to
other regions' events are recomputed for the touched events. The row is a function of the set of revisions.

Exercise and test messages (envelope ``status`` ≠ ``actual``, contracts.md "Envelope") are processed and receipted
like any other, and their revisions are stored with their status, but they never enter the shared picture: an
event is rebuilt from the revisions of one status only, actual events go to ``disaster_events`` (linked, announced
on the status topic), drills to ``disaster_drill_events`` (never linked, never announced). A drill that reuses a
real event's id therefore leaves the real event untouched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import delete, or_, select

from hub.domain.disaster_checks import consistency_flags, cumulative_decreases, deadline_flags
from hub.domain.disaster_links import link_events
from hub.domain.disasters import DisasterEvent, EventKey, Status, build_event, fold_event
from hub.domain.errors import DomainError
from hub.infrastructure import tables as t
from hub.infrastructure.sql import upsert
from hub.services.context import Batch
from hub.services.disaster_mapping import event_defaults, explicit_ref, figures_json, to_report
from hub.services.policy import HubPolicy

ACTUAL = "actual"


def on_disaster(batch: Batch, msg: dict) -> None:
    p = msg["payload"]
    region = msg["sender"]["region"]
    status = msg.get("status") or ACTUAL
    batch.add(t.disaster_reports, {
        "message_id": msg["message_id"], "region": region, "event_id": p["event_id"], "kind": msg["kind"],
        "stage": p.get("stage") or ("final" if msg["kind"] == "disaster.correction" else None),
        "revision": p.get("revision"), "data_as_of": p.get("data_as_of"), "sent_at": msg["sent_at"],
        "received_at": batch.now, "payload": p, "envelope_status": status})
    if status == ACTUAL:
        batch.touch("disaster", (region, p["event_id"]))
    else:
        batch.touch("disaster_drill", (status, region, p["event_id"]))


def load_events(conn, keys: set[tuple[str, str]],  # noqa: ANN001
                cache: dict | None = None, status: str = ACTUAL,
                ) -> dict[tuple[str, str], tuple[DisasterEvent, list[dict]]]:
    """Rebuild the given events from their stored revisions of envelope ``status`` (actual by default).

    With a ``cache`` (the worker's memo): stored revisions are immutable facts keyed by ``message_id``, so only the
    ids of each event are read and only rows not seen before are fetched and mapped; the event is then folded
    (``fold_event``) from its memoised state when every memoised revision is still stored and the event's
    defaults (type, start date borrowed by corrections/cancels) did not change, else rebuilt from the mapped
    revisions. The result equals the full rebuild (``fold_event`` is property-tested against ``build_event``).
    """
    return _build(conn, _revision_ids(conn, keys, status), cache, status)


def iter_events(conn, keys: set[tuple[str, str]], cache: dict | None = None,  # noqa: ANN001
                status: str = ACTUAL) -> Iterator[tuple[tuple[str, str], tuple[DisasterEvent, list[dict]]]]:
    """``load_events`` a few events at a time: each step holds the rows and reports of at most ``LOAD_ROWS_MAX``
    revisions (an event with more is loaded alone), so a batch touching events with long histories does not hold
    all of them at once (a worker's peak memory grew with the revisions per event). One malformed event does not
    block the others: a step that fails is redone event by event, and the failing event is skipped."""
    ids_by = _revision_ids(conn, keys, status)
    step: dict[tuple[str, str], list[str]] = {}
    size = 0
    for key in sorted(ids_by):
        if step and size + len(ids_by[key]) > LOAD_ROWS_MAX:
            yield from _safe_build(conn, step, cache, status)
            step, size = {}, 0
        step[key] = ids_by[key]
        size += len(ids_by[key])
    if step:
        yield from _safe_build(conn, step, cache, status)


def _safe_build(conn, ids_by, cache, status):  # noqa: ANN001, ANN202
    try:
        yield from _build(conn, ids_by, cache, status).items()
    except DomainError:
        for key, ids in ids_by.items():
            try:
                yield from _build(conn, {key: ids}, cache, status).items()
            except DomainError:
                continue


def _revision_ids(conn, keys, status: str) -> dict[tuple[str, str], list[str]]:  # noqa: ANN001
    r = t.disaster_reports
    ids_by: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key_chunk in _chunks(sorted(keys), 500):
        q = select(r.c.message_id, r.c.region, r.c.event_id).where(_keys_in(r.c.region, r.c.event_id, key_chunk),
                                                                    r.c.envelope_status == status)
        for mid, region, event_id in conn.execute(q):
            ids_by[(region, event_id)].append(mid)
    return ids_by


def _build(conn, ids_by: dict[tuple[str, str], list[str]], cache: dict | None,  # noqa: ANN001
           status: str) -> dict[tuple[str, str], tuple[DisasterEvent, list[dict]]]:
    if cache is None or status != ACTUAL:
        cache = {}  # drills are rare: rebuilt in full, never memoised beside the real events
    rows_memo: dict[str, dict] = cache.setdefault("disaster_rows", {})
    events_memo: dict[tuple[str, str], tuple] = cache.setdefault("disaster_events", {})
    r = t.disaster_reports
    missing = sorted({m for ids in ids_by.values() for m in ids} - rows_memo.keys())
    fetched: dict[str, dict] = {}
    for chunk in _chunks(missing, 500):
        for row in conn.execute(select(r).where(r.c.message_id.in_(chunk))).mappings():
            fetched[row["message_id"]] = dict(row)
    out = {}
    for key, ids in ids_by.items():
        rows = [rows_memo.get(m) or fetched[m] for m in ids]
        defaults = event_defaults(rows)
        dkey = tuple(sorted(defaults.items()))
        memo = events_memo.pop(key, None)  # re-inserted below: the memo keeps the most recently used events
        stored = set(ids)
        if memo is not None and memo[0] == dkey and {h.message_id for h in memo[1].history} <= stored:
            seen = {h.message_id for h in memo[1].history}
            event = fold_event(memo[1], [to_report(row, defaults) for row in rows if row["message_id"] not in seen])
        else:
            event = build_event(to_report(row, defaults) for row in rows)
        events_memo[key] = (dkey, event)
        out[key] = (event, rows)
    rows_memo.update(fetched)
    # bound the memo of a long-running worker (its RSS stays flat): rows by count, events by the reports they hold
    _evict_oldest(rows_memo, ROWS_MEMO_MAX)
    _evict_oldest(events_memo, EVENTS_MEMO_MAX)
    _evict_reports(events_memo, EVENT_REPORTS_MAX)
    return out


#: A memoised revision row costs ~12 KB (its parsed payload), a memoised event ~7.5 KB per report of its history.
#: Bounded by rows, events and reports held: an event's history grows with every revision (the bench's 1,000,000
#: messages give 1,500 events ~150 revisions each), so a bound on events alone let the memo grow by ~1.5 KB per
#: message (docs/perf/hub-memory.md). Together ≤ ~25 MB + 40 MB.
ROWS_MEMO_MAX = 2_000
EVENTS_MEMO_MAX = 2_000
EVENT_REPORTS_MAX = 5_000
#: ``iter_events`` holds the rows and reports of at most this many revisions at a time
LOAD_ROWS_MAX = 1_000


def _evict_oldest(memo: dict, limit: int) -> None:
    """Drop the older half once over ``limit`` (dicts keep insertion order; a miss only re-reads from the table)."""
    if len(memo) > limit:
        for key in list(memo)[: len(memo) - limit // 2]:
            del memo[key]


def _evict_reports(memo: dict, limit: int) -> None:
    """Drop the least recently used events until they hold at most half of ``limit`` reports, once over it."""
    total = sum(len(event.history) for _dkey, event in memo.values())
    if total <= limit:
        return
    for key in list(memo):
        if total <= limit // 2:
            break
        total -= len(memo.pop(key)[1].history)


def _chunks(items: list, size: int):  # noqa: ANN202
    for i in range(0, len(items), size):
        yield items[i:i + size]


def event_row(event: DisasterEvent, rows: list[dict], now: datetime, policy: HubPolicy) -> dict:
    cur = event.current
    current_payload = next((r["payload"] for r in rows if cur and r["message_id"] == cur.message_id), {})
    first = min(r["received_at"] for r in rows)
    return {
        "region": event.key.region, "event_id": event.key.event_id, "status": event.status.value,
        "stage": cur.stage.value if cur else None, "revision": cur.revision if cur else None,
        "current_message_id": cur.message_id if cur else None,
        "final_message_id": event.final.message_id if event.final else None,
        "data_as_of": cur.data_as_of.isoformat() if cur else None,
        "disaster_type": cur.disaster_type if cur else None, "started_on": cur.started_on if cur else None,
        "ended_on": cur.ended_on if cur else None,
        "reporting_unit_code": current_payload.get("reporting_unit_code"),
        "shared_event_ref": explicit_ref(current_payload),
        "counties": sorted(cur.counties) if cur else [],
        "figures": figures_json(event.figures),
        "county_figures": {c: figures_json(f) for c, f in cur.county_figures.items()} if cur else {},
        "report_count": len(event.history),
        "ignored": [{"message_id": i.message_id, "reason": i.reason} for i in event.ignored],
        "decreases": [{"indicator": d.indicator, "from": d.from_message_id, "to": d.to_message_id,
                       "before": str(d.before), "after": str(d.after)} for d in cumulative_decreases(event)],
        "inconsistencies": [{"message_id": f.message_id, "rule": f.rule, "indicators": list(f.indicators)}
                            for r in event.accepted for f in consistency_flags(r)],
        "deadline_flags": [{"rule": f.rule, "due": f.due.isoformat(), "day": f.day.isoformat() if f.day else None}
                           for f in deadline_flags(event, now, policy.deadlines, policy.calendar)],
        "first_received_at": first if first.tzinfo else first.replace(tzinfo=now.tzinfo),
        "updated_at": now,
    }


def recompute(batch: Batch) -> None:
    keys = batch.touched.pop("disaster", set())
    if keys:
        recompute_events(batch, keys)
    drills = batch.touched.pop("disaster_drill", set())
    if drills:
        recompute_drills(batch, drills)


def recompute_drills(batch: Batch, keys: set[tuple[str, str, str]]) -> None:
    """Exercise/test events: rebuilt from their own status's revisions into ``disaster_drill_events`` only."""
    by_status: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for status, region, event_id in keys:
        by_status[status].add((region, event_id))
    rows = []
    for status, event_keys in sorted(by_status.items()):
        for _key, (event, raw) in iter_events(batch.conn, event_keys, None, status):
            rows.append(event_row(event, raw, batch.now, batch.policy) | {"envelope_status": status})
    upsert(batch.conn, t.disaster_drill_events, rows)


def recompute_events(batch: Batch, keys: set[tuple[str, str]]) -> None:
    conn = batch.conn
    E = t.disaster_events
    before = {(r.region, r.event_id): r.status for r in conn.execute(
        select(E.c.region, E.c.event_id, E.c.status).where(_keys_in(E.c.region, E.c.event_id, keys)))}
    events = {}
    rows = []
    for key, (event, raw) in iter_events(conn, keys, batch.cache):
        events[key] = _linkable(event)  # what _relink reads: not the history (held one step at a time)
        row = event_row(event, raw, batch.now, batch.policy)
        rows.append(row)
        if before.get(key) != row["status"]:
            batch.status_change("disaster_event", key[1], key[0], before.get(key), row["status"],
                                cause=row["current_message_id"])
    upsert(conn, t.disaster_events, rows)
    _relink(batch, events)


def _keys_in(region_col, id_col, keys):  # noqa: ANN001, ANN202
    """``(region, id) IN keys`` as one condition per region (portable, one statement for the whole batch)."""
    by_region: dict[str, list[str]] = defaultdict(list)
    for region, event_id in keys:
        by_region[region].append(event_id)
    return or_(*[(region_col == r) & id_col.in_(sorted(ids)) for r, ids in sorted(by_region.items())])


def _standin(row) -> SimpleNamespace:  # noqa: ANN001
    """What ``link_events`` reads of an event (key, status, current report), from its stored row: rivals are
    never rebuilt from their revisions."""
    current = SimpleNamespace(shared_event_ref=row.shared_event_ref, disaster_type=row.disaster_type,
                              started_on=row.started_on, ended_on=row.ended_on, counties=frozenset(row.counties))
    return SimpleNamespace(key=EventKey(row.region, row.event_id), status=Status(row.status),
                           current=current if row.current_message_id else None)


def _linkable(event: DisasterEvent) -> SimpleNamespace:
    """What ``link_events`` reads of a touched event (key, status, current report), without its history."""
    return SimpleNamespace(key=event.key, status=event.status, current=event.current)


def _relink(batch: Batch, touched: dict[tuple[str, str], SimpleNamespace]) -> None:
    """Links of the touched events: same type (or explicit/typhoon reference) events of the other regions."""
    if not touched:
        return
    conn, L, E = batch.conn, t.disaster_links, t.disaster_events
    conn.execute(delete(L).where(or_(_keys_in(L.c.a_region, L.c.a_event_id, touched),
                                     _keys_in(L.c.b_region, L.c.b_event_id, touched))))
    types = {e.current.disaster_type for e in touched.values() if e.current}
    adjacency = batch.policy.adjacent_counties

    def near(counties: frozenset[str]) -> set[str]:
        return set(counties) | {c for pair in adjacency for c in pair if set(pair) & counties}

    # rivals are only in other regions: a batch of one region's reports (the usual case) reads none of its own
    own = {k[0] for k in touched}
    rows = [(r.region, r.event_id, r.disaster_type, set(r.counties)) for r in conn.execute(
        select(E.c.region, E.c.event_id, E.c.disaster_type, E.c.counties)
        .where(E.c.status != "cancelled", E.c.disaster_type.in_(types),
               *([E.c.region != next(iter(own))] if len(own) == 1 else [])))]
    # links only cross borders: each touched event against other regions' events of its type near its counties;
    # an index (type, county) -> events makes this proportional to the neighbours, not to every stored event
    by_county: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for r, e, dtype, counties in rows:
        for county in counties:
            by_county[(dtype, county)].append((r, e))
    rivals: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, ev in touched.items():
        if ev.current is None:
            continue
        dtype = ev.current.disaster_type
        found = {k for county in near(ev.current.counties) for k in by_county.get((dtype, county), ())}
        rivals[key] = sorted(k for k in found if k[0] != key[0])
    refs = {(r.region, r.event_id): r.shared_event_ref for r in conn.execute(
        select(E.c.region, E.c.event_id, E.c.shared_event_ref).where(E.c.shared_event_ref.is_not(None)))}
    wanted = {k for ks in rivals.values() for k in ks} | {tuple(v.split(":", 1)) for v in refs.values()} | set(refs)
    missing = wanted - set(touched)
    others = {} if not missing else {(r.region, r.event_id): _standin(r) for r in conn.execute(
        select(E.c.region, E.c.event_id, E.c.status, E.c.current_message_id, E.c.shared_event_ref,
               E.c.disaster_type, E.c.started_on, E.c.ended_on, E.c.counties)
        .where(_keys_in(E.c.region, E.c.event_id, missing)))}
    pool = dict(touched) | others
    links: dict = {}
    for key, keys in rivals.items():
        for other in keys:
            if other in pool:
                for lk in link_events([touched[key], pool[other]], adjacency, batch.now.date()):
                    links[(lk.a, lk.b)] = lk.reason
    for key, ref in refs.items():  # an explicit "same event as tj:X" reference links the two outright
        target = tuple(ref.split(":", 1))
        if target in pool and key in pool and target[0] != key[0]:
            a, b = sorted([key, target])
            links[(a, b)] = "shared_ref"
    rows = [{"a_region": a[0], "a_event_id": a[1], "b_region": b[0], "b_event_id": b[1], "reason": reason}
            for (a, b), reason in links.items() if a in touched or b in touched]
    upsert(conn, L, rows)
