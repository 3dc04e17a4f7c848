"""Verification routing, aggregation, deadlines; referral state machine with forwarding."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY

from hub.infrastructure import tables as t
from hub.services.jobs import run_deadlines
from tests.hub.services import builders as b


def test_a_request_is_routed_to_each_target_and_the_result_goes_back_once_complete(hub) -> None:  # noqa: ANN001
    req = b.verification_request("bj", "V1", ["tj", "he"])
    hub.feed(req)
    assert [m["_topic"].split(".")[-1] for m in hub.outbox("hub.routed_request")] == ["he", "tj"]
    hub.feed(b.verification_response("tj", "V1", ("real_estate", "vehicles"), at=60))
    [s] = hub.rows(t.verification_state)
    assert (s["status"], s["expected"], s["answered"], s["result_sent_at"]) == ("open", 4, 2, None)
    hub.feed(b.verification_response("he", "V1", ("real_estate", "vehicles"), at=90))
    [s] = hub.rows(t.verification_state)
    assert (s["status"], s["answered"], s["missing"]) == ("complete", 4, [])
    [agg] = hub.outbox("hub.aggregated_response")
    assert agg["_topic"].endswith(".to.bj") and agg["payload"]["complete"] is True
    assert [(r["from_region"], r["outcome"]) for r in agg["payload"]["responses"]] == [("he", "answered"),
                                                                                      ("tj", "answered")]
    hub.feed(b.verification_response("he", "V1", ("real_estate",), at=95))  # a late duplicate changes nothing
    assert len(hub.outbox("hub.aggregated_response")) == 1


def test_past_the_deadline_the_requester_gets_a_partial_result_with_what_is_missing_once(hub) -> None:  # noqa: ANN001
    hub.feed(b.verification_request("bj", "V2", ["tj", "he"]),
             b.verification_response("tj", "V2", ("real_estate", "vehicles"), at=60))
    hub.now += timedelta(days=10)  # 5 working days after Thu 2026-07-30 is Thu 2026-08-06
    assert run_deadlines(hub.engine, hub.now) == {"verification_results": 1, "referrals_overdue": 0}
    assert run_deadlines(hub.engine, hub.now) == {"verification_results": 0, "referrals_overdue": 0}
    assert REGISTRY.get_sample_value("jjj_hub_verification_overdue") == 1
    [s] = hub.rows(t.verification_state)
    assert (s["status"], str(s["due_on"])) == ("overdue", "2026-08-06")
    assert sorted((m["region"], m["item"]) for m in s["missing"]) == [("he", "real_estate"), ("he", "vehicles")]
    [agg] = hub.outbox("hub.aggregated_response")
    assert agg["payload"]["complete"] is False
    assert [(r["from_region"], r["outcome"]) for r in agg["payload"]["responses"]] == [("he", "timed_out"),
                                                                                      ("tj", "answered")]


def test_a_requests_own_earlier_deadline_wins_over_the_policy(hub) -> None:  # noqa: ANN001
    req = b.verification_request("bj", "V3", ["tj", "he"])
    req["payload"]["response_deadline"] = (hub.now + timedelta(days=2)).isoformat()  # Sat 2026-08-01
    hub.feed(req)
    hub.now += timedelta(days=2, hours=11)  # still 2026-08-01 in Shanghai: not yet overdue
    assert run_deadlines(hub.engine, hub.now)["verification_results"] == 0
    assert REGISTRY.get_sample_value("jjj_hub_verification_overdue") == 0
    hub.now += timedelta(hours=1)  # 2026-08-02 00:00 +08:00
    assert run_deadlines(hub.engine, hub.now)["verification_results"] == 1
    [s] = hub.rows(t.verification_state)
    assert (s["status"], str(s["due_on"])) == ("overdue", "2026-08-01")


def test_a_request_without_authorisation_is_refused_with_420(hub) -> None:  # noqa: ANN001
    hub.feed(b.verification_request("bj", "V3", ["bj"]))  # only itself as target: nobody to ask
    [receipt] = hub.outbox("hub.receipt")
    assert (receipt["payload"]["code"], receipt["payload"]["rule"]) == (420, "verification.no_target")


def test_referral_state_machine_forwarding_and_refusals(hub) -> None:  # noqa: ANN001
    hub.feed(b.referral("bj", "RF1", "he"))
    hub.feed(b.progress("he", "RF1", at=30))  # overtook the acceptance: waits
    [r] = hub.rows(t.referrals)
    assert (r["state"], r["pending"]) == ("sent", 1)
    hub.feed(b.acceptance("he", "RF1", at=20))
    [r] = hub.rows(t.referrals)
    assert (r["state"], r["pending"], r["flags"]) == ("in_progress", 0, [])
    hub.feed(b.rejection("he", "RF1", at=40), b.acceptance("tj", "RF1", at=41), b.closure("he", "RF1", at=50))
    codes = [(m["payload"]["for_kind"], m["payload"]["code"], m["payload"]["rule"]) for m in hub.outbox("hub.receipt")]
    assert codes[-3:] == [("referral.rejection", 420, "referral.sequence_conflict"),
                          ("referral.acceptance", 420, "referral.wrong_sender"), ("referral.closure", 100, None)]
    assert hub.rows(t.referrals)[0]["state"] == "closed"
    assert [m["_topic"].split(".")[-1] for m in hub.outbox("hub.routed_request")] == ["he", "bj", "bj", "bj"]


def test_an_unacknowledged_referral_is_flagged_overdue_once(hub) -> None:  # noqa: ANN001
    hub.feed(b.referral("bj", "RF2", "tj"))
    hub.now += timedelta(days=2)
    assert run_deadlines(hub.engine, hub.now)["referrals_overdue"] == 1
    assert run_deadlines(hub.engine, hub.now)["referrals_overdue"] == 0
    assert hub.rows(t.referrals)[0]["flags"] == ["acknowledgement_overdue"]
