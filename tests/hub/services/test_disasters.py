"""Disaster events as stored state: supersession, closure, monotonic checks, totals, links, receipts."""

from __future__ import annotations

from hub.infrastructure import tables as t
from hub.services import queries
from hub.services.policy import HubPolicy
from tests.hub.services import builders as b


def event(hub, region: str, event_id: str) -> dict:  # noqa: ANN001
    return next(r for r in hub.rows(t.disaster_events) if (r["region"], r["event_id"]) == (region, event_id))


def test_a_late_update_never_overwrites_a_newer_one(hub) -> None:  # noqa: ANN001
    r1 = b.disaster("bj", "E1", "initial", 1, 100, at=0)
    r3 = b.disaster("bj", "E1", "update", 3, 300, at=20)
    r2 = b.disaster("bj", "E1", "update", 2, 200, at=10)
    hub.feed(r1, r3)
    hub.feed(r2)
    e = event(hub, "bj", "E1")
    assert (e["stage"], e["revision"], e["figures"]["affected_population"]) == ("update", 3, 300)
    assert e["report_count"] == 3 and e["status"] == "open"
    assert e["decreases"] == []


def test_an_update_after_the_final_report_does_not_reopen_the_event_but_a_correction_does_change_it(hub) -> None:  # noqa: ANN001
    hub.feed(b.disaster("bj", "E2", "initial", 1, 100), b.disaster("bj", "E2", "final", 2, 150, at=30))
    hub.feed(b.disaster("bj", "E2", "update", 3, 999, at=40))
    e = event(hub, "bj", "E2")
    assert (e["status"], e["revision"], e["figures"]["affected_population"]) == ("closed", 2, 150)
    assert [i["reason"] for i in e["ignored"]] == ["update_after_final"]
    hub.feed(b.correction("bj", "E2", 4, 160, at=50))
    e = event(hub, "bj", "E2")
    assert (e["status"], e["revision"], e["figures"]["affected_population"]) == ("closed", 4, 160)


def test_a_falling_cumulative_figure_without_a_reason_is_flagged_and_with_a_reason_is_not(hub) -> None:  # noqa: ANN001
    hub.feed(b.disaster("bj", "E3", "initial", 1, 500), b.disaster("bj", "E3", "update", 2, 450, at=10),
             b.disaster("tj", "T3", "initial", 1, 500, county="120114"),
             b.disaster("tj", "T3", "update", 2, 450, at=10, county="120114",
                        decreases=[{"indicator": "people.affected", "reason": "重复统计剔除"}]))
    assert [(d["indicator"], d["before"], d["after"]) for d in event(hub, "bj", "E3")["decreases"]] == \
        [("affected_population", "500", "450")]
    assert event(hub, "tj", "T3")["decreases"] == []


def test_totals_keep_persons_per_event_and_person_times_across_events(hub) -> None:  # noqa: ANN001
    hub.feed(b.disaster("bj", "A", "initial", 1, 100, relocated=10, county="110111"),
             b.disaster("bj", "B", "initial", 1, 40, relocated=5, county="110111"),
             b.disaster("tj", "C", "initial", 1, 7, county="120114"))
    totals = queries.disaster_totals(hub.engine)
    assert totals["regions"]["bj"]["event_count"] == 2
    assert totals["regions"]["bj"]["person_times"]["affected_population"] == 140
    assert totals["regions"]["bj"]["quantities"]["direct_economic_loss_wan_yuan"] == "25.00"
    assert totals["counties"]["110111"]["person_times"]["relocated_cumulative"] == 15
    assert totals["overall"]["person_times"]["affected_population"] == 147
    assert queries.disaster_event(hub.engine, "bj", "A")["persons"]["affected_population"] == 100


def test_events_of_two_regions_reporting_the_same_process_are_linked(hub) -> None:  # noqa: ANN001
    # 通州区 110112 borders 三河市 131082 (adjacency is reference data, given to the policy)
    hub.intake.policy = HubPolicy(adjacent_counties=frozenset({("110112", "131082")}))
    hub.feed(b.disaster("bj", "BJ-1", "initial", 1, 10, county="110112"),
             b.disaster("he", "HE-1", "initial", 1, 10, county="131082"),
             b.disaster("he", "HE-2", "initial", 1, 10, county="130681"),
             b.disaster("tj", "TJ-1", "initial", 1, 10, county="120114", shared={"region": "bj", "event_id": "BJ-1"}),
             b.disaster("tj", "TJ-2", "initial", 1, 10, county="120115", dtype="drought"))
    links = {(r["a_region"], r["a_event_id"], r["b_region"], r["b_event_id"], r["reason"])
             for r in hub.rows(t.disaster_links)}
    assert links == {("bj", "BJ-1", "he", "HE-1", "same_area"), ("bj", "BJ-1", "tj", "TJ-1", "shared_ref")}


def test_each_message_gets_exactly_one_receipt_and_a_duplicate_gets_201(hub) -> None:  # noqa: ANN001
    m = b.disaster("bj", "E9", "initial", 1, 10)
    hub.feed(m)
    hub.feed(m)
    receipts = [r["payload"] for r in hub.outbox("hub.receipt")]
    assert [(r["for_message_id"], r["code"]) for r in receipts] == [(m["message_id"], 100), (m["message_id"], 201)]
    assert [(s["payload"]["entity_id"], s["payload"]["to_state"]) for s in hub.outbox("hub.status_change")] == \
        [("E9", "open")]
