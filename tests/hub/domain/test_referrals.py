"""救急难 referral state machine (domain.md §4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.errors import IllegalTransition, ReferralRuleError
from hub.domain.referrals import (
    ReferralChange,
    ReferralPolicy,
    ReferralState,
    acknowledgement_flags,
    empty,
    replay,
    transition,
)

CST = timezone(timedelta(hours=8))
T = datetime(2024, 1, 20, 22, tzinfo=CST)
S = ReferralState


def change(
    seq: int, to: ReferralState, hours: float = 0, reason: str | None = None, cid: str | None = None
) -> ReferralChange:
    return ReferralChange(cid or f"ch-{seq}", "ref-1", seq, to, T + timedelta(hours=hours), reason)


SENT = change(1, S.SENT)
ACCEPTED = change(2, S.ACCEPTED, 3)
PROGRESS = change(3, S.IN_PROGRESS, 20)
PROGRESS_2 = change(4, S.IN_PROGRESS, 40)
CLOSED = change(5, S.CLOSED, 72)


@pytest.mark.parametrize(
    ("rule", "path", "state"),
    [
        ("sent", [S.SENT], S.SENT),
        ("accepted", [S.SENT, S.ACCEPTED], S.ACCEPTED),
        ("rejected with a reason", [S.SENT, S.REJECTED], S.REJECTED),
        (
            "accepted then in progress then closed",
            [S.SENT, S.ACCEPTED, S.IN_PROGRESS, S.IN_PROGRESS, S.CLOSED],
            S.CLOSED,
        ),
        ("accepted then closed at once", [S.SENT, S.ACCEPTED, S.CLOSED], S.CLOSED),
    ],
)
def test_legal_paths(rule: str, path: list[ReferralState], state: ReferralState) -> None:
    referral = empty("ref-1")
    for seq, to in enumerate(path, start=1):
        referral = transition(referral, change(seq, to, seq, reason="不属本地户籍" if to is S.REJECTED else None))
    assert referral.state is state, rule


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ("progress before acceptance", [S.SENT, S.IN_PROGRESS]),
        ("closing an unaccepted referral", [S.SENT, S.CLOSED]),
        ("accepting twice", [S.SENT, S.ACCEPTED, S.ACCEPTED]),
        ("reopening a closed referral", [S.SENT, S.ACCEPTED, S.CLOSED, S.IN_PROGRESS]),
        ("accepting after rejection", [S.SENT, S.REJECTED, S.ACCEPTED]),
        ("a change before the referral was sent", [S.ACCEPTED]),
    ],
)
def test_illegal_transitions_raise_with_a_rule_id(rule: str, path: list[ReferralState]) -> None:
    referral = empty("ref-1")
    with pytest.raises(IllegalTransition) as caught:
        for seq, to in enumerate(path, start=1):
            referral = transition(referral, change(seq, to, seq, reason="r"))
    assert caught.value.rule_id == "referral.illegal_transition", rule


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(ReferralRuleError) as caught:
        transition(transition(empty("ref-1"), SENT), change(2, S.REJECTED))
    assert caught.value.rule_id == "referral.rejection_without_reason"


def test_progress_that_overtook_the_acceptance_waits_for_it() -> None:
    waiting = replay("ref-1", [PROGRESS, SENT])
    assert (waiting.state, [c.seq for c in waiting.pending]) == (S.SENT, [3])
    caught_up = replay("ref-1", [PROGRESS, SENT, ACCEPTED])
    assert (caught_up.state, caught_up.pending) == (S.IN_PROGRESS, ())


def test_two_different_changes_with_one_sequence_number_are_refused() -> None:
    with pytest.raises(ReferralRuleError) as caught:
        replay("ref-1", [SENT, ACCEPTED, change(2, S.REJECTED, 4, "x", cid="other")])
    assert caught.value.rule_id == "referral.sequence_conflict"


@pytest.mark.parametrize(
    ("rule", "changes", "now_hours", "flags"),
    [
        ("unanswered within the deadline", [SENT], 23, ()),
        ("unanswered after the deadline is overdue", [SENT], 25, ("acknowledgement_overdue",)),
        ("answered in time", [SENT, ACCEPTED], 100, ()),
        ("answered after the deadline is late", [SENT, change(2, S.ACCEPTED, 30)], 100, ("acknowledged_late",)),
    ],
)
def test_acknowledgement_deadline(
    rule: str, changes: list[ReferralChange], now_hours: int, flags: tuple[str, ...]
) -> None:
    referral = replay("ref-1", changes)
    assert (
        acknowledgement_flags(referral, T + timedelta(hours=now_hours), ReferralPolicy(timedelta(hours=24))) == flags
    ), rule


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([SENT, ACCEPTED, PROGRESS, PROGRESS_2, CLOSED])).flatmap(
        lambda xs: st.tuples(st.just(xs), st.permutations(xs + xs))
    )
)
def test_the_referral_is_a_function_of_the_set_of_changes(
    case: tuple[list[ReferralChange], list[ReferralChange]],
) -> None:
    assert replay("ref-1", case[0]) == replay("ref-1", case[1])
