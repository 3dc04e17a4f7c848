"""Envelope status (actual | exercise | test): drills are processed and receipted like any message but never enter
the shared picture (disaster totals, overview, map, needs/shortfalls, stock); they are seen only when asked for."""

from __future__ import annotations

import pytest

from hub.entrypoints.web import readmodel_views
from hub.infrastructure import tables as t
from hub.services import queries
from tests.hub.services import builders as b
from tests.hub.services.conftest import Hub


def drill(message: dict, status: str) -> dict:
    message["status"] = status
    return message


def picture(hub: Hub) -> dict:
    """Everything the shared picture shows, in one comparable structure."""
    totals = queries.disaster_totals(hub.engine)
    with hub.engine.connect() as conn:  # the dashboard's overview, built afresh (not from its memo)
        overview = readmodel_views._overview(conn)
    needs = queries.relief_needs(hub.engine)
    return {
        "overall": totals["overall"], "regions": totals["regions"], "counties": totals["counties"],
        "overview": {"total": overview["total"], "regions": overview["regions"]},
        "map": readmodel_views.county_map(hub.engine)["counties"],
        "events": [(e["region"], e["event_id"], e["revision"], e["figures"]) for e in queries.disaster_events(hub.engine)],
        "links": queries.disaster_links(hub.engine),
        "stock": queries.stock_totals(hub.engine),
        "shortfalls": needs["shortfalls"], "needs": needs["needs"],
    }


def base(hub: Hub) -> None:
    hub.feed(b.disaster("he", "HE-EV-1", "initial", 1, 500, relocated=90, county="130681", at=0),
             b.snapshot("he", 40, depot_id="HE-D1", at=0), b.movement("he", "M1", "outbound", 10, depot_id="HE-D1",
                                                                       at=5))


CASES = [
    ("an exercise report of a new, real-looking event", "exercise",
     lambda: [b.disaster("he", "HE-EV-2", "initial", 1, 9000, relocated=800, county="130681", at=10)]),
    ("an exercise update that reuses the real event's id", "exercise",
     lambda: [b.disaster("he", "HE-EV-1", "update", 2, 9000, relocated=800, county="130681", at=10)]),
    ("a test report of a new event", "test",
     lambda: [b.disaster("tj", "TJ-EV-1", "initial", 1, 700, relocated=50, county="120114", at=10)]),
    ("exercise stock: a snapshot and a movement on the real depot", "exercise",
     lambda: [b.snapshot("he", 5000, depot_id="HE-D1", at=10),
              b.movement("he", "M2", "inbound", 900, depot_id="HE-D1", at=11)]),
]


@pytest.mark.parametrize(("rule", "status", "messages"), CASES, ids=[c[0] for c in CASES])
def test_a_drill_leaves_the_shared_picture_unchanged_and_is_receipted(hub: Hub, rule: str, status: str,
                                                                      messages) -> None:  # noqa: ANN001
    base(hub)
    before = picture(hub)
    sent = [drill(m, status) for m in messages()]
    result = hub.feed(*sent)
    assert (result.accepted, result.rejected) == (len(sent), 0), rule
    assert picture(hub) == before, rule
    receipts = {r["payload"]["for_message_id"]: r["payload"]["code"] for r in hub.outbox("hub.receipt")}
    assert [receipts[m["message_id"]] for m in sent] == [100] * len(sent)


@pytest.mark.parametrize(
    ("rule", "message", "affected", "events", "relocated_he"),
    [
        ("the same report as actual adds its event",
         lambda: b.disaster("he", "HE-EV-2", "initial", 1, 9000, relocated=800, county="130681", at=10),
         9500, 2, 890),
        ("an actual update of the real event replaces its figures",
         lambda: b.disaster("he", "HE-EV-1", "update", 2, 9000, relocated=800, county="130681", at=10),
         9000, 1, 800),
    ],
)
def test_the_same_report_as_actual_changes_the_picture(hub: Hub, rule: str, message, affected: int, events: int,
                                                       relocated_he: int) -> None:  # noqa: ANN001
    base(hub)
    hub.feed(message())
    totals = queries.disaster_totals(hub.engine)
    assert (totals["overall"]["event_count"], totals["overall"]["person_times"]["affected_population"]) == \
        (events, affected), rule
    assert totals["counties"]["130681"]["person_times"]["affected_population"] == affected
    assert queries.relief_needs(hub.engine)["needs"]["he"]["quilt"] == relocated_he
    assert readmodel_views.overview(hub.engine)["total"]["affected_population"] == affected


def test_a_drill_is_seen_only_when_asked_for_and_announces_nothing(hub: Hub) -> None:
    base(hub)
    hub.feed(drill(b.disaster("he", "HE-EV-1", "update", 2, 9000, relocated=800, county="130681", at=10), "exercise"),
             drill(b.disaster("he", "HE-EV-9", "initial", 1, 77, county="130681", at=11), "exercise"))
    [real] = queries.disaster_events(hub.engine)
    assert (real["event_id"], real["revision"], real["figures"]["affected_population"]) == ("HE-EV-1", 1, 500)
    drills = queries.disaster_events(hub.engine, envelope_status="exercise")
    assert [(e["event_id"], e["revision"], e["figures"]["affected_population"], e["envelope_status"])
            for e in drills] == [("HE-EV-1", 2, 9000, "exercise"), ("HE-EV-9", 1, 77, "exercise")]
    assert queries.disaster_totals(hub.engine, envelope_status="exercise")["overall"]["person_times"] == \
        {"affected_population": 9077, "deaths": 0, "missing": 0, "relocated_centralised": 800,
         "relocated_cumulative": 800, "relocated_dispersed": 0}
    one = queries.disaster_event(hub.engine, "he", "HE-EV-1")
    assert (one["revision"], [h["revision"] for h in one["history"]]) == (1, [1])
    one_drill = queries.disaster_event(hub.engine, "he", "HE-EV-1", envelope_status="exercise")
    assert (one_drill["revision"], [h["revision"] for h in one_drill["history"]]) == (2, [2])
    assert queries.disaster_event(hub.engine, "he", "HE-EV-9") is None
    announced = [m["payload"]["entity_id"] for m in hub.outbox("hub.status_change")]
    assert announced == ["HE-EV-1"]  # the real event's opening only


def test_a_drill_never_takes_a_real_movement_id(hub: Hub) -> None:
    hub.feed(b.snapshot("he", 40, depot_id="HE-D1", at=0),
             drill(b.movement("he", "M7", "outbound", 30, depot_id="HE-D1", at=5), "exercise"))
    hub.feed(b.movement("he", "M7", "outbound", 10, depot_id="HE-D1", at=6))
    [pos] = hub.rows(t.relief_stock_positions)
    assert (pos["on_hand"], pos["movement_count"]) == (30, 1)
    assert sorted((r["movement_id"], r["envelope_status"]) for r in hub.rows(t.relief_movements)) == \
        [("M7", "actual"), ("exercise/M7", "exercise")]
