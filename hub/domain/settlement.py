"""Settlement statements for portable eldercare subsidies (domain.md §5, after 跨省异地就医直接结算).

A statement covers one period for one (payer district, payee facility + region, subsidy type). It is immutable:
a correction never edits a line, it is an ``Adjustment`` line in a *later* period's statement that references the
original line (positive or negative fen). A statement balances: the sum of its lines equals its total, and its
count is its number of lines. Reconciliation against the payee's own figures compares totals (sum, count) first,
then detail lines, and lists every differing line.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hub.domain.calendar import Period
from hub.domain.eldercare import Adjudication
from hub.domain.errors import SettlementRuleError


@dataclass(frozen=True, order=True)
class StatementKey:
    period: Period
    payer_district: str
    payee_region: str
    facility_id: str
    subsidy_type: str

    @property
    def statement_id(self) -> str:
        return f"{self.period}/{self.payer_district}/{self.payee_region}/{self.facility_id}/{self.subsidy_type}"

    @property
    def payer_region(self) -> str:
        return region_of(self.payer_district)


def region_of(unit_code: str) -> str:
    """The province-level GB/T 2260 code of a unit code (110105 → 110000)."""
    if len(unit_code) != 6 or not unit_code.isdigit():
        raise SettlementRuleError("settlement.bad_unit_code", unit_code=unit_code)
    return unit_code[:2] + "0000"


@dataclass(frozen=True, order=True)
class StatementLine:
    """``line_id`` is the claim id, or the adjustment id for an adjustment line (then ``adjusts`` is set)."""

    line_id: str
    elder_ref: str
    amount_fen: int
    adjusts: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """A correction of an already settled line, booked in a later period ``key.period``."""

    adjustment_id: str
    key: StatementKey
    adjusts_claim_id: str
    adjusts_period: Period
    elder_ref: str
    amount_fen: int
    reason: str


@dataclass(frozen=True)
class SettlementStatement:
    key: StatementKey
    lines: tuple[StatementLine, ...]
    total_fen: int
    count: int

    @property
    def statement_id(self) -> str:
        return self.key.statement_id

    @property
    def balances(self) -> bool:
        return sum(line.amount_fen for line in self.lines) == self.total_fen and len(self.lines) == self.count


def _key_of(adjudication: Adjudication) -> StatementKey:
    line = adjudication.line
    return StatementKey(line.period, line.payer_district, line.facility_region, line.facility_id, line.subsidy_type)


def build_statements(
    adjudications: Iterable[Adjudication],
    adjustments: Iterable[Adjustment] = (),
    settled_claims: Mapping[str, Period] | None = None,
) -> tuple[SettlementStatement, ...]:
    """Statements from the accepted lines and adjustments; sorted by key, lines sorted by line id.

    ``settled_claims`` (claim id → period), when given, is every line already on a statement: an adjustment must
    reference one of them. An adjustment must always be booked in a period after the one it corrects.
    """
    lines: dict[StatementKey, dict[str, StatementLine]] = {}
    for adjudication in adjudications:
        if adjudication.accepted:
            line = adjudication.line
            lines.setdefault(_key_of(adjudication), {})[line.claim_id] = StatementLine(
                line.claim_id, line.elder_ref, adjudication.payable_fen
            )
    for adjustment in adjustments:
        if adjustment.key.period <= adjustment.adjusts_period:
            raise SettlementRuleError(
                "settlement.adjustment_not_later",
                "corrections go into a later period, never into the original statement",
                adjustment_id=adjustment.adjustment_id,
                period=str(adjustment.key.period),
            )
        if settled_claims is not None and settled_claims.get(adjustment.adjusts_claim_id) != adjustment.adjusts_period:
            raise SettlementRuleError(
                "settlement.adjustment_unknown_line",
                adjustment_id=adjustment.adjustment_id,
                adjusts=adjustment.adjusts_claim_id,
            )
        lines.setdefault(adjustment.key, {})[adjustment.adjustment_id] = StatementLine(
            adjustment.adjustment_id, adjustment.elder_ref, adjustment.amount_fen, adjustment.adjusts_claim_id
        )
    return tuple(
        SettlementStatement(
            key,
            tuple(sorted(by_id.values())),
            sum(line.amount_fen for line in by_id.values()),
            len(by_id),
        )
        for key, by_id in sorted(lines.items())
    )


def correction_period(line_period: Period, settled_in: Period | None, issued: Collection[Period]) -> Period:
    """Where a correction of a settled line is booked: the first period after both the line's own period and the
    period of the statement that carries it (a late line sits on a later statement) whose statements are not
    issued yet."""
    period = max(line_period, settled_in or line_period).next()
    while period in issued:
        period = period.next()
    return period


def late_line_periods(period: Period, open_periods: Iterable[Period], issued: Collection[Period]) -> tuple[Period, ...]:
    """The earlier periods whose accepted lines not yet on a statement go onto ``period``'s statements as late lines:
    those whose own statements are already issued (a line of a period not issued yet waits for that period's run)."""
    return tuple(sorted({p for p in open_periods if p < period and p in issued}))


@dataclass(frozen=True)
class LineDifference:
    """``hub_fen`` or ``payee_fen`` is None when the line is missing on that side."""

    line_id: str
    hub_fen: int | None
    payee_fen: int | None


@dataclass(frozen=True)
class Reconciliation:
    statement_id: str
    totals_match: bool
    total_difference_fen: int  # payee − hub
    count_difference: int  # payee − hub
    differing_lines: tuple[LineDifference, ...]

    @property
    def matched(self) -> bool:
        return self.totals_match and not self.differing_lines


def reconcile(statement: SettlementStatement, payee_lines: Mapping[str, int]) -> Reconciliation:
    """Compare a statement with the payee's own figures (line id → fen): totals first, then every line.

    Lines are compared even when the totals agree, since two errors can cancel out in a sum.
    """
    ours = {line.line_id: line.amount_fen for line in statement.lines}
    theirs = MappingProxyType(dict(payee_lines))
    total_diff = sum(theirs.values()) - statement.total_fen
    count_diff = len(theirs) - statement.count
    differing = tuple(
        LineDifference(line_id, ours.get(line_id), theirs.get(line_id))
        for line_id in sorted(ours.keys() | theirs.keys())
        if ours.get(line_id) != theirs.get(line_id)
    )
    return Reconciliation(
        statement.statement_id, total_diff == 0 and count_diff == 0, total_diff, count_diff, differing
    )
