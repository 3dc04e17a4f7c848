"""What happened to a statement after issue: confirmation, disputes, payments (domain.md §5, EU Reg. 987/2009
Art. 67 analogue: disputes within a window, payment within a deadline; both configurable).

Choices:

* A dispute names statement lines; while unresolved those lines' fen are withheld from what is payable.
  A dispute raised after the window is recorded as ``dispute_out_of_time`` and withholds nothing.
* Resolving a dispute releases the withheld lines; any change of amount is a later-period ``Adjustment``.
* Payments are deduped by id; any payment leaving ``paid_fen`` above or below ``payable_fen`` is flagged
  (``overpaid`` / ``underpaid``), never refused: the money moved, the flag makes it visible.
* ``payment_overdue`` when nothing (or too little) is paid after the payment deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from hub.domain.calendar import Period, local_date
from hub.domain.errors import SettlementRuleError
from hub.domain.settlement import SettlementStatement


@dataclass(frozen=True)
class SettlementPolicy:
    dispute_within_months: int = 36
    pay_within_months: int = 18


@dataclass(frozen=True)
class Confirmation:
    statement_id: str
    confirmed_at: datetime


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    statement_id: str
    line_ids: frozenset[str]
    raised_at: datetime
    reason: str
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Payment:
    payment_id: str
    statement_id: str
    amount_fen: int
    paid_at: datetime


class AccountStatus(Enum):
    ISSUED = "issued"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    SETTLED = "settled"


@dataclass(frozen=True)
class StatementAccount:
    statement_id: str
    status: AccountStatus
    confirmed_at: datetime | None
    open_disputes: tuple[str, ...]
    withheld_fen: int
    payable_fen: int
    paid_fen: int
    flags: tuple[str, ...]

    @property
    def balance_fen(self) -> int:
        """Still to pay (negative = overpaid)."""
        return self.payable_fen - self.paid_fen


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    target = Period.of(day).plus_months(months)
    return target.first_day.replace(day=min(day.day, target.days))


def account(
    statement: SettlementStatement,
    issued_on: date,
    now: datetime,
    confirmations: Iterable[Confirmation] = (),
    disputes: Iterable[Dispute] = (),
    payments: Iterable[Payment] = (),
    policy: SettlementPolicy = SettlementPolicy(),
) -> StatementAccount:
    """The statement's account as of ``now``; a pure function of the sets of messages given."""
    sid = statement.statement_id
    mine_c = [c for c in confirmations if c.statement_id == sid]
    confirmed_at = min((c.confirmed_at for c in mine_c), default=None)
    flags: set[str] = set()
    dispute_deadline = add_months(issued_on, policy.dispute_within_months)
    by_dispute: dict[str, Dispute] = {}
    for d in disputes:
        if d.statement_id != sid:
            continue
        seen = by_dispute.get(d.dispute_id)
        # the same dispute may arrive before and after its resolution: the resolved version wins
        if seen is None or (seen.resolved_at is None and d.resolved_at is not None):
            by_dispute[d.dispute_id] = d
    line_fen = {line.line_id: line.amount_fen for line in statement.lines}
    withheld_lines: set[str] = set()
    open_disputes = []
    for d in sorted(by_dispute.values(), key=lambda d: d.dispute_id):
        unknown = d.line_ids - line_fen.keys()
        if unknown:
            raise SettlementRuleError("settlement.dispute_unknown_line", dispute_id=d.dispute_id, lines=sorted(unknown))
        if local_date(d.raised_at) > dispute_deadline:
            flags.add("dispute_out_of_time")
        elif d.resolved_at is None:
            open_disputes.append(d.dispute_id)
            withheld_lines |= d.line_ids
    withheld = sum(line_fen[i] for i in withheld_lines)
    payable = statement.total_fen - withheld
    unique_payments = {p.payment_id: p for p in payments if p.statement_id == sid}
    paid = sum(p.amount_fen for p in unique_payments.values())
    if unique_payments and paid > payable:
        flags.add("overpaid")
    if unique_payments and paid < payable:
        flags.add("underpaid")
    if paid < payable and local_date(now) > add_months(issued_on, policy.pay_within_months):
        flags.add("payment_overdue")
    if open_disputes:
        status = AccountStatus.DISPUTED
    elif confirmed_at is not None and paid >= payable:
        status = AccountStatus.SETTLED
    elif confirmed_at is not None:
        status = AccountStatus.CONFIRMED
    else:
        status = AccountStatus.ISSUED
    return StatementAccount(
        sid, status, confirmed_at, tuple(open_disputes), withheld, payable, paid, tuple(sorted(flags))
    )
