"""救急难 urgent-assistance referrals between regions (domain.md §4).

States and the only allowed changes::

    sent ──► accepted ──► in_progress ──► closed
      │          └──────────────────────► closed
      └──► rejected (with a reason)

``transition`` applies one change or raises ``IllegalTransition`` (rule ``referral.illegal_transition``).

Out-of-order arrival: every change carries a per-referral sequence number ``seq`` (the ``sent`` message is 1,
the receiving region numbers its own changes 2, 3, … — after ``sent`` only the receiving region writes). ``replay``
dedupes by ``change_id``, sorts by ``seq`` and applies the gap-free prefix; changes after a gap wait in
``pending`` (a progress report that overtook the acceptance waits for it). The state is therefore a function of
the set of changes. Two *different* changes with one ``seq`` are refused (``referral.sequence_conflict``).

Acknowledgement (accept or reject) is due ``acknowledge_within`` after ``sent`` [configurable]; a referral still
``sent`` after that is overdue, and an acknowledgement after it is flagged late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from hub.domain.errors import IllegalTransition, ReferralRuleError


class ReferralState(Enum):
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


ALLOWED: dict[ReferralState | None, frozenset[ReferralState]] = {
    None: frozenset({ReferralState.SENT}),
    ReferralState.SENT: frozenset({ReferralState.ACCEPTED, ReferralState.REJECTED}),
    ReferralState.ACCEPTED: frozenset({ReferralState.IN_PROGRESS, ReferralState.CLOSED}),
    ReferralState.IN_PROGRESS: frozenset({ReferralState.IN_PROGRESS, ReferralState.CLOSED}),
    ReferralState.REJECTED: frozenset(),
    ReferralState.CLOSED: frozenset(),
}


@dataclass(frozen=True)
class ReferralChange:
    change_id: str
    referral_id: str
    seq: int
    to: ReferralState
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Referral:
    referral_id: str
    state: ReferralState | None  # None until the ``sent`` change is known
    sent_at: datetime | None
    acknowledged_at: datetime | None
    last_seq: int
    reason: str | None
    applied: tuple[ReferralChange, ...]
    pending: tuple[ReferralChange, ...]


def empty(referral_id: str) -> Referral:
    return Referral(referral_id, None, None, None, 0, None, (), ())


def transition(referral: Referral, change: ReferralChange) -> Referral:
    """Apply one change in sequence; raise ``IllegalTransition`` if the state machine forbids it."""
    if change.to not in ALLOWED[referral.state]:
        raise IllegalTransition(
            "referral.illegal_transition",
            f"{referral.state.value if referral.state else 'none'} → {change.to.value}",
            referral_id=referral.referral_id,
            change_id=change.change_id,
        )
    if change.to is ReferralState.REJECTED and not change.reason:
        raise ReferralRuleError("referral.rejection_without_reason", referral_id=referral.referral_id)
    acknowledged = change.to in (ReferralState.ACCEPTED, ReferralState.REJECTED)
    return replace(
        referral,
        state=change.to,
        sent_at=change.at if change.to is ReferralState.SENT else referral.sent_at,
        acknowledged_at=change.at if acknowledged else referral.acknowledged_at,
        last_seq=change.seq,
        reason=change.reason if change.to is ReferralState.REJECTED else referral.reason,
        applied=(*referral.applied, change),
    )


def replay(referral_id: str, changes: Iterable[ReferralChange]) -> Referral:
    """The referral from the set of its changes (any arrival order, duplicates allowed)."""
    by_seq: dict[int, ReferralChange] = {}
    for change in changes:
        if change.referral_id != referral_id:
            continue
        seen = by_seq.setdefault(change.seq, change)
        if seen != change:
            raise ReferralRuleError(
                "referral.sequence_conflict",
                referral_id=referral_id,
                seq=change.seq,
                change_ids=sorted((seen.change_id, change.change_id)),
            )
    referral = empty(referral_id)
    for seq in sorted(by_seq):
        if seq != referral.last_seq + 1:
            break
        referral = transition(referral, by_seq[seq])
    pending = tuple(by_seq[s] for s in sorted(by_seq) if s > referral.last_seq)
    return replace(referral, pending=pending)


@dataclass(frozen=True)
class ReferralPolicy:
    acknowledge_within: timedelta = timedelta(hours=24)


def acknowledgement_flags(
    referral: Referral, now: datetime, policy: ReferralPolicy = ReferralPolicy()
) -> tuple[str, ...]:
    """``acknowledgement_overdue`` (still unanswered after the deadline) or ``acknowledged_late``."""
    if referral.sent_at is None:
        return ()
    due = referral.sent_at + policy.acknowledge_within
    if referral.acknowledged_at is None:
        return ("acknowledgement_overdue",) if now > due else ()
    return ("acknowledged_late",) if referral.acknowledged_at > due else ()
