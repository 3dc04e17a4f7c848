"""Errors raised by the hub's pure rules.

Every error carries a ``rule_id`` (dotted, stable, shown in a 420 receipt: contracts.md "Guarantees") and a
``context`` mapping of the identifiers needed to find the offending message again (never personal data).

Tree::

    DomainError                         root: rule_id + context
    ├── DisasterRuleError               disaster reports (domain.md §1)
    ├── ReliefRuleError                 stock ledger, needs, cross-region support (domain.md §2)
    ├── VerificationRuleError           household verification (domain.md §3)
    │   └── AuthorisationMissing        a subject without a signed authorisation reference
    ├── ReferralRuleError               救急难 referrals (domain.md §4)
    │   └── IllegalTransition           a state change the referral state machine forbids
    ├── EldercareRuleError              enrolments, rate tables, claims (domain.md §5)
    └── SettlementRuleError             statements, netting, disputes, payments, adjustments (domain.md §5)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class DomainError(Exception):
    """A business rule was broken. ``rule_id`` names the rule; ``context`` locates the data."""

    def __init__(self, rule_id: str, message: str = "", **context: object) -> None:
        self.rule_id = rule_id
        self.context: Mapping[str, object] = MappingProxyType(dict(context))
        super().__init__(f"[{rule_id}] {message}" if message else f"[{rule_id}]")


class DisasterRuleError(DomainError):
    """A disaster report breaks a rule of the statistics system."""


class ReliefRuleError(DomainError):
    """A stock movement, snapshot or support message breaks a relief rule."""


class VerificationRuleError(DomainError):
    """A verification request or response breaks a rule."""


class AuthorisationMissing(VerificationRuleError):
    """No authorisation, no query (domain.md §3)."""


class ReferralRuleError(DomainError):
    """A referral message breaks a rule."""


class IllegalTransition(ReferralRuleError):
    """The referral state machine does not allow this change from the current state."""


class EldercareRuleError(DomainError):
    """An enrolment, rate table or claim is malformed."""


class SettlementRuleError(DomainError):
    """A statement, adjustment, dispute or payment breaks a settlement rule."""
