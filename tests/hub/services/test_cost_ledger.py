"""The hub writes the per-event cross-region cost ledger as a support flow progresses (request → commitment →
dispatch → receipt), on the test database (SQLite, or PostgreSQL with JJJ_TEST_DATABASE_URL)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from hub.domain.relief_costs import Valuation
from hub.infrastructure import tables as t
from hub.services import queries
from hub.services.intake import Intake
from hub.services.policy import HubPolicy
from jjj.signing import KeyRegistry
from tests.hub.services import builders as b
from tests.hub.services.conftest import Hub

EVENT = {"region": "he", "event_id": "HE-2026-FLOOD-1"}
REF = "he:HE-2026-FLOOD-1"
ITEMS = {1: ("tent_single", "顶"), 2: ("quilt", "床")}


@dataclass(frozen=True)
class ValuedPolicy(HubPolicy):
    """The hub policy with agreed unit values (the lead adds ``relief_valuation`` to ``HubPolicy`` itself)."""

    relief_valuation: Valuation = field(default_factory=lambda: Valuation(
        {("tent_single", "顶"): 120_000, ("quilt", "床"): 15_000}))


@pytest.fixture
def valued(engine, keys_dir) -> Hub:  # noqa: ANN001
    hub = Hub(engine, keys_dir)
    hub.intake = Intake(engine, KeyRegistry.load(keys_dir), prefix=hub.prefix, clock=lambda: hub.now,
                        policy=ValuedPolicy())
    return hub


def _lines(qty: dict[int, int], depot: bool = False) -> list[dict]:
    out = []
    for n, q in sorted(qty.items()):
        line = {"line_no": n, "item_code": ITEMS[n][0], "unit": ITEMS[n][1], "quantity": q}
        if depot:
            line["from_depot_id"] = "D9"
        out.append(line)
    return out


def request(region: str, rid: str, qty: dict[int, int], *, status: str = "actual", at: float = 0) -> dict:
    return _status(b.msg("relief.support_request", {
        "request_id": rid, "event_ref": EVENT, "requesting_unit_code": b.UNIT[region], "to_regions": ["bj", "tj"],
        "needed_by": b.ts(at + 600), "delivery_place": {"unit_code": "130681", "address": "某地"},
        "contact": b.CONTACT, "lines": _lines(qty)}, region, at=at), status)


def commit(region: str, rid: str, qty: dict[int, int], *, status: str = "actual", at: float = 0) -> dict:
    return _status(b.msg("relief.commitment", {
        "request_id": rid, "commitment_id": f"C-{region}-{rid}", "committing_region": region,
        "expected_dispatch_at": b.ts(at + 60), "contact": b.CONTACT, "lines": _lines(qty, True)}, region, at=at),
        status)


def dispatch(region: str, rid: str, xid: str, qty: dict[int, int], *, status: str = "actual", at: float = 0) -> dict:
    return _status(b.msg("relief.dispatch", {
        "dispatch_id": xid, "request_id": rid, "commitment_id": f"C-{region}-{rid}", "ordered_via": "written",
        "receiving_unit_code": "130681", "receiving_place": {"unit_code": "130681", "address": "某地"},
        "sender_contact": b.CONTACT, "receiver_contact": b.CONTACT, "departed_at": b.ts(at),
        "lines": _lines(qty, True)}, region, at=at), status)


def receipt(rid: str, xid: str, lines: dict[int, tuple[int, int, int]], *, status: str = "actual",
            at: float = 0) -> dict:
    """lines: line_no → (shipped, received, discrepancy)."""
    ls = []
    for n, (shipped, got, lost) in sorted(lines.items()):
        line = {"line_no": n, "item_code": ITEMS[n][0], "unit": ITEMS[n][1], "shipped": shipped, "received": got,
                "in_transit": shipped - got - lost, "discrepancy": lost}
        if lost:
            line["discrepancy_reason"] = "破损"
        ls.append(line)
    return _status(b.msg("relief.receipt", {"dispatch_id": xid, "request_id": rid, "received_at": b.ts(at),
                                            "receiving_unit_code": "130681", "lines": ls}, "he", at=at), status)


def _status(message: dict, status: str) -> dict:
    message["status"] = status
    return message


def ledger(hub: Hub, status: str = "actual") -> dict[tuple, tuple]:
    """(supplier, item) → (committed, dispatched, received, in_transit, discrepancy, received_fen, in_transit_fen,
    discrepancy_fen, receiver_bears_fen, supplier_bears_fen) of event REF."""
    return {(r["supplier_region"], r["item"]): (r["committed"], r["dispatched"], r["received"], r["in_transit"],
                                               r["discrepancy"], r["received_fen"], r["in_transit_fen"],
                                               r["discrepancy_fen"], r["receiver_bears_fen"], r["supplier_bears_fen"])
            for r in hub.rows(t.relief_cost_ledger) if r["envelope_status"] == status and r["event_ref"] == REF
            and r["receiver_region"] == "he"}


# each step is fed on top of the previous ones; the ledger after it, exactly
STEPS = [
    ("the request alone: nothing committed, no ledger line",
     [request("he", "REQ-1", {1: 500, 2: 2000}, at=0)], {}),
    ("commitments: quantities committed, nothing valued yet",
     [commit("bj", "REQ-1", {1: 300, 2: 2000}, at=5), commit("tj", "REQ-1", {1: 200}, at=6)],
     {("bj", "tent_single"): (300, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      ("bj", "quilt"): (2000, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      ("tj", "tent_single"): (200, 0, 0, 0, 0, 0, 0, 0, 0, 0)}),
    ("dispatches: everything on the road is in transit (pending, nobody bears it yet)",
     [dispatch("bj", "REQ-1", "X-BJ", {1: 300, 2: 2000}, at=10), dispatch("tj", "REQ-1", "X-TJ", {1: 200}, at=11)],
     {("bj", "tent_single"): (300, 300, 0, 300, 0, 0, 36_000_000, 0, 0, 0),
      ("bj", "quilt"): (2000, 2000, 0, 2000, 0, 0, 30_000_000, 0, 0, 0),
      ("tj", "tent_single"): (200, 200, 0, 200, 0, 0, 24_000_000, 0, 0, 0)}),
    ("receipt of bj's dispatch: 10 tents damaged (the supplier bears them), 100 quilts still on the road",
     [receipt("REQ-1", "X-BJ", {1: (300, 290, 10), 2: (2000, 1900, 0)}, at=30)],
     {("bj", "tent_single"): (300, 300, 290, 0, 10, 34_800_000, 0, 1_200_000, 34_800_000, 1_200_000),
      ("bj", "quilt"): (2000, 2000, 1900, 100, 0, 28_500_000, 1_500_000, 0, 28_500_000, 0),
      ("tj", "tent_single"): (200, 200, 0, 200, 0, 0, 24_000_000, 0, 0, 0)}),
    ("a later receipt of the same dispatch replaces the earlier account; tj's arrives complete",
     [receipt("REQ-1", "X-BJ", {1: (300, 290, 10), 2: (2000, 2000, 0)}, at=40),
      receipt("REQ-1", "X-TJ", {1: (200, 200, 0)}, at=41)],
     {("bj", "tent_single"): (300, 300, 290, 0, 10, 34_800_000, 0, 1_200_000, 34_800_000, 1_200_000),
      ("bj", "quilt"): (2000, 2000, 2000, 0, 0, 30_000_000, 0, 0, 30_000_000, 0),
      ("tj", "tent_single"): (200, 200, 200, 0, 0, 24_000_000, 0, 0, 24_000_000, 0)}),
]


def test_the_ledger_follows_the_flow_step_by_step(valued: Hub) -> None:
    for rule, messages, expected in STEPS:
        valued.feed(*messages)
        assert ledger(valued) == expected, rule
    result = queries.cost_ledger(valued.engine, event=REF)
    assert [(p["payer_region"], p["payee_region"], p["goods_fen"], p["supplier_bears_fen"], p["in_transit_fen"],
             p["unvalued_lines"], p["total_fen"]) for p in result["events"][0]["pairs"]] == [
        ("he", "bj", 64_800_000, 1_200_000, 0, 0, 64_800_000),
        ("he", "tj", 24_000_000, 0, 0, 0, 24_000_000)]
    [state] = valued.rows(t.relief_support_state)
    assert (state["status"], [ln["in_transit"] for ln in state["lines"]]) == ("received", [0, 0])


def test_arrival_order_and_batching_do_not_change_the_ledger(valued: Hub) -> None:
    messages = [m for _, ms, _ in STEPS for m in ms]
    valued.feed(*reversed(messages), batch=3)
    assert ledger(valued) == STEPS[-1][2]


def test_without_agreed_values_the_ledger_keeps_quantities_and_counts_the_unvalued_lines(hub: Hub) -> None:
    hub.feed(*[m for _, ms, _ in STEPS[:4] for m in ms])
    assert ledger(hub)[("bj", "quilt")] == (2000, 2000, 1900, 100, 0, None, None, None, None, None)
    result = queries.cost_ledger(hub.engine)
    assert [(p["payee_region"], p["goods_fen"], p["unvalued_lines"]) for p in result["events"][0]["pairs"]] == [
        ("bj", 0, 2), ("tj", 0, 1)]
    assert result["events"][0]["lines"][0]["flags"] == ["unvalued"]


def test_an_exercise_flow_is_ledgered_apart_and_only_shown_when_asked(valued: Hub) -> None:
    valued.feed(*[m for _, ms, _ in STEPS[:3] for m in ms])
    before = queries.cost_ledger(valued.engine)
    valued.feed(request("he", "REQ-1", {1: 50}, status="exercise", at=50),
                commit("bj", "REQ-1", {1: 50}, status="exercise", at=51),
                dispatch("bj", "REQ-1", "X-BJ", {1: 50}, status="exercise", at=52),
                receipt("REQ-1", "X-BJ", {1: (50, 50, 0)}, status="exercise", at=53))
    assert queries.cost_ledger(valued.engine) == before
    assert ledger(valued) == STEPS[2][2]
    assert ledger(valued, "exercise") == {("bj", "tent_single"): (50, 50, 50, 0, 0, 6_000_000, 0, 0, 6_000_000, 0)}
    drill = queries.cost_ledger(valued.engine, envelope_status="exercise")
    assert [(p["payee_region"], p["total_fen"]) for p in drill["events"][0]["pairs"]] == [("bj", 6_000_000)]
    assert [r["request_id"] for r in queries.support_requests(valued.engine)] == ["REQ-1"]
    assert [r["request_id"] for r in queries.support_requests(valued.engine, envelope_status="exercise")] == \
        ["exercise/REQ-1"]
