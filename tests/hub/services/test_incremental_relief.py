"""The cost ledger of an event is the sum of its requests' kept shares (``relief_cost_parts``); after every batch of a
random support stream it must equal ``cost_lines`` over every flow of the event, as the full rebuild computes it."""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import delete, func, select

from hub.domain.errors import DomainError
from hub.domain.relief_costs import Flow, Valuation, cost_lines
from hub.infrastructure import tables as t
from hub.services import relief
from hub.services.context import Batch
from tests.hub.services import builders as b

EVENTS = [None, {"region": "bj", "event_id": "EV-1"}, {"region": "tj", "event_id": "EV-2"}]


def stream(rng: random.Random, n: int) -> list[dict]:
    """Requests and their replies: commitments, declines, dispatches, receipts (several per dispatch, in any time
    order), copies of earlier commitments and dispatches sent again (same payload, new message id), and now and
    then a commitment id reused with another quantity (the domain refuses that flow)."""
    out, requests, dispatches, sent = [], [], [], []
    for i in range(n):
        at = i + 1
        roll = rng.random()
        if sent and roll > 0.9:
            old = rng.choice(sent)
            m = b.msg(old["kind"], copy.deepcopy(old["payload"]), old["sender"]["region"], at=at)
            if rng.random() < 0.1 and old["kind"] == "relief.commitment":
                m["payload"]["lines"][0]["quantity"] += 1
        elif requests and roll > 0.82:
            m = b.decline("he", rng.choice(requests)[0], at=at)
        elif roll < 0.25 or not requests:
            rid = f"REQ-{len(requests)}"
            region = rng.choice(["bj", "tj"])
            requests.append((rid, region))
            m = b.support_request(region, rid, rng.randrange(10, 100), ["he"], at=at)
            if (ev := rng.choice(EVENTS)) is not None:
                m["payload"]["event_ref"] = ev
        else:
            rid, region = rng.choice(requests)
            if roll < 0.45:
                m = b.commitment("he", rid, rng.randrange(1, 60), at=at)
                m["payload"]["commitment_id"] = f"C-{i}"  # a reused id is refused (tested apart)
            elif roll < 0.65 or not dispatches:
                did = f"DSP-{len(dispatches)}"
                qty = rng.randrange(1, 60)
                dispatches.append((did, rid, region, qty))
                m = b.dispatch("he", rid, did, qty, region, at=at)
            else:
                did, rid, region, qty = rng.choice(dispatches)
                received = rng.randrange(0, qty + 1)
                lost = rng.randrange(0, qty - received + 1)
                m = b.relief_receipt(region, rid, did, qty, received, lost, at=rng.randrange(1, at + 1))
            if m["kind"] in ("relief.commitment", "relief.dispatch"):
                sent.append(m)
        if rng.random() < 0.1:
            m["status"] = "exercise"
        out.append(m)
    return out


def ledger(engine) -> list[dict]:  # noqa: ANN001
    L = t.relief_cost_ledger
    with engine.connect() as conn:
        return sorted(({k: v for k, v in dict(r).items() if k != "updated_at"}
                       for r in conn.execute(select(L)).mappings()), key=repr)


def expected(hub) -> list[dict]:  # noqa: ANN001
    """``cost_lines`` over every flow, per envelope status (the full rebuild), as ledger rows."""
    R = t.relief_support_requests
    with hub.engine.connect() as conn:
        flows = relief._flows(conn, sorted(conn.execute(select(R.c.request_id)).scalars()), compact=False)
    groups = defaultdict(list)  # the ledger is written per envelope status and event; a refused flow drops its group
    for req, request, c, _d, x, rc in flows.values():
        groups[(req["envelope_status"], request.event_ref)].append(Flow(request, tuple(c), tuple(x), tuple(rc)))
    rows = []
    for (status, _event), fl in groups.items():
        try:
            lines = cost_lines(fl, Valuation())
        except DomainError:
            continue
        for ln in lines:
            rows.append({"envelope_status": status, "event_ref": ln.key.event_ref,
                         "supplier_region": ln.key.supplier_region, "receiver_region": ln.key.receiver_region,
                         "item": ln.key.item, "unit": ln.key.unit, "committed": ln.committed,
                         "dispatched": ln.dispatched, "received": ln.received, "in_transit": ln.in_transit,
                         "discrepancy": ln.discrepancy, "unit_fen": ln.unit_fen, "dispatched_fen": ln.dispatched_fen,
                         "received_fen": ln.received_fen, "in_transit_fen": ln.in_transit_fen,
                         "discrepancy_fen": ln.discrepancy_fen, "receiver_bears_fen": ln.receiver_bears_fen,
                         "supplier_bears_fen": ln.supplier_bears_fen,
                         "discrepancy_borne_by": ln.discrepancy_borne_by, "request_ids": list(ln.requests),
                         "dispatch_ids": list(ln.dispatches), "flags": list(ln.flags)})
    return sorted(rows, key=repr)


def test_summed_shares_equal_the_ledger_of_all_flows(hub) -> None:  # noqa: ANN001
    rng = random.Random(5)
    messages = stream(rng, 150)
    start, i, k = hub.now, 0, 0
    while i < len(messages):
        size = rng.choice([1, 4, 9, 25])
        hub.now = start + timedelta(minutes=k)
        hub.feed(*messages[i:i + size])
        i, k = i + size, k + 1
        assert ledger(hub.engine) == expected(hub)
    assert len(ledger(hub.engine)) >= 4


def test_requests_without_a_kept_share_get_one_from_their_flows(hub) -> None:  # noqa: ANN001
    hub.feed(*stream(random.Random(6), 60))
    before = ledger(hub.engine)
    R = t.relief_support_requests
    with hub.engine.begin() as conn:  # as after migration 0013: no share kept yet
        conn.execute(delete(t.relief_cost_parts))
        events = {(r.envelope_status, r.event_region, r.event_id) for r in conn.execute(
            select(R.c.envelope_status, R.c.event_region, R.c.event_id))}
        relief.recompute_costs(Batch(conn, hub.now, hub.prefix), events)
        kept = conn.execute(select(t.relief_cost_parts.c.request_id)).scalars().all()
        assert sorted(kept) == sorted(conn.execute(select(R.c.request_id)).scalars())
    assert ledger(hub.engine) == before == expected(hub)


def test_a_refused_flow_keeps_its_event_group_unwritten_as_before(hub) -> None:  # noqa: ANN001
    """Two commitments with one id but other quantities: the domain refuses the flow, so the ledger of its event
    and status is dropped and not rewritten, with or without kept shares."""
    hub.feed(b.support_request("bj", "REQ-A", 50, ["he"], at=1), b.commitment("he", "REQ-A", 10, at=2),
             b.support_request("bj", "REQ-B", 50, ["he"], at=3), b.commitment("he", "REQ-B", 10, at=4))
    assert len(ledger(hub.engine)) == 1
    hub.feed(b.commitment("he", "REQ-A", 20, at=5))
    assert ledger(hub.engine) == []
    with hub.engine.begin() as conn:
        assert conn.execute(select(t.relief_cost_parts.c.lines)
                            .where(t.relief_cost_parts.c.request_id == "REQ-A")).scalar_one() is None


def states(engine) -> list[tuple]:  # noqa: ANN001
    St = t.relief_support_state
    with engine.connect() as conn:
        return sorted((r.request_id, r.status, r.committed_regions, r.declined_regions, r.lines, r.flags)
                      for r in conn.execute(select(St)))


def expected_states(engine) -> tuple[list[tuple], set[str]]:  # noqa: ANN001
    """``support_state`` over every stored flow (the full rebuild), as state rows; and the requests whose flow the
    domain refuses (their state row keeps what it last was)."""
    from hub.domain.relief_support import support_state

    R = t.relief_support_requests
    with engine.connect() as conn:
        flows = relief._flows(conn, sorted(conn.execute(select(R.c.request_id)).scalars()), compact=False)
    out, refused = [], set()
    for rid, (_req, request, c, d, x, rc) in flows.items():
        try:
            s = support_state(request, c, d, x, rc)
        except DomainError:
            refused.add(rid)
            continue
        items = {ln.line_no: ln.item for ln in request.lines}
        out.append((rid, s.status.value, list(s.committed_regions), list(s.declined_regions),
                    [{"line_no": lp.line_no, "item": items[lp.line_no], "requested": lp.requested,
                      "committed": lp.committed, "shipped": lp.shipped, "received": lp.received,
                      "discrepancy": lp.discrepancy, "in_transit": lp.in_transit} for lp in s.lines],
                    list(s.flags)))
    return sorted(out), refused


def test_flows_folded_from_the_memo_equal_the_full_rebuild_with_two_workers(hub, keys_dir) -> None:  # noqa: ANN001
    from hub.services.intake import Intake
    from jjj.signing import KeyRegistry

    rng = random.Random(11)
    messages = stream(rng, 200)
    other = Intake(hub.engine, KeyRegistry.load(keys_dir), prefix=hub.prefix, clock=lambda: hub.now)
    workers, i = [hub.intake, hub.intake, other], 0
    while i < len(messages):
        size = rng.choice([1, 4, 9, 25])
        rng.choice(workers).process([hub.record(m) for m in messages[i:i + size]])
        i += size
        rows, refused = expected_states(hub.engine)
        assert [s for s in states(hub.engine) if s[0] not in refused] == rows
        assert ledger(hub.engine) == expected(hub)
    memo = hub.intake.cache[relief.SUPPORT_FLOWS]
    Msg = t.relief_support_messages
    with hub.engine.connect() as conn:
        stored = dict(conn.execute(select(Msg.c.request_id, func.count()).group_by(Msg.c.request_id)).all())
    # a flow the other worker extended since is stale here (its count falls short: read again when next touched)
    assert memo and all(h[1] <= stored.get(rid, 0) for rid, h in memo.items())
    held, replies = sum(sum(map(len, h[0][2:])) for h in memo.values()), sum(h[1] for h in memo.values())
    assert held < replies * 0.8, (held, replies)  # copies sent again, declines of a declined region, receipts
    assert len(states(hub.engine)) >= 20


def test_a_refused_flow_leaves_the_ledgers_of_other_events_in_its_batch_written(hub) -> None:  # noqa: ANN001
    """Ledgers are summed per event and status: REQ-A's refused flow (event EV-1) must not take EV-2's ledger with
    it when both are recomputed in one batch (they were summed per status for the whole batch before)."""
    a, bb = b.support_request("bj", "REQ-A", 50, ["he"], at=1), b.support_request("tj", "REQ-B", 50, ["he"], at=2)
    a["payload"]["event_ref"], bb["payload"]["event_ref"] = EVENTS[1], EVENTS[2]
    hub.feed(a, bb, b.commitment("he", "REQ-A", 10, at=3), b.commitment("he", "REQ-B", 10, at=4))
    assert sorted(r["event_ref"] for r in ledger(hub.engine)) == ["bj:EV-1", "tj:EV-2"]
    hub.feed(b.commitment("he", "REQ-A", 20, at=5), b.dispatch("he", "REQ-B", "DSP-B", 10, "tj", at=6))
    rows = ledger(hub.engine)
    assert [(r["event_ref"], r["committed"], r["dispatched"]) for r in rows] == [("tj:EV-2", 10, 10)]
    assert rows == expected(hub)


def test_a_flow_holds_one_of_equal_copies_one_decline_a_region_and_the_latest_receipt_of_a_dispatch() -> None:
    from datetime import UTC, datetime

    def reply(mid: str, kind: str, entity: str, lines: dict, minute: int, region: str = "he") -> dict:
        return {"message_id": mid, "request_id": "R", "kind": kind, "region": region, "entity_id": entity,
                "lines": lines, "at": datetime(2026, 7, 30, 8, minute, tzinfo=UTC), "reason": None}

    rcv = lambda got, lost: {"received": {"1": got}, "discrepancy": {"1": lost}}  # noqa: E731
    replies = [reply("m1", "commitment", "C1", {"1": 10}, 1), reply("m2", "commitment", "C1", {"1": 10}, 1),
               reply("m3", "commitment", "C1", {"1": 11}, 1), reply("m4", "commitment", "C1", {"1": 10}, 1),
               reply("m5", "decline", "m5", {}, 2), reply("m6", "decline", "m6", {}, 3),
               reply("m7", "decline", "m7", {}, 3, region="tj"),
               reply("m8", "dispatch", "D1", {"1": 10}, 4), reply("m9", "dispatch", "D1", {"1": 10}, 4),
               reply("mb", "receipt", "D1", rcv(4, 0), 9), reply("ma", "receipt", "D1", rcv(6, 1), 7),
               reply("mc", "receipt", "D1", rcv(5, 0), 9)]
    compact, full = (None, None, [], [], [], []), (None, None, [], [], [], [])
    for m in replies:
        relief._add_reply(compact, m)
        relief._add_reply(full, m, compact=False)
    _, _, c, d, x, rc = compact
    assert [(h.commitment_id, dict(h.lines)) for h in c] == [("C1", {1: 10}), ("C1", {1: 11})]  # the domain refuses
    assert [h.supporting_region for h in d] == ["he", "tj"]
    assert [h.dispatch_id for h in x] == ["D1"]
    assert [(h.receipt_id, dict(h.received)) for h in rc] == [("mc", {1: 5})]  # 08:09, then the greater id
    assert [len(h) for h in full[2:]] == [4, 3, 2, 3]
