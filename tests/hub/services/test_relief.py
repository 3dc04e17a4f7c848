"""Stock ledger positions and discrepancies; the support flow with quantities in transit; needs and allocation."""

from __future__ import annotations

from hub.infrastructure import tables as t
from hub.services import queries
from tests.hub.services import builders as b


def test_stock_is_the_ledger_and_a_snapshot_that_disagrees_is_flagged_not_absorbed(hub) -> None:  # noqa: ANN001
    hub.feed(b.snapshot("bj", 1000, at=0), b.movement("bj", "M1", "outbound", 300, at=10),
             b.movement("bj", "M2", "inbound", 50, at=20), b.snapshot("bj", 740, at=30),
             b.movement("bj", "M3", "scrap", 40, at=40))
    [pos] = hub.rows(t.relief_stock_positions)
    assert (pos["on_hand"], pos["available"], pos["movement_count"], pos["discrepancy_count"]) == (700, 700, 3, 1)
    [d] = hub.rows(t.relief_discrepancies)
    assert (d["expected"], d["counted"], d["conflict"]) == (750, 740, False)
    assert queries.stock_totals(hub.engine) == {"by_region": {"bj": {"quilt": 700}},
                                               "by_tier": {"province": {"quilt": 700}}, "by_item": {"quilt": 700}}


def test_the_support_flow_tracks_quantities_in_transit_and_discrepancies(hub) -> None:  # noqa: ANN001
    hub.feed(b.support_request("he", "REQ-1", 1000, ["bj", "tj"], at=0))
    hub.feed(b.commitment("bj", "REQ-1", 600, at=5), b.dispatch("bj", "REQ-1", "X1", 600, "he", at=10),
             b.relief_receipt("he", "REQ-1", "X1", 600, 550, 20, at=30))
    [state] = hub.rows(t.relief_support_state)
    assert state["status"] == "dispatched" and state["committed_regions"] == ["bj"]
    assert state["lines"] == [{"line_no": 1, "item": "quilt", "requested": 1000, "committed": 600, "shipped": 600,
                               "received": 550, "discrepancy": 20, "in_transit": 30}]
    routed = [(m["_topic"].split(".")[-1], m["payload"]["original_kind"]) for m in hub.outbox("hub.routed_request")]
    assert routed == [("bj", "relief.support_request"), ("tj", "relief.support_request"),
                      ("he", "relief.commitment"), ("he", "relief.dispatch")]


def test_needs_from_open_events_against_stock_give_shortfalls_and_a_nearest_surplus_allocation(hub) -> None:  # noqa: ANN001
    hub.feed(b.disaster("he", "HE-9", "initial", 1, 500, relocated=90, county="130681"),
             b.snapshot("he", 40, item="quilt", depot_id="HE-D1"), b.snapshot("bj", 100, depot_id="BJ-D1"),
             b.snapshot("tj", 100, depot_id="TJ-D1"))
    result = queries.relief_needs(hub.engine)
    assert result["needs"] == {"he": {"folding_bed": 90, "quilt": 90, "tent_single": 20}}
    assert {(s["item"], s["missing"]) for s in result["shortfalls"]} == {("quilt", 50), ("folding_bed", 90),
                                                                        ("tent_single", 20)}
    assert [a for a in result["allocations"] if a["item"] == "quilt"] == \
        [{"to_region": "he", "item": "quilt", "from_region": "bj", "quantity": 50}]
