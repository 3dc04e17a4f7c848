"""Flags raised on a reconciled disaster event: falling cumulative figures and missed deadlines (domain.md §1).

Flags never reject a report ("Late reports are flagged, not rejected"; "a cumulative figure that falls between
updates needs a stated reason"). Every threshold lives in ``DeadlinePolicy``: the 2 h 初报 limit is published,
the zero-report hour and the 核报 working-day allowance are ``[unverified]`` in domain.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.domain.calendar import SHANGHAI, WorkingCalendar, local_date
from hub.domain.disasters import DisasterEvent, DisasterReport, Figure, ReportKind, Stage, Status

#: Figures that accumulate over an event (累计值): they may only fall with a stated reason.
#: Real-time values (实时值: people in shelters now, shelter sites open now) rise and fall freely.
CUMULATIVE_INDICATORS: frozenset[str] = frozenset(
    {
        "affected_population",
        "deaths",
        "missing",
        "injured",
        "seriously_injured",
        "emergency_evacuated",
        "relocated_cumulative",
        "relocated_centralised",
        "relocated_dispersed",
        "emergency_assistance_needed_cumulative",
        "transitional_assistance_needed",
        "drought_assistance_needed",
        "collapsed_houses",
        "severely_damaged_houses",
        "generally_damaged_houses",
        "collapsed_dwellings",
        "crop_affected_ha",
        "crop_damaged_ha",
        "crop_failed_ha",
        "dead_livestock",
        "direct_economic_loss_wan_yuan",
    }
)
REALTIME_INDICATORS: frozenset[str] = frozenset(
    {"relocated_realtime", "emergency_assistance_needed_realtime", "shelter_sites"}
)


@dataclass(frozen=True)
class FigureDecrease:
    """A cumulative figure fell between consecutive accepted revisions without a stated reason."""

    indicator: str
    from_message_id: str
    to_message_id: str
    before: Figure
    after: Figure


def cumulative_decreases(
    event: DisasterEvent, cumulative: frozenset[str] = CUMULATIVE_INDICATORS
) -> tuple[FigureDecrease, ...]:
    """Compare each accepted revision with the one it supersedes (supersession order, not arrival)."""
    flags: list[FigureDecrease] = []
    chain = event.accepted
    for previous, report in zip(chain, chain[1:], strict=False):
        flags.extend(decreases_between(previous, report, cumulative))
    return tuple(flags)


def decreases_between(
    previous: DisasterReport, report: DisasterReport, cumulative: frozenset[str] = CUMULATIVE_INDICATORS
) -> tuple[FigureDecrease, ...]:
    """The cumulative figures that fell from ``previous`` to ``report`` (its successor in the accepted chain),
    none when ``report`` states a reason."""
    if report.decrease_reason:
        return ()
    return tuple(
        FigureDecrease(name, previous.message_id, report.message_id, previous.figures[name], report.figures[name])
        for name in sorted(cumulative & previous.figures.keys() & report.figures.keys())
        if report.figures[name] < previous.figures[name]
    )


@dataclass(frozen=True)
class DeadlinePolicy:
    """Deadlines of the statistics system; all configurable."""

    initial_report_within: timedelta = timedelta(hours=2)
    zero_report_by: time = time(12, 0)  # province level; county 09:00, prefecture 10:00
    final_within_working_days: int = 5  # province level in older rules [unverified]
    major_deaths_missing: int = 10


@dataclass(frozen=True)
class DeadlineFlag:
    """``rule`` is ``initial_late`` | ``initial_missing`` | ``zero_report_missing`` | ``final_overdue``."""

    rule: str
    due: datetime | date
    day: date | None = None


def is_major(report: DisasterReport, policy: DeadlinePolicy) -> bool:
    """Major = flagged major by the region, or deaths + missing at or above the threshold."""
    deaths = int(report.figures.get("deaths", 0)) + int(report.figures.get("missing", 0))
    return report.major or deaths >= policy.major_deaths_missing


@dataclass(frozen=True)
class DeadlineInputs:
    """What ``deadline_flags`` reads of an event's content reports (every report but cancels), as associative
    summaries: the inputs of a set of reports are merged (``merge``) from those of its parts in any grouping or order."""

    occurred_at: datetime  # earliest occurred_at
    first_received: datetime  # earliest received_at
    any_initial: bool  # some 初报 among them
    first_major_day: date | None  # earliest local received date of a major report
    on_time_days: frozenset[date]  # local received dates of reports received by the zero-report hour

    def merge(self, other: DeadlineInputs | None) -> DeadlineInputs:
        if other is None:
            return self
        majors = [d for d in (self.first_major_day, other.first_major_day) if d is not None]
        return DeadlineInputs(
            min(self.occurred_at, other.occurred_at),
            min(self.first_received, other.first_received),
            self.any_initial or other.any_initial,
            min(majors) if majors else None,
            self.on_time_days | other.on_time_days,
        )


def deadline_inputs(reports: Iterable[DisasterReport], policy: DeadlinePolicy) -> DeadlineInputs | None:
    """The deadline inputs of the content reports among ``reports`` (cancels are skipped); None without any."""
    content = [r for r in reports if r.kind is not ReportKind.CANCEL]
    if not content:
        return None
    majors = [local_date(r.received_at) for r in content if is_major(r, policy)]
    return DeadlineInputs(
        occurred_at=min(r.occurred_at for r in content),
        first_received=min(r.received_at for r in content),
        any_initial=any(r.stage is Stage.INITIAL for r in content),
        first_major_day=min(majors) if majors else None,
        on_time_days=frozenset(
            local_date(r.received_at)
            for r in content
            if r.received_at.astimezone(SHANGHAI).time() <= policy.zero_report_by
        ),
    )


def deadline_flags(
    event: DisasterEvent, now: datetime, policy: DeadlinePolicy, calendar: WorkingCalendar
) -> tuple[DeadlineFlag, ...]:
    """Every deadline missed as of ``now``. Cancelled events owe nothing."""
    if event.status is Status.CANCELLED or not event.history:
        return ()
    return flags_from_inputs(
        deadline_inputs(event.history, policy), event.final, event.current, now, policy, calendar
    )


def flags_from_inputs(
    inputs: DeadlineInputs | None,
    final: DisasterReport | None,
    current: DisasterReport | None,
    now: datetime,
    policy: DeadlinePolicy,
    calendar: WorkingCalendar,
) -> tuple[DeadlineFlag, ...]:
    """``deadline_flags`` of a non-cancelled event from its content's inputs, final and current report."""
    if inputs is None:
        return ()
    flags: list[DeadlineFlag] = []
    initial_due = inputs.occurred_at + policy.initial_report_within
    if inputs.first_received > initial_due:
        flags.append(DeadlineFlag("initial_late", initial_due))
    if not inputs.any_initial and now > initial_due:
        flags.append(DeadlineFlag("initial_missing", initial_due))
    flags.extend(_zero_report_flags(inputs, final, now, policy))
    if final is None and current is not None and current.ended_on is not None:
        due_day = calendar.add_working_days(current.ended_on, policy.final_within_working_days)
        if local_date(now) > due_day:
            flags.append(DeadlineFlag("final_overdue", due_day))
    return tuple(flags)


def _zero_report_flags(
    inputs: DeadlineInputs, final: DisasterReport | None, now: datetime, policy: DeadlinePolicy
) -> list[DeadlineFlag]:
    """A major event owes a report every day until its 核报, received by ``zero_report_by`` local time."""
    if inputs.first_major_day is None:
        return []
    first_day = inputs.first_major_day + timedelta(days=1)
    last_day = local_date(now)
    if final is not None:
        last_day = min(last_day, local_date(final.received_at) - timedelta(days=1))
    flags = []
    day = first_day
    while day <= last_day:
        due = datetime.combine(day, policy.zero_report_by, SHANGHAI)
        if now > due and day not in inputs.on_time_days:
            flags.append(DeadlineFlag("zero_report_missing", due, day))
        day += timedelta(days=1)
    return flags


#: (part, whole): every 其中 ≤ its parent, 实时值 ≤ 累计值, 绝收 ≤ 成灾 ≤ 受灾 (domain.md §1 "Validation").
PART_OF: tuple[tuple[str, str], ...] = (
    ("seriously_injured", "injured"),
    ("relocated_realtime", "relocated_cumulative"),
    ("emergency_assistance_needed_realtime", "emergency_assistance_needed_cumulative"),
    ("collapsed_dwellings", "collapsed_houses"),
    ("crop_failed_ha", "crop_damaged_ha"),
    ("crop_damaged_ha", "crop_affected_ha"),
)


@dataclass(frozen=True)
class InconsistentFigures:
    """``rule`` is ``part_exceeds_whole`` or ``split_does_not_add_up``."""

    message_id: str
    rule: str
    indicators: tuple[str, ...]


def consistency_flags(
    report: DisasterReport, part_of: tuple[tuple[str, str], ...] = PART_OF
) -> tuple[InconsistentFigures, ...]:
    """Internal consistency of one report's figures; only figures present are compared."""
    f = report.figures
    flags = [
        InconsistentFigures(report.message_id, "part_exceeds_whole", (part, whole))
        for part, whole in part_of
        if part in f and whole in f and f[part] > f[whole]
    ]
    split = ("relocated_centralised", "relocated_dispersed", "relocated_cumulative")
    if all(name in f for name in split) and f[split[0]] + f[split[1]] != f[split[2]]:
        flags.append(InconsistentFigures(report.message_id, "split_does_not_add_up", split))
    return tuple(flags)
