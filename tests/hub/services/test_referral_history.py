"""A referral's progress reports pile up: its replay reads every other change but only one progress report and
their count (``referrals._load``). State, pending count, refusals and drills are exactly those of the replay over the
whole stored history, however long."""

from __future__ import annotations

import pytest

from hub.domain.referrals import replay
from hub.infrastructure import tables as t
from hub.services import referrals
from tests.hub.services import builders as b


def _full(hub, rid: str) -> tuple:  # noqa: ANN001
    """(state, pending) of the replay over every stored change of the referral."""
    ref = replay(rid, referrals.sequence([r for r in hub.rows(t.referral_changes) if r["referral_id"] == rid]))
    return ref.state.value if ref.state else None, len(ref.pending)


def _row(hub, rid: str) -> tuple:  # noqa: ANN001
    [r] = [r for r in hub.rows(t.referrals) if r["referral_id"] == rid]
    return r["state"], r["pending"]


def _codes(hub, n: int) -> list:  # noqa: ANN001
    return [(r["kind"], r["code"]) for r in hub.rows(t.processed, "offset")][-n:]


@pytest.mark.parametrize("batch", [1, 500])
def test_a_long_history_replays_to_the_state_of_the_whole_history(hub, batch: int) -> None:  # noqa: ANN001
    hub.feed(b.referral("bj", "RFH", "tj"), b.acceptance("tj", "RFH", at=1),
             *[b.progress("tj", "RFH", at=2 + i) for i in range(40)], batch=batch)
    assert _row(hub, "RFH") == _full(hub, "RFH") == ("in_progress", 0)
    with hub.engine.connect() as conn:
        loaded = referrals._load(conn, ["RFH"])
    # sent, accepted and one progress report standing for the 40
    assert sorted(c["to_state"] for c in loaded["changes"]["RFH"]) == ["accepted", "in_progress", "sent"]
    assert loaded["more"] == {"RFH": 39}
    hub.feed(b.closure("tj", "RFH", at=50), b.closure("tj", "RFH", at=51), b.progress("tj", "RFH", at=52),
             batch=batch)
    assert _codes(hub, 3) == [("referral.closure", 100), ("referral.closure", 420), ("referral.progress", 100)]
    assert _row(hub, "RFH") == _full(hub, "RFH") == ("closed", 0)


@pytest.mark.parametrize("batch", [1, 500])
def test_progress_reports_that_overtook_the_acknowledgement_all_wait_and_a_rejection_is_refused(  # noqa: ANN001
        hub, batch: int) -> None:
    hub.feed(b.referral("bj", "RFP", "tj"), *[b.progress("tj", "RFP", at=2 + i) for i in range(12)], batch=batch)
    assert _row(hub, "RFP") == _full(hub, "RFP") == ("sent", 12)  # all twelve wait for the acceptance
    hub.feed(b.rejection("tj", "RFP", at=20), batch=batch)  # rejected → in_progress: refused
    assert _codes(hub, 1) == [("referral.rejection", 420)]
    hub.feed(b.acceptance("tj", "RFP", at=1), batch=batch)
    assert _row(hub, "RFP") == _full(hub, "RFP") == ("in_progress", 0)


def test_progress_before_the_referral_itself_waits_and_a_drill_stays_a_drill(hub) -> None:  # noqa: ANN001
    drill = [dict(m, status="exercise") for m in (b.progress("tj", "RFD", at=2), b.progress("tj", "RFD", at=3))]
    hub.feed(*drill, b.progress("tj", "RFX", at=2), b.progress("tj", "RFX", at=3), b.progress("tj", "RFX", at=4))
    assert _row(hub, "exercise/RFD") == _full(hub, "exercise/RFD") == (None, 2)
    assert _row(hub, "RFX") == _full(hub, "RFX") == (None, 3)
    assert {r["referral_id"]: r["envelope_status"] for r in hub.rows(t.referrals)} == {
        "exercise/RFD": "exercise", "RFX": "actual"}


def test_a_change_whose_handler_fails_after_the_replay_leaves_no_trace_for_the_rest_of_the_batch(  # noqa: ANN001
        hub, monkeypatch) -> None:
    """The referral's routing fails (a hub error, 500): its change is rewound from the batch, so the acceptance
    after it in the same batch does not see a referral that was never stored (it waits, and is not routed to the
    referral's sender)."""
    from hub.services.context import Batch

    route = Batch.route

    def failing(self, msg, to, entity_id):  # noqa: ANN001, ANN202
        if msg["kind"] == "referral.referral":
            raise RuntimeError("routing failed")
        return route(self, msg, to, entity_id)

    monkeypatch.setattr(Batch, "route", failing)
    hub.feed(b.referral("bj", "RFE", "tj"), b.acceptance("tj", "RFE", at=1))
    assert _codes(hub, 2) == [("referral.referral", 500), ("referral.acceptance", 100)]
    assert [r for r in hub.rows(t.referral_changes) if r["referral_id"] == "RFE"][0]["to_state"] == "accepted"
    assert hub.outbox("hub.routed_request") == []  # nothing routed: the sender of the referral is not known
    monkeypatch.setattr(Batch, "route", route)
    hub.feed(b.referral("bj", "RFE", "tj"))  # sent again: stored now, and the waiting acceptance applies
    assert _row(hub, "RFE") == _full(hub, "RFE") == ("accepted", 0)
