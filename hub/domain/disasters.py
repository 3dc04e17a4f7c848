"""Disaster events built from report revisions (domain.md §1, 自然灾害情况统计调查制度).

One event = one 初报 + any number of 续报 + one 核报; each report is a full snapshot, not a delta. After the
核报 the event is closed and only a *correction* (a final-stage message with a higher revision) changes it.

Supersession: the current report is the accepted report with the greatest key
``(stage rank, revision, data_as_of, message_id)`` (contracts.md: "rules decide by revision, stage and
data_as_of, never by arrival"). ``message_id`` only breaks exact ties so the choice is total.

``build_event`` is a pure function of the *set* of reports: it dedupes by ``message_id`` and sorts, so any
permutation or duplication of the input yields an equal ``DisasterEvent``. Decisions that depend on "what came
first" are made on message fields, never on the input order:

* the 核报 is the final-stage, non-correction report with the smallest key; any other such report is ignored
  (``second_final``);
* a correction counts only if its revision is above that 核报's (else ``correction_not_newer``); with no 核报 in
  the set, a correction stands in as the final report (it may simply have arrived first);
* a 续报/初报 whose revision is above the 核报's is kept in history but never becomes current
  (``update_after_final``): a late 续报 does not reopen the event;
* a cancel message marks the event cancelled whatever else is in the set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

from hub.domain.errors import DisasterRuleError

Figure = int | Decimal


class Stage(Enum):
    """Report stage; the rank orders supersession: initial (初报) < update (续报) < final (核报)."""

    INITIAL = "initial"
    UPDATE = "update"
    FINAL = "final"

    @property
    def rank(self) -> int:
        return {Stage.INITIAL: 0, Stage.UPDATE: 1, Stage.FINAL: 2}[self]


class ReportKind(Enum):
    REPORT = "report"
    CORRECTION = "correction"
    CANCEL = "cancel"


@dataclass(frozen=True)
class EventKey:
    """A disaster event as one region knows it."""

    region: str
    event_id: str


def _frozen(figures: Mapping[str, Figure]) -> Mapping[str, Figure]:
    return MappingProxyType(dict(sorted(figures.items())))


@dataclass(frozen=True)
class DisasterReport:
    """One revision of a disaster event (a 初报, 续报, 核报, correction or cancel)."""

    message_id: str
    key: EventKey
    stage: Stage
    revision: int
    data_as_of: datetime
    received_at: datetime
    disaster_type: str
    started_on: date
    occurred_at: datetime
    ended_on: date | None = None
    figures: Mapping[str, Figure] = field(default_factory=dict)
    counties: frozenset[str] = frozenset()
    county_figures: Mapping[str, Mapping[str, Figure]] = field(default_factory=dict)
    kind: ReportKind = ReportKind.REPORT
    decrease_reason: str | None = None
    shared_event_ref: str | None = None
    major: bool = False

    def __post_init__(self) -> None:
        if self.data_as_of.tzinfo is None or self.received_at.tzinfo is None or self.occurred_at.tzinfo is None:
            raise DisasterRuleError("disaster.naive_datetime", message_id=self.message_id)
        if self.revision < 0:
            raise DisasterRuleError("disaster.negative_revision", message_id=self.message_id)
        for name, value in self.figures.items():
            if isinstance(value, float) or value < 0:
                raise DisasterRuleError("disaster.bad_figure", message_id=self.message_id, indicator=name)
        if self.kind is ReportKind.CORRECTION and self.stage is not Stage.FINAL:
            raise DisasterRuleError("disaster.correction_not_final", message_id=self.message_id)
        object.__setattr__(self, "figures", _frozen(self.figures))
        object.__setattr__(
            self,
            "county_figures",
            MappingProxyType({c: _frozen(f) for c, f in sorted(self.county_figures.items())}),
        )
        object.__setattr__(self, "counties", frozenset(self.counties) | frozenset(self.county_figures))

    @property
    def supersession_key(self) -> tuple[int, int, datetime, str]:
        return (self.stage.rank, self.revision, self.data_as_of, self.message_id)

    @property
    def history_key(self) -> tuple[int, int, datetime, str]:
        return (self.revision, self.stage.rank, self.data_as_of, self.message_id)


class Status(Enum):
    OPEN = "open"
    CLOSED = "closed"  # a 核报 (or correction) is current
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class IgnoredReport:
    message_id: str
    reason: str  # second_final | correction_not_newer | update_after_final


@dataclass(frozen=True)
class DisasterEvent:
    """The reconciled state of one event: current report, full history, what was set aside and why."""

    key: EventKey
    status: Status
    current: DisasterReport | None
    history: tuple[DisasterReport, ...]
    accepted: tuple[DisasterReport, ...]
    ignored: tuple[IgnoredReport, ...]
    final: DisasterReport | None

    @property
    def figures(self) -> Mapping[str, Figure]:
        return self.current.figures if self.current else MappingProxyType({})


def _dedupe(reports: Iterable[DisasterReport]) -> tuple[DisasterReport, ...]:
    by_id: dict[str, DisasterReport] = {}
    for report in reports:
        seen = by_id.get(report.message_id)
        if seen is not None and seen != report:
            raise DisasterRuleError("disaster.message_id_reused", message_id=report.message_id)
        by_id[report.message_id] = report
    return tuple(sorted(by_id.values(), key=lambda r: r.history_key))


def build_event(reports: Iterable[DisasterReport]) -> DisasterEvent:
    """Reconcile every report received for one event (any order, duplicates allowed)."""
    history = _dedupe(reports)
    if not history:
        raise DisasterRuleError("disaster.no_reports")
    keys = {r.key for r in history}
    if len(keys) != 1:
        raise DisasterRuleError("disaster.mixed_events", events=sorted((k.region, k.event_id) for k in keys))
    key = history[0].key
    content = [r for r in history if r.kind is not ReportKind.CANCEL]
    finals = sorted(
        (r for r in content if r.stage is Stage.FINAL and r.kind is ReportKind.REPORT),
        key=lambda r: r.supersession_key,
    )
    final = finals[0] if finals else None
    ignored: list[IgnoredReport] = [IgnoredReport(r.message_id, "second_final") for r in finals[1:]]
    accepted: list[DisasterReport] = []
    for report in content:
        if report in finals[1:]:
            continue
        if final is not None and report.kind is ReportKind.CORRECTION and report.revision <= final.revision:
            ignored.append(IgnoredReport(report.message_id, "correction_not_newer"))
        elif final is not None and report.stage is not Stage.FINAL and report.revision > final.revision:
            ignored.append(IgnoredReport(report.message_id, "update_after_final"))
        else:
            accepted.append(report)
    current = max(accepted, key=lambda r: r.supersession_key) if accepted else None
    if final is None and current is not None and current.stage is Stage.FINAL:
        final = current  # a correction that arrived before (or without) its 核报 stands in for it
    if any(r.kind is ReportKind.CANCEL for r in history):
        status = Status.CANCELLED
    elif current is not None and current.stage is Stage.FINAL:
        status = Status.CLOSED
    else:
        status = Status.OPEN
    return DisasterEvent(
        key=key,
        status=status,
        current=current,
        history=history,
        accepted=tuple(sorted(accepted, key=lambda r: r.supersession_key)),
        ignored=tuple(sorted(ignored, key=lambda i: (i.message_id, i.reason))),
        final=final,
    )


def build_events(reports: Iterable[DisasterReport]) -> Mapping[EventKey, DisasterEvent]:
    """Group reports by event and reconcile each group; keys sorted by (region, event_id)."""
    groups: dict[EventKey, list[DisasterReport]] = {}
    for report in reports:
        groups.setdefault(report.key, []).append(report)
    return MappingProxyType({k: build_event(groups[k]) for k in sorted(groups, key=lambda k: (k.region, k.event_id))})


