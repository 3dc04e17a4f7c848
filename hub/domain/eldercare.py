"""Portable eldercare subsidies (钱随人走): enrolments, effective-dated rates and claim adjudication
(domain.md §5).

Choices, so that each claim line gets exactly one deterministic answer:

* Enrolment dates are half-open: ``[admitted_on, discharged_on)``. A transfer on day D (discharged from A on D,
  admitted to B on D) is not an overlap; D counts for B.
* Occupancy: ≥ ``full_month_days`` (15) days in care = a full month, fewer = nothing.
* The assessment must be valid on at least ``full_month_days`` days of the month (the same threshold as occupancy).
* A claimed amount different from the rate is *rejected* (``amount_mismatch``), never silently adjusted: the
  claim is the payee's statement of fact and the statement must match what the payee will reconcile against.
* Rate lookup: the rate with the latest ``effective_from`` on or before the first day of the month. A rate may be
  grade-specific: key ``"<subsidy_type>:<grade>"`` wins over ``"<subsidy_type>"``.
* Duplicates (same elder + period + subsidy type, from any facility or region): among lines that pass every
  other check, the one with the smallest ``(submitted_at, claim_id)`` wins; the others are ``duplicate``.
  The same ``claim_id`` received twice is one line (idempotent), not a duplicate.
* Overlap: if the elder's enrolment at the claiming facility shares a day in the month with an enrolment at
  another facility, the line is rejected ``overlapping_facility`` (one facility per elder per day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from types import MappingProxyType

from hub.domain.calendar import Period
from hub.domain.errors import EldercareRuleError


@dataclass(frozen=True)
class Enrolment:
    """An elder of ``home_district`` living in ``facility_id`` of ``facility_region``."""

    elder_ref: str
    home_district: str
    facility_id: str
    facility_region: str
    admitted_on: date
    discharged_on: date | None
    assessment_grade: str
    assessment_valid_from: date
    assessment_valid_to: date | None
    home_registered: bool = True
    died_on: date | None = None

    def days_in(self, period: Period) -> int:
        """Days of ``period`` inside ``[admitted_on, discharged_on)``."""
        return _overlap_days(self.admitted_on, self.discharged_on, period)

    def assessment_days_in(self, period: Period) -> int:
        end = self.assessment_valid_to + timedelta(days=1) if self.assessment_valid_to else None
        return _overlap_days(self.assessment_valid_from, end, period)


def _overlap_days(start: date, end_exclusive: date | None, period: Period) -> int:
    first = max(start, period.first_day)
    stop = min(end_exclusive or date.max, period.last_day + timedelta(days=1))
    return max((stop - first).days, 0)


@dataclass(frozen=True)
class RateTable:
    """subsidy type (optionally ``type:grade``) → ((effective_from, monthly fen), …)."""

    rates: Mapping[str, Sequence[tuple[date, int]]]

    def __post_init__(self) -> None:
        frozen: dict[str, tuple[tuple[date, int], ...]] = {}
        for key, entries in self.rates.items():
            for start, fen in entries:
                if not isinstance(fen, int) or isinstance(fen, bool) or fen < 0:
                    raise EldercareRuleError("eldercare.rate_not_fen", subsidy_type=key, effective_from=str(start))
            frozen[key] = tuple(sorted(entries))
        object.__setattr__(self, "rates", MappingProxyType(frozen))

    def monthly_fen(self, subsidy_type: str, period: Period, grade: str | None = None) -> int | None:
        entries = self.rates.get(f"{subsidy_type}:{grade}") if grade else None
        entries = entries or self.rates.get(subsidy_type, ())
        applicable = [fen for start, fen in entries if start <= period.first_day]
        return applicable[-1] if applicable else None


@dataclass(frozen=True)
class ClaimLine:
    """One month of one subsidy for one elder, claimed by a facility of another region."""

    claim_id: str
    elder_ref: str
    subsidy_type: str
    period: Period
    days_in_care: int
    amount_fen: int
    facility_id: str
    facility_region: str
    payer_district: str
    submitted_at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.amount_fen, int) or isinstance(self.amount_fen, bool):
            raise EldercareRuleError("eldercare.amount_not_fen", claim_id=self.claim_id)


class Reason(Enum):
    NOT_ENROLLED = "not_enrolled"
    NOT_HOME_REGISTERED = "not_home_registered"
    DECEASED = "deceased_before_period"
    ASSESSMENT_INVALID = "assessment_not_valid"
    DAYS_OUT_OF_RANGE = "days_out_of_range"
    DAYS_EXCEED_ENROLMENT = "days_exceed_enrolment"
    UNDER_15_DAYS = "under_15_days"
    NO_RATE = "no_rate"
    AMOUNT_MISMATCH = "amount_mismatch"
    OVERLAPPING_FACILITY = "overlapping_facility"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Adjudication:
    """The answer to one claim line: accepted at ``payable_fen`` or rejected with every reason found."""

    line: ClaimLine
    reasons: tuple[Reason, ...]
    payable_fen: int
    rate_fen: int | None = None

    @property
    def accepted(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class AdjudicationPolicy:
    full_month_days: int = 15


def _check(
    line: ClaimLine, enrolments: Sequence[Enrolment], rates: RateTable, policy: AdjudicationPolicy
) -> Adjudication:
    period = line.period
    own = [
        e
        for e in enrolments
        if e.facility_id == line.facility_id and e.home_district == line.payer_district and e.days_in(period) > 0
    ]
    if not own:
        return Adjudication(line, (Reason.NOT_ENROLLED,), 0)
    enrolment = max(own, key=lambda e: (e.days_in(period), e.admitted_on))
    reasons: list[Reason] = []
    if not enrolment.home_registered:
        reasons.append(Reason.NOT_HOME_REGISTERED)
    if enrolment.died_on is not None and enrolment.died_on < period.first_day:
        reasons.append(Reason.DECEASED)
    if enrolment.assessment_days_in(period) < policy.full_month_days:
        reasons.append(Reason.ASSESSMENT_INVALID)
    if not 0 <= line.days_in_care <= period.days:
        reasons.append(Reason.DAYS_OUT_OF_RANGE)
    elif line.days_in_care > sum(e.days_in(period) for e in own):
        reasons.append(Reason.DAYS_EXCEED_ENROLMENT)
    if line.days_in_care < policy.full_month_days:
        reasons.append(Reason.UNDER_15_DAYS)
    rate = rates.monthly_fen(line.subsidy_type, period, enrolment.assessment_grade)
    if rate is None:
        reasons.append(Reason.NO_RATE)
    elif line.amount_fen != rate:
        reasons.append(Reason.AMOUNT_MISMATCH)
    for other in enrolments:
        if other.facility_id != line.facility_id and any(_shares_day(other, mine, period) for mine in own):
            reasons.append(Reason.OVERLAPPING_FACILITY)
            break
    return Adjudication(line, tuple(reasons), 0 if reasons else (rate or 0), rate)


def _shares_day(a: Enrolment, b: Enrolment, period: Period) -> bool:
    start = max(a.admitted_on, b.admitted_on, period.first_day)
    end = min(a.discharged_on or date.max, b.discharged_on or date.max, period.last_day + timedelta(days=1))
    return start < end


def adjudicate(
    lines: Iterable[ClaimLine],
    enrolments: Iterable[Enrolment],
    rates: RateTable,
    policy: AdjudicationPolicy = AdjudicationPolicy(),
) -> tuple[Adjudication, ...]:
    """Adjudicate a set of claim lines (any order, duplicates allowed); result sorted by claim_id."""
    unique: dict[str, ClaimLine] = {}
    for line in lines:
        if unique.setdefault(line.claim_id, line) != line:
            raise EldercareRuleError("eldercare.claim_id_reused", claim_id=line.claim_id)
    by_elder: dict[str, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_elder.setdefault(enrolment.elder_ref, []).append(enrolment)
    results = {cid: _check(line, by_elder.get(line.elder_ref, ()), rates, policy) for cid, line in unique.items()}
    winners: dict[tuple[str, Period, str], ClaimLine] = {}
    for result in results.values():
        if result.accepted:
            line = result.line
            slot = (line.elder_ref, line.period, line.subsidy_type)
            best = winners.get(slot)
            if best is None or (line.submitted_at, line.claim_id) < (best.submitted_at, best.claim_id):
                winners[slot] = line
    for cid, result in results.items():
        line = result.line
        if result.accepted and winners[(line.elder_ref, line.period, line.subsidy_type)] != line:
            results[cid] = Adjudication(line, (Reason.DUPLICATE,), 0, result.rate_fen)
    return tuple(results[cid] for cid in sorted(results))
