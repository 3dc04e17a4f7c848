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

from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, distinct, func, or_, select

from hub.domain.errors import DomainError
from hub.domain.relief import Movement, MovementKind, StockKey, line_discrepancies, movement_sums
from hub.domain.relief_costs import CostLine, CostLineKey, Flow, Valuation, cost_lines
from hub.domain.relief_support import Commitment, Decline, Dispatch, Receipt, RequestLine, SupportRequest, support_state
from hub.infrastructure import tables as t
from hub.infrastructure.sql import among, among_rows, insert_ignore, upsert
from hub.services.context import WRITTEN, Batch

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


#: the worker's memo of stock lines (in ``Batch.cache``): key → ``_Line``, least recently used last
STOCK_LINES = "relief.stock_lines"
#: facts (movements + snapshots) the memo holds at most; past it the least recently used lines go until half
STOCK_FACTS_MAX = 100_000  # a movement ~85 bytes, a snapshot ~250: ~9-25 MB at most


_EPOCH, _ONE_US = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)


def _us(at: datetime) -> int:
    """An aware time as integer µs since the epoch (exact: no float on the way)."""
    return (_aware(at) - _EPOCH) // _ONE_US


class _Line:
    """One stock line's actual facts as stored, and the discrepancy rows stored for it (None: not known here).

    Movements are packed (a line of a busy depot holds hundreds; the memo holds up to ``STOCK_FACTS_MAX``): their
    times (µs) in ledger order and signed quantities in two parallel arrays, and the hashes of their ids
    (``"<region>:<movement id>"``) in a set: ~85 bytes a movement against ~215 as an id → (time, quantity) dict
    (tracemalloc over 20,000 movements).
    A hash shared by two ids can only make a line look as if it held a movement it does not: the batch's movement
    is then not counted as new, the line's count falls short of the stored count and the line is read again from
    the table (where every stored row is taken, ``dedupe=False``)."""

    __slots__ = ("ids", "times", "signed", "shots", "unit", "flagged")

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.times = array("q")  # occurred_at, µs since the epoch, ascending
        self.signed = array("q")  # the signed quantity of the movement at the same index
        self.shots: dict[str, list] = {}  # snapshot (message) id → [on_hand, reserved, damaged, as_of]
        self.unit = ""
        self.flagged: set[tuple] | None = None

    @property
    def size(self) -> int:
        return len(self.times) + len(self.shots)

    def holds(self, mid: str) -> bool:
        return hash(mid) in self.ids

    def add_moves(self, rows: Iterable, *, dedupe: bool = True) -> None:
        ids, times, signed = self.ids, self.times, self.signed
        for mid, at, qty, unit in rows:
            h = hash(mid)
            if h not in ids or not dedupe:  # insert-if-absent, as the table: the first row with an id is kept
                ids.add(h)
                us = _us(at)
                i = bisect_right(times, us)
                times.insert(i, us)
                signed.insert(i, qty)
            self.unit = unit

    def sums(self) -> Callable[[datetime | None, datetime], int]:
        """``movement_sums`` of the line: ``moved(after, until)``, the signed movements in ``(after, until]``."""
        moved_us = movement_sums(self.times, self.signed)
        return lambda after, until: moved_us(None if after is None else _us(after), _us(until))

    def add_shot_lines(self, rows: Iterable) -> None:
        for sid, on_hand, reserved, damaged, as_of, unit in rows:
            agg = self.shots.setdefault(sid, [0, 0, 0, as_of])
            agg[0] += on_hand
            agg[1] += reserved
            agg[2] += damaged
            self.unit = unit


def _written(batch: Batch) -> tuple[dict, dict]:
    """This batch's actual movement and snapshot-line rows per stock line, as ``_Line.add_*`` take them."""
    written = batch.memo.get(WRITTEN, {})
    moves: dict[tuple, list] = defaultdict(list)
    for r in written.get(t.relief_movements, ()):
        if r["envelope_status"] == ACTUAL:
            moves[(r["depot_id"], r["item"], r["spec"], r["batch"])].append(
                (f"{r['region']}:{r['movement_id']}", r["occurred_at"],
                 MovementKind(r["movement_type"]).sign * int(r["quantity"]), r["unit"]))
    shots: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in written.get(t.relief_snapshot_lines, ()):
        if r["envelope_status"] == ACTUAL:
            shots[(r["depot_id"], r["item"], r["spec"], r["batch"])][r["message_id"]].append(
                (r["message_id"], r["on_hand"], r["reserved"], r["damaged"], r["as_of"], r["unit"]))
    return moves, shots


def _stored_counts(conn, depots: list[str]) -> tuple[dict, dict]:  # noqa: ANN001
    """Actual movements and snapshots stored per stock line of the given depots (two GROUP BY per 500 depots)."""
    M, S = t.relief_movements, t.relief_snapshot_lines
    moves: dict[tuple, int] = {}
    shots: dict[tuple, int] = {}
    for i in range(0, len(depots), 500):
        chunk = depots[i:i + 500]
        for table, out, n in ((M, moves, func.count()), (S, shots, func.count(distinct(S.c.message_id)))):
            cols = (table.c.depot_id, table.c.item, table.c.spec, table.c.batch)
            for r in conn.execute(select(*cols, n).where(among(conn, table.c.depot_id, chunk),
                                                         table.c.envelope_status == ACTUAL).group_by(*cols)):
                out[tuple(r[:4])] = r[4]
    return moves, shots


def _load_lines(conn, keys: set[tuple]) -> dict[tuple, _Line]:  # noqa: ANN001
    """The given stock lines from all their stored actual facts."""
    M, S = t.relief_movements, t.relief_snapshot_lines
    lines: dict[tuple, _Line] = {k: _Line() for k in keys}
    depots = sorted({k[0] for k in keys})
    for i in range(0, len(depots), 500):
        chunk = depots[i:i + 500]
        for r in conn.execute(select(M.c.depot_id, M.c.item, M.c.spec, M.c.batch, M.c.region, M.c.movement_id,
                                     M.c.occurred_at, M.c.movement_type, M.c.quantity, M.c.unit)
                              .where(among(conn, M.c.depot_id, chunk), M.c.envelope_status == ACTUAL)):
            line = lines.get(tuple(r[:4]))
            if line is not None:
                Movement(r[5], StockKey(*r[:4]), MovementKind(r[7]), int(r[8]), r[6])  # the domain's checks
                line.add_moves([(f"{r[4]}:{r[5]}", _aware(r[6]), MovementKind(r[7]).sign * int(r[8]), r[9])],
                               dedupe=False)  # stored: one row per id already
        for r in conn.execute(select(S.c.depot_id, S.c.item, S.c.spec, S.c.batch, S.c.message_id, S.c.on_hand,
                                     S.c.reserved, S.c.damaged, S.c.as_of, S.c.unit)
                              .where(among(conn, S.c.depot_id, chunk), S.c.envelope_status == ACTUAL)):
            line = lines.get(tuple(r[:4]))
            if line is not None:
                line.add_shot_lines([(r[4], r[5], r[6], r[7], _aware(r[8]), r[9])])
    return lines


def _stock_memo(batch: Batch) -> dict:
    memo = batch.cache.get(STOCK_LINES)
    if memo is None:
        memo = batch.cache[STOCK_LINES] = {}
    return memo


def recompute_stock(batch: Batch) -> None:
    """Position and discrepancies of every touched stock line.

    Each line is kept in the worker's memo (``STOCK_LINES``) and this batch's facts are folded in, as long as the
    line's stored facts number exactly the memo's plus the batch's new ones (anything else: another worker wrote to
    the line, a batch rolled back, a miss) — then it is read again from all its stored facts. The discrepancy rows of
    a memoised line are written as a difference from those it stored last, not deleted and inserted again.
    """
    keys = batch.touched.pop("stock", set())
    if not keys:
        return
    conn, D = batch.conn, t.relief_depots
    depots = sorted({k[0] for k in keys})
    memo = _stock_memo(batch)
    new_moves, new_shots = _written(batch)
    stored_moves, stored_shots = _stored_counts(conn, depots)
    lines: dict[tuple, _Line] = {}
    for k in sorted(keys):
        line = memo.pop(k, None)
        if line is None:
            continue
        moves = [m for m in new_moves.get(k, ()) if not line.holds(m[0])]
        shots = {sid: rows for sid, rows in new_shots.get(k, {}).items() if sid not in line.shots}
        if (len(line.times) + len({m[0] for m in moves}) == stored_moves.get(k, 0)
                and len(line.shots) + len(shots) == stored_shots.get(k, 0)):
            line.add_moves(moves)
            for rows in shots.values():
                line.add_shot_lines(rows)
            lines[k] = line
    reread = keys - lines.keys()
    if reread:
        lines.update(_load_lines(conn, reread))
    tiers = {r.depot_id: (r.region, r.tier) for r in conn.execute(select(D).where(among(conn, D.c.depot_id, depots)))}
    positions, added, removed = [], [], []
    for k in sorted(keys):
        line = lines[k]
        key = StockKey(*k)
        shots = sorted((v[3], sid, v[0], v[1], v[2]) for sid, v in line.shots.items())
        moved = line.sums()
        found = {(d.snapshot_id, d.previous_snapshot_id, d.expected, d.counted, d.conflict)
                 for d in line_discrepancies(key, [s[:3] for s in shots], moved)}
        last = shots[-1] if shots else None
        on_hand = moved(None, END_OF_TIME) if last is None else last[2] + moved(last[0], END_OF_TIME)
        reserved, damaged = (last[3], last[4]) if last else (0, 0)
        region, tier = tiers.get(k[0], ("??", "county"))
        positions.append({"depot_id": k[0], "item": k[1], "spec": k[2], "batch": k[3], "region": region,
                          "tier": tier, "unit": line.unit, "on_hand": on_hand, "reserved": reserved,
                          "damaged": damaged, "available": max(on_hand - reserved - damaged, 0),
                          "last_snapshot_at": last[0] if last else None, "movement_count": len(line.times),
                          "discrepancy_count": len(found), "updated_at": batch.now})
        before = line.flagged
        if before is None:  # not known here: every stored row of the line goes, the found ones are written
            removed.append(k)
            before = set()
        else:
            removed += [(*k, d[0]) for d in before - found]
        added += [{"depot_id": k[0], "item": k[1], "spec": k[2], "batch": k[3], "snapshot_id": d[0],
                   "previous_snapshot_id": d[1], "expected": d[2], "counted": d[3], "conflict": d[4]}
                  for d in sorted(found - before)]
        line.flagged = found
        memo[k] = line  # most recently used last
    _clear_discrepancies(conn, {r for r in removed if len(r) == 4})
    _drop_discrepancies(conn, [r for r in removed if len(r) == 5])
    upsert(conn, t.relief_stock_positions, positions)
    insert_ignore(conn, t.relief_discrepancies, added)
    _evict(memo, lambda line: line.size, STOCK_FACTS_MAX)


def _evict(memo: dict, size: Callable[[object], int], limit: int) -> None:
    """Keep a memo (least recently used first) within ``limit`` by ``size`` of its entries: once over it, the least
    recently used entries go until it holds half."""
    held = sum(map(size, memo.values()))
    if held > limit:
        for k in list(memo):
            if held <= limit // 2:
                break
            held -= size(memo.pop(k))


def _drop_discrepancies(conn, rows: list[tuple]) -> None:  # noqa: ANN001
    """Delete single discrepancy rows by primary key (500 per statement)."""
    X = t.relief_discrepancies
    rows = sorted(rows)
    for i in range(0, len(rows), 500):
        chunk = rows[i:i + 500]
        conn.execute(delete(X).where(among(conn, X.c.depot_id, sorted({r[0] for r in chunk})),
                                     among_rows(conn, (X.c.depot_id, X.c.item, X.c.spec, X.c.batch,
                                                       X.c.snapshot_id), chunk)))


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


def _flows(conn, ids: list[str], *, compact: bool = True) -> dict[str, tuple]:  # noqa: ANN001
    """Request id → (stored request row, domain request, commitments, declines, dispatches, receipts)."""
    return {rid: flow for rid, (flow, _stored) in _read_flows(conn, ids, compact=compact).items()}


def _read_flows(conn, ids: list[str], *, compact: bool = True) -> dict[str, tuple[tuple, int]]:  # noqa: ANN001
    """Request id → (its flow as ``_flows`` gives it, how many replies are stored for it)."""
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
        flow = (req, request, [], [], [], [])
        for m in replies[rid]:
            _add_reply(flow, m, compact=compact)
        out[rid] = (flow, len(replies[rid]))
    return out


def _add_reply(flow: tuple, m, *, compact: bool = True) -> None:  # noqa: ANN001
    """Add one stored reply row (``relief_support_messages``) to its flow, as a domain object.

    ``compact`` keeps only what the domain's reading of the flow (``support_state``, ``cost_lines``) depends on, so
    that a flow holds its distinct replies, not every copy a region sent again: a commitment or dispatch equal to one
    held (same id and content) adds nothing, as the domain keeps one of equal copies, while one that differs is held
    so that the domain still refuses the reused id; a decline from a region that already declined adds nothing (only
    the declining regions count); a receipt replaces the held receipt of its dispatch when it is later by
    (received_at, receipt id), the only one ``latest_receipts`` keeps. ``compact=False``: every reply, as stored.
    """
    rid, (_req, _request, c, d, x, rc) = m["request_id"], flow
    at = _aware(m["at"])
    if m["kind"] == "commitment":
        item, held = Commitment(m["entity_id"], rid, m["region"], _ints(m["lines"]), at), c
    elif m["kind"] == "decline":
        item, held = Decline(m["entity_id"], rid, m["region"], m["reason"] or "", at), d
        if compact and any(h.supporting_region == item.supporting_region for h in held):
            return
    elif m["kind"] == "dispatch":
        item, held = Dispatch(m["entity_id"], rid, m["region"], _ints(m["lines"]), at), x
    else:
        item, held = Receipt(m["message_id"], m["entity_id"], _ints(m["lines"]["received"]),
                             _ints(m["lines"]["discrepancy"]), at), rc
        if compact:
            for i, h in enumerate(held):
                if h.dispatch_id == item.dispatch_id:
                    if (item.received_at, item.receipt_id) > (h.received_at, h.receipt_id):
                        held[i] = item
                    return
    if not (compact and item in held):
        held.append(item)


#: the worker's memo of support flows (in ``Batch.cache``): request id → [flow (compacted), stored replies], least
#: recently used first; bounded by ``SUPPORT_REPLIES_MAX`` replies held in the flows
SUPPORT_FLOWS = "relief.support_flows"
SUPPORT_REPLIES_MAX = 50_000  # ~0.5 KB each: ~25 MB at most


def _flows_folded(batch: Batch, ids: list[str]) -> dict[str, tuple]:
    """``_flows`` of the given requests, folded forward from the worker's memo.

    A request's stored row never changes (insert-if-absent) and each reply is its own message, stored once; so a
    memoised flow plus the replies this batch wrote is the stored flow (compacted as ``_add_reply`` does) exactly
    when the request's stored replies number the memo's count plus the batch's (one ``GROUP BY`` per 500 ids).
    Anything else is read again. A compacted flow holds a request's distinct replies: a region sending the same
    commitment again, or a receipt per delivery, no longer grows the memo or the per-batch domain work.
    """
    conn, Msg = batch.conn, t.relief_support_messages
    memo = batch.cache.get(SUPPORT_FLOWS)
    if memo is None:
        memo = batch.cache[SUPPORT_FLOWS] = {}
    written: dict[str, list[dict]] = defaultdict(list)
    for r in batch.memo.get(WRITTEN, {}).get(Msg, ()):
        written[r["request_id"]].append(r)
    stored: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        stored.update(conn.execute(select(Msg.c.request_id, func.count()).where(
            among(conn, Msg.c.request_id, ids[i:i + 500])).group_by(Msg.c.request_id)).all())
    out, reread = {}, []
    for rid in ids:
        held = memo.pop(rid, None)
        if held is not None and held[1] + len(written[rid]) == stored.get(rid, 0):
            for m in written[rid]:
                _add_reply(held[0], m)
            held[1] += len(written[rid])
            out[rid] = held
        else:
            reread.append(rid)
    for rid, (flow, count) in _read_flows(conn, reread).items():
        out[rid] = [flow, count]
    memo.update(out)  # most recently used last
    _evict(memo, lambda held: sum(map(len, held[0][2:])), SUPPORT_REPLIES_MAX)
    return {rid: h[0] for rid, h in out.items()}


def recompute_support(batch: Batch) -> None:
    ids = sorted(batch.touched.pop("support", set()))
    if not ids:
        return
    conn, St = batch.conn, t.relief_support_state
    flows = _flows_folded(batch, ids)
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
        found = conn.execute(select(R.c.request_id, R.c.envelope_status, R.c.event_region, R.c.event_id).where(cond))
        group_of = {r.request_id: (r.envelope_status, f"{r.event_region}:{r.event_id}" if r.event_id else "")
                    for r in found}
        rids = sorted(group_of)
        # each request's share is kept (``relief_cost_parts``, refreshed whenever the request is recomputed): the
        # event's ledger sums them instead of re-reading and re-building every flow of the event
        parts: dict[str, list | None] = {}
        for j in range(0, len(rids), 500):
            parts.update((r.request_id, r.lines) for r in conn.execute(
                select(P.c.request_id, P.c.lines).where(among(conn, P.c.request_id, rids[j:j + 500]))))
        missing = [rid for rid in rids if rid not in parts]
        if missing:  # requests last recomputed before migration 0013
            parts.update(_store_parts(conn, _flows(conn, missing)))
        # summed per event and status: a flow the domain refuses leaves its own event's ledger unwritten, not the
        # ledgers of the other events recomputed with it
        by_group: dict[tuple, list] = defaultdict(list)
        for rid in rids:
            by_group[group_of[rid]].append(parts[rid])
        rows = []
        for (status, _event_ref), shares in by_group.items():  # the ledger's own key: no event is one group
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
