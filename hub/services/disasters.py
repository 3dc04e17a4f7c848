"""Disaster family: store each revision as a fact, then rebuild each touched event with the pure rules.

After a batch, every touched event's ``disaster_events`` row is replaced by the reconciliation of *all* its stored
revisions (``build_event``) with its checks (falling cumulative figures, internal consistency, deadlines); links to
other regions' events are recomputed for the touched events. The row is a function of the set of revisions.

The worker does not redo that reconciliation from every revision after every batch (its cost grew with the
history: ~1,500 events of 50–150 revisions in the bench). It memoises a compact summary per event
(``hub.domain.disaster_summary``: current report, 核报, flags so far, deadline inputs, revision count — not the
history) and folds only the batch's new revisions into it (``iter_summaries``), after checking that the table holds
exactly the memoised revisions plus the batch's. Whatever the summary cannot decide (a revision that lands inside
the accepted chain, a 核报 that sets accepted reports aside, changed defaults, a memo miss) rebuilds the event from
its table as before. Both paths give the same row (property-tested against ``event_row`` of the full rebuild).

Exercise and test messages (envelope ``status`` ≠ ``actual``, contracts.md "Envelope") are processed and receipted
like any other, and their revisions are stored with their status, but they never enter the shared picture: an
event is rebuilt from the revisions of one status only, actual events go to ``disaster_events`` (linked, announced
on the status topic), drills to ``disaster_drill_events`` (never linked, never announced). A drill that reuses a
real event's id therefore leaves the real event untouched.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from types import SimpleNamespace

from sqlalchemy import delete, func, insert, or_, select

from hub.domain.disaster_checks import consistency_flags, cumulative_decreases, deadline_flags, flags_from_inputs
from hub.domain.disaster_links import link_events
from hub.domain.disaster_summary import EventSummary, fold_summary, summary_of
from hub.domain.disasters import DisasterEvent, EventKey, Status, build_event
from hub.domain.errors import DomainError
from hub.infrastructure import tables as t
from hub.infrastructure.sql import accumulate, upsert
from hub.services.context import Batch
from hub.services.disaster_mapping import event_defaults, explicit_ref, figures_json, to_report
from hub.services.policy import HubPolicy

ACTUAL = "actual"


def on_disaster(batch: Batch, msg: dict) -> None:
    p = msg["payload"]
    region = msg["sender"]["region"]
    status = msg.get("status") or ACTUAL
    row = {
        "message_id": msg["message_id"], "region": region, "event_id": p["event_id"], "kind": msg["kind"],
        "stage": p.get("stage") or ("final" if msg["kind"] == "disaster.correction" else None),
        "revision": p.get("revision"), "data_as_of": p.get("data_as_of"), "sent_at": msg["sent_at"],
        "received_at": batch.now, "payload": p, "envelope_status": status}
    batch.add(t.disaster_reports, row)
    if status == ACTUAL:
        batch.touch("disaster", (region, p["event_id"]))
        batch.memo.setdefault(NEW_ROWS, {}).setdefault((region, p["event_id"]), {}).setdefault(msg["message_id"], row)
    else:
        batch.touch("disaster_drill", (status, region, p["event_id"]))


def load_events(conn, keys: set[tuple[str, str]], status: str = ACTUAL,  # noqa: ANN001
                ) -> dict[tuple[str, str], tuple[DisasterEvent, list[dict]]]:
    """Rebuild the given events from all their stored revisions of envelope ``status`` (actual by default)."""
    return _build(conn, _revision_ids(conn, keys, status))


def iter_events(conn, keys: set[tuple[str, str]],  # noqa: ANN001
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
            yield from _safe_build(conn, step)
            step, size = {}, 0
        step[key] = ids_by[key]
        size += len(ids_by[key])
    if step:
        yield from _safe_build(conn, step)


def _safe_build(conn, ids_by):  # noqa: ANN001, ANN202
    try:
        yield from _build(conn, ids_by).items()
    except DomainError:
        for key, ids in ids_by.items():
            try:
                yield from _build(conn, {key: ids}).items()
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


def _fetch(conn, ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    r = t.disaster_reports
    fetched: dict[str, dict] = {}
    for chunk in _chunks(sorted(ids), 500):
        for row in conn.execute(select(r).where(r.c.message_id.in_(chunk))).mappings():
            fetched[row["message_id"]] = dict(row)
    return fetched


def _build(conn, ids_by: dict[tuple[str, str], list[str]],  # noqa: ANN001
           ) -> dict[tuple[str, str], tuple[DisasterEvent, list[dict]]]:
    fetched = _fetch(conn, [m for ids in ids_by.values() for m in ids])
    out = {}
    for key, ids in ids_by.items():
        rows = [fetched[m] for m in ids]
        defaults = event_defaults(rows)
        out[key] = (build_event(to_report(row, defaults) for row in rows), rows)
    return out


#: ``on_disaster`` notes each batch's new revision rows per actual event here (in ``Batch.memo``), as inserted:
#: {event key: {message id: row}}
NEW_ROWS = "disaster_new_rows"
#: the worker's memo of event summaries (in ``Batch.cache``), least recently used first
SUMMARIES = "disaster_summaries"
#: Summaries kept per worker: the memo is bounded by an estimate of its size (``_Entry.size``, fitted to
#: tracemalloc: an event whose current report is the bench's sample report, 34 figures and one county, ~6.8 KB; a
#: correction-only event ~2 KB; a cancel-only event ~0.5 KB), not its history; and by entries. The bench (5,000
#: events per kind, 15,000 in all) needs ~47 MB to hold them all; a memo that held fewer missed on ~45 % of its
#: touches at a million messages, each miss rebuilding the event from every revision. A miss rebuilds the event
#: from its table.
SUMMARIES_BYTES = 64 << 20
SUMMARIES_MAX = 50_000
#: ``iter_events`` holds the rows and reports of at most this many revisions at a time
LOAD_ROWS_MAX = 1_000


@dataclass(frozen=True)
class _Entry:
    """A memoised event: its summary plus what its row reads of the stored rows (not the reports)."""

    summary: EventSummary
    defaults: tuple  # (revision, message_id, disaster_type, started_on) of the report that sets the defaults
    current_row: tuple  # (reporting_unit_code, shared_event_ref) of the current report's payload
    first_received_at: datetime  # earliest hub received_at of the revisions, as stored

    def row(self, now: datetime, policy: HubPolicy) -> dict:
        return summary_row(self.summary, self.current_row, self.first_received_at, now, policy)

    @cached_property
    def size(self) -> int:
        """Estimated bytes held (see ``SUMMARIES_BYTES``): a base, the figures of the reports held, the flags."""
        s = self.summary
        reports = {id(r): r for r in (s.current, s.core_final) if r is not None}
        if not reports:
            return 500
        cells = sum(len(r.figures) + sum(len(f) for f in r.county_figures.values()) for r in reports.values())
        return 1_900 * len(reports) + 72 * cells + 150 * (len(s.ignored) + len(s.decreases) + len(s.inconsistencies))


def _seed(event: DisasterEvent, rows: list[dict], policy: HubPolicy) -> _Entry:
    cur = event.current
    payload = next((r["payload"] for r in rows if cur and r["message_id"] == cur.message_id), {})
    return _Entry(summary_of(event, policy.deadlines), _defaults_of(rows, None),
                  (payload.get("reporting_unit_code"), explicit_ref(payload)),
                  min(r["received_at"] for r in rows))


def _defaults_of(rows: list[dict], best: tuple | None) -> tuple | None:
    """``event_defaults`` as a fold: the (revision, message_id)-greatest report that states type and start."""
    for r in rows:
        if r["kind"] == "disaster.report":
            p = r["payload"]
            mine = (p["revision"], r["message_id"])
            if best is None or mine > best[:2]:
                best = (*mine, p["disaster_type"], date.fromisoformat(p["started_on"]))
    return best


def _fold_entry(entry: _Entry, rows: list[dict], policy: HubPolicy) -> _Entry | None:
    """``entry`` with its event's new stored ``rows`` folded in, or None when a rebuild must decide."""
    best = _defaults_of(rows, entry.defaults)
    if (best and best[2:]) != (entry.defaults and entry.defaults[2:]):
        return None  # the borrowed type/start date changed: every correction and cancel maps differently
    defaults = {} if best is None else {"disaster_type": best[2], "started_on": best[3]}
    try:
        summary = fold_summary(entry.summary, [to_report(row, defaults) for row in rows])
    except DomainError:
        return None  # the rebuild raises it again, and the event is skipped
    if summary is None:
        return None
    current_row = entry.current_row
    cur = summary.current
    if cur is not None and (entry.summary.current is None or cur.message_id != entry.summary.current.message_id):
        payload = next(r["payload"] for r in rows if r["message_id"] == cur.message_id)
        current_row = (payload.get("reporting_unit_code"), explicit_ref(payload))
    first = min(entry.first_received_at, *(r["received_at"] for r in rows))
    return _Entry(summary, best, current_row, first)


def iter_summaries(batch: Batch, keys: set[tuple[str, str]]) -> Iterator[tuple[tuple[str, str], _Entry]]:
    """The touched actual events, each as a memoised summary folded forward by the batch's new revisions.

    Only when the memo holds the event and its stored revisions number exactly the memoised count plus the
    revisions this batch added (the event's ``disaster_revision_counts`` row, read for all events in one statement
    and kept in the same transaction as the revisions): the new revisions are then
    those rows of the batch itself, nothing is re-read. An event the memo does not hold whose stored revisions are
    exactly this batch's (a new event) is built from the batch's rows the same way. Any other case — a memo miss
    with older revisions, a count that does not match (a batch rolled back after the memo moved on, another
    writer), a revision the summary cannot place (``fold_summary`` returns None) or changed defaults — rebuilds
    the event from all its stored revisions, which re-seeds the memo. Rows and reports are the same as the
    rebuild's (``tests/hub/domain/test_disaster_fold.py``, ``tests/hub/services/test_disaster_fold_db.py``).

    Why the batch's rows are the stored ones: the facts are inserted if absent, and the intake applies no message
    whose id it has already processed (the ``processed`` row is written in the same transaction as the revision),
    so every new id is stored, by this batch; the stored set thus contains the new ids, and a count equal to the
    memoised count plus their number leaves no room for anything else."""
    memo: _Memo = batch.cache.get(SUMMARIES)  # type: ignore[assignment]
    if memo is None:
        memo = batch.cache[SUMMARIES] = _Memo()
    added: dict[tuple[str, str], dict[str, dict]] = batch.memo.get(NEW_ROWS, {})  # this batch's revisions
    new_rows = added
    if batch.now.tzinfo is None:  # a naive clock: the stored received_at is not the batch's; read the table
        new_rows = {}
    conn, policy = batch.conn, batch.policy
    entries = {k: memo.pop(k) for k in sorted(keys) if k in memo}  # re-inserted below: most recently used last
    entries = {k: e for k, e in entries.items() if e.summary.policy == policy.deadlines}
    before = _counts(conn, keys | set(added))
    counts = {k: before.get(k, 0) + len(added.get(k, ())) for k in keys | set(added)}  # stored after this batch
    stored = dict(counts)  # what the count rows should say; a rebuild corrects them to the revisions it read
    fast = {k: e for k, e in entries.items() if counts.get(k) == e.summary.count + len(new_rows.get(k, ()))}
    rebuild = set(keys) - set(fast)
    for key, entry in fast.items():
        rows = new_rows.get(key)
        folded = entry if not rows else _fold_entry(entry, [rows[m] for m in sorted(rows)], policy)
        if folded is None:
            rebuild.add(key)
            continue
        memo[key] = folded
        yield key, folded
    # new events (no memo entry, every stored revision in this batch) from the batch's rows, the others from the
    # table, in key order as one rebuild
    fresh = {k for k in rebuild if k not in entries and new_rows.get(k) and counts.get(k) == len(new_rows[k])}
    from_batch = ((k, e) for k in sorted(fresh) for e in _events_from(k, list(new_rows[k].values())))
    for key, (event, raw) in heapq.merge(from_batch, iter_events(conn, rebuild - fresh), key=lambda kv: kv[0]):
        memo[key] = entry = _seed(event, raw, policy)
        stored[key] = len(raw)
        yield key, entry
    _evict(memo)
    _keep_counts(conn, {k: n - before.get(k, 0) for k, n in stored.items() if n != before.get(k, 0)})


def _events_from(key: tuple[str, str], rows: list[dict]):  # noqa: ANN202
    """``_build`` of one event from rows in hand (at most one ``(event, rows)``; none when the rules refuse the
    event, as ``_safe_build`` skips it)."""
    try:
        defaults = event_defaults(rows)
        yield build_event(to_report(row, defaults) for row in rows), rows
    except DomainError:
        return


def _counts(conn, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:  # noqa: ANN001
    """Stored actual revisions per event before this batch's (``disaster_revision_counts``: one row per event,
    whatever the length of its history)."""
    c = t.disaster_revision_counts
    out: dict[tuple[str, str], int] = {}
    for key_chunk in _chunks(sorted(keys), 500):
        q = select(c.c.region, c.c.event_id, c.c.count).where(_keys_in(c.c.region, c.c.event_id, key_chunk))
        for region, event_id, n in conn.execute(q):
            out[(region, event_id)] = n
    return out


def recount(conn) -> None:  # noqa: ANN001
    """Set every event's ``disaster_revision_counts`` row from its stored revisions: for anything that writes
    ``disaster_reports`` without the intake (seeded data). A worker trusts these rows: an event whose row is missing
    while it has revisions would be taken for new and built from the batch's revisions alone."""
    c, r = t.disaster_revision_counts, t.disaster_reports
    conn.execute(delete(c))
    conn.execute(insert(c).from_select(
        ["region", "event_id", "count"],
        select(r.c.region, r.c.event_id, func.count()).where(r.c.envelope_status == ACTUAL)
        .group_by(r.c.region, r.c.event_id)))


def _keep_counts(conn, changes: dict[tuple[str, str], int]) -> None:  # noqa: ANN001
    """Add to the events' stored revision counts: this batch's revisions, plus a rebuild's correction. Added in the
    database, not set: a worker that read a count before another worker's batch on the same event committed (a
    rebalance hand-over) must not overwrite that batch's revisions with its own total."""
    accumulate(conn, t.disaster_revision_counts,
               [{"region": r, "event_id": e, "count": n} for (r, e), n in changes.items()], add="count")


class _Memo(dict):
    """The summary memo: a dict (least recently used first) that keeps the sum of its entries' ``size`` up to date
    through ``[]=``, ``del``, ``pop`` and ``clear`` (the only ways the worker changes it)."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def __setitem__(self, key, entry) -> None:  # noqa: ANN001
        old = self.get(key)
        if old is not None:
            self.bytes -= old.size
        super().__setitem__(key, entry)
        self.bytes += entry.size

    def __delitem__(self, key) -> None:  # noqa: ANN001
        self.bytes -= self[key].size
        super().__delitem__(key)

    def pop(self, key, *default):  # noqa: ANN001, ANN201
        if key not in self:
            return super().pop(key, *default)
        entry = super().pop(key)
        self.bytes -= entry.size
        return entry

    def clear(self) -> None:
        super().clear()
        self.bytes = 0


def _evict(memo: _Memo) -> None:
    """Keep the memo within ``SUMMARIES_MAX`` entries and ``SUMMARIES_BYTES`` (estimated): once over either, the
    least recently used entries go until it is at half."""
    if len(memo) > SUMMARIES_MAX:
        _evict_oldest(memo, SUMMARIES_MAX)
    if memo.bytes > SUMMARIES_BYTES:
        for key in list(memo):
            if memo.bytes <= SUMMARIES_BYTES // 2:
                break
            del memo[key]


def _evict_oldest(memo: dict, limit: int) -> None:
    """Drop the older half once over ``limit`` (dicts keep insertion order; a miss only re-reads from the table)."""
    if len(memo) > limit:
        for key in list(memo)[: len(memo) - limit // 2]:
            del memo[key]


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


def summary_row(summary: EventSummary, current_row: tuple, first_received_at: datetime, now: datetime,
                policy: HubPolicy) -> dict:
    """``event_row`` of the event ``summary`` sums up (``current_row``: reporting unit and explicit reference of the
    current report's payload; ``first_received_at``: the earliest stored hub ``received_at``)."""
    cur, final = summary.current, summary.final
    status = summary.status
    flags = () if status is Status.CANCELLED else flags_from_inputs(
        summary.deadline, final, cur, now, policy.deadlines, policy.calendar)
    first = first_received_at
    return {
        "region": summary.key.region, "event_id": summary.key.event_id, "status": status.value,
        "stage": cur.stage.value if cur else None, "revision": cur.revision if cur else None,
        "current_message_id": cur.message_id if cur else None,
        "final_message_id": final.message_id if final else None,
        "data_as_of": cur.data_as_of.isoformat() if cur else None,
        "disaster_type": cur.disaster_type if cur else None, "started_on": cur.started_on if cur else None,
        "ended_on": cur.ended_on if cur else None,
        "reporting_unit_code": current_row[0] if cur else None,
        "shared_event_ref": current_row[1] if cur else None,
        "counties": sorted(cur.counties) if cur else [],
        "figures": figures_json(cur.figures) if cur else {},
        "county_figures": {c: figures_json(f) for c, f in cur.county_figures.items()} if cur else {},
        "report_count": summary.count,
        "ignored": [{"message_id": i.message_id, "reason": i.reason} for i in summary.ignored],
        "decreases": [{"indicator": d.indicator, "from": d.from_message_id, "to": d.to_message_id,
                       "before": str(d.before), "after": str(d.after)} for d in summary.decreases],
        "inconsistencies": [{"message_id": f.message_id, "rule": f.rule, "indicators": list(f.indicators)}
                            for f in summary.inconsistencies],
        "deadline_flags": [{"rule": f.rule, "due": f.due.isoformat(), "day": f.day.isoformat() if f.day else None}
                           for f in flags],
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
        for _key, (event, raw) in iter_events(batch.conn, event_keys, status):
            rows.append(event_row(event, raw, batch.now, batch.policy) | {"envelope_status": status})
    upsert(batch.conn, t.disaster_drill_events, rows)


def recompute_events(batch: Batch, keys: set[tuple[str, str]]) -> None:
    conn = batch.conn
    E = t.disaster_events
    before = {(r.region, r.event_id): r.status for r in conn.execute(
        select(E.c.region, E.c.event_id, E.c.status).where(_keys_in(E.c.region, E.c.event_id, keys)))}
    events = {}
    rows = []
    for key, entry in iter_summaries(batch, keys):
        events[key] = _linkable(entry.summary)  # what _relink reads: key, status, current report
        row = entry.row(batch.now, batch.policy)
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


def _linkable(event: DisasterEvent | EventSummary) -> SimpleNamespace:
    """What ``link_events`` reads of a touched event (key, status, current report), without its history."""
    return SimpleNamespace(key=event.key, status=event.status, current=event.current)


def _relink(batch: Batch, touched: dict[tuple[str, str], SimpleNamespace]) -> None:
    """Links of the touched events: same type (or explicit/typhoon reference) events of the other regions.

    Reads only what can link to a touched event: events of another region with a touched event's type (the
    candidates of the same-area rule), and the explicit references from or to a touched event. Each touched event
    is compared with the other regions' events of its type in its counties or their neighbours only, so the work
    grows with the batch and its actual neighbours, not with every stored event of the type."""
    if not touched:
        return
    conn, L, E = batch.conn, t.disaster_links, t.disaster_events
    conn.execute(delete(L).where(or_(_keys_in(L.c.a_region, L.c.a_event_id, touched),
                                     _keys_in(L.c.b_region, L.c.b_event_id, touched))))
    adjacency = batch.policy.adjacent_counties
    neighbours: dict[str, set[str]] = defaultdict(set)
    for pair in adjacency:
        for c in pair:
            neighbours[c].update(pair)

    def near(counties: frozenset[str]) -> set[str]:
        return set(counties).union(*(neighbours.get(c, ()) for c in counties))

    # rivals are only in other regions: per type, the touched regions of that type exclude themselves when there is
    # just one of them (the usual case: a batch of one region's reports reads none of its own events)
    regions_of: dict[str, set[str]] = defaultdict(set)
    for key, ev in touched.items():
        if ev.current is not None:
            regions_of[ev.current.disaster_type].add(key[0])
    conds = [(E.c.disaster_type == dtype) & (E.c.region != next(iter(regs))) if len(regs) == 1
             else E.c.disaster_type == dtype for dtype, regs in sorted(regions_of.items())]
    rows = [] if not conds else [
        (r.region, r.event_id, r.disaster_type, r.counties) for r in conn.execute(
            select(E.c.region, E.c.event_id, E.c.disaster_type, E.c.counties)
            .where(E.c.status != "cancelled", or_(*conds)))]
    # an index (type, county) -> region -> events: a touched event reads only other regions' events near it
    by_county: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for r, e, dtype, counties in rows:
        for county in counties:
            by_county[(dtype, county)][r].append((r, e))
    rivals: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, ev in touched.items():
        if ev.current is None:
            continue
        dtype, region = ev.current.disaster_type, key[0]
        found: set[tuple[str, str]] = set()
        for county in near(ev.current.counties):
            for r, ks in by_county.get((dtype, county), {}).items():
                if r != region:
                    found.update(ks)
        rivals[key] = sorted(found)
    # explicit references from a touched event or to one (a link between two untouched events is not rewritten)
    refs: dict[tuple[str, str], str] = {}
    for chunk in _chunks(sorted(touched), 500):
        for r in conn.execute(select(E.c.region, E.c.event_id, E.c.shared_event_ref).where(
                E.c.shared_event_ref.is_not(None),
                or_(_keys_in(E.c.region, E.c.event_id, chunk),
                    E.c.shared_event_ref.in_([f"{k[0]}:{k[1]}" for k in chunk])))):
            refs[(r.region, r.event_id)] = r.shared_event_ref
    wanted = {k for ks in rivals.values() for k in ks} | {tuple(v.split(":", 1)) for v in refs.values()} | set(refs)
    missing = wanted - set(touched)
    others = {}
    for chunk in _chunks(sorted(missing), 500):
        others.update({(r.region, r.event_id): _standin(r) for r in conn.execute(
            select(E.c.region, E.c.event_id, E.c.status, E.c.current_message_id, E.c.shared_event_ref,
                   E.c.disaster_type, E.c.started_on, E.c.ended_on, E.c.counties)
            .where(_keys_in(E.c.region, E.c.event_id, chunk)))})
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
