"""A compact summary of a reconciled disaster event, folded forward one batch of new revisions at a time.

``build_event`` reconciles the whole *set* of an event's revisions; a worker that rebuilt every touched event from
all its revisions after each batch spent time and memory that grew with the history (the usual flood sends one
more 续报 per event every few minutes). ``EventSummary`` keeps only what the event's state row reads — the current
report, the 核报, what was ignored, the figure decreases and inconsistencies found so far, the associative inputs
of the deadline checks and the number of revisions — so its size does not grow with the history (apart from the
flags themselves, which the row lists anyway).

``fold_summary(summary_of(build_event(old)), new)`` equals ``summary_of(build_event(old + new))`` whenever it
returns a summary (property-tested); it returns ``None`` — rebuild from every revision — for what it cannot decide
from the summary alone: a revision that does not supersede the current report (it would sit inside the accepted
chain), a 核报 that would set aside reports already accepted or replace the 核报, a revision of another event, or
a message id given twice with different content. The caller guarantees the new reports are not already folded in
(the hub checks the stored revision count).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from hub.domain.disaster_checks import (
    DeadlineInputs,
    DeadlinePolicy,
    FigureDecrease,
    InconsistentFigures,
    consistency_flags,
    cumulative_decreases,
    deadline_inputs,
    decreases_between,
)
from hub.domain.disasters import (
    DisasterEvent,
    DisasterReport,
    EventKey,
    IgnoredReport,
    ReportKind,
    Stage,
    Status,
)


@dataclass(frozen=True)
class EventSummary:
    """What the state row of an event needs, without its history (``summary_of`` / ``fold_summary``)."""

    key: EventKey
    count: int  # revisions (distinct message ids), cancels included
    cancelled: bool
    current: DisasterReport | None  # the tail of the accepted chain
    core_final: DisasterReport | None  # the 核报 that decides (a final-stage report, not a correction)
    ignored: tuple[IgnoredReport, ...]  # sorted by (message_id, reason), as DisasterEvent.ignored
    decreases: tuple[FigureDecrease, ...]  # in accepted-chain order
    inconsistencies: tuple[InconsistentFigures, ...]  # in accepted-chain order
    deadline: DeadlineInputs | None  # of the content reports (None: only cancels)
    policy: DeadlinePolicy  # what ``deadline`` was computed with
    max_open_revision: int | None  # highest revision among accepted 初报/续报
    min_correction_revision: int | None  # lowest revision among accepted corrections

    @property
    def status(self) -> Status:
        if self.cancelled:
            return Status.CANCELLED
        if self.current is not None and self.current.stage is Stage.FINAL:
            return Status.CLOSED
        return Status.OPEN

    @property
    def final(self) -> DisasterReport | None:
        """As ``DisasterEvent.final``: the 核报, else a correction that is current stands in for it."""
        if self.core_final is not None:
            return self.core_final
        if self.current is not None and self.current.stage is Stage.FINAL:
            return self.current
        return None


def summary_of(event: DisasterEvent, policy: DeadlinePolicy) -> EventSummary:
    """The summary of a fully reconciled event."""
    accepted = event.accepted
    core = event.final if event.final is not None and event.final.kind is ReportKind.REPORT else None
    open_revisions = [r.revision for r in accepted if r.stage is not Stage.FINAL]
    corrections = [r.revision for r in accepted if r.kind is ReportKind.CORRECTION]
    return EventSummary(
        key=event.key,
        count=len(event.history),
        cancelled=event.status is Status.CANCELLED,
        current=event.current,
        core_final=core,
        ignored=event.ignored,
        decreases=cumulative_decreases(event),
        inconsistencies=tuple(f for r in accepted for f in consistency_flags(r)),
        deadline=deadline_inputs(event.history, policy),
        policy=policy,
        max_open_revision=max(open_revisions) if open_revisions else None,
        min_correction_revision=min(corrections) if corrections else None,
    )


def fold_summary(summary: EventSummary, reports: Iterable[DisasterReport]) -> EventSummary | None:
    """``summary`` with the new ``reports`` folded in, or ``None`` when only a full rebuild can tell."""
    fresh: dict[str, DisasterReport] = {}
    for report in reports:
        seen = fresh.get(report.message_id)
        if seen is not None and seen != report:
            return None  # the rebuild raises disaster.message_id_reused
        fresh[report.message_id] = report
    s = summary
    for report in sorted(fresh.values(), key=lambda r: r.supersession_key):
        s = _fold_one(s, report)
        if s is None:
            return None
    return s


def _fold_one(s: EventSummary, r: DisasterReport) -> EventSummary | None:
    """One new report (in supersession order within its batch); the rules of ``build_event``, decided on the
    summary: None when the report would change what the summary cannot recompute."""
    if r.key != s.key:
        return None
    if r.kind is ReportKind.CANCEL:
        return replace(s, count=s.count + 1, cancelled=True)
    final = s.core_final
    core_final, max_open, min_correction = final, s.max_open_revision, s.min_correction_revision
    reason = None
    if r.kind is ReportKind.REPORT and r.stage is Stage.FINAL:
        if final is not None:
            if r.supersession_key <= final.supersession_key:
                return None  # it becomes the 核报 and sets the present one aside
            reason = "second_final"
        elif max_open is not None and max_open > r.revision:
            return None  # an accepted 续报 would become update_after_final
        elif min_correction is not None and min_correction <= r.revision:
            return None  # an accepted correction would become correction_not_newer
        else:
            core_final = r
    elif r.kind is ReportKind.CORRECTION:
        if final is not None and r.revision <= final.revision:
            reason = "correction_not_newer"
        else:
            min_correction = r.revision if min_correction is None else min(min_correction, r.revision)
    elif final is not None and r.revision > final.revision:
        reason = "update_after_final"
    else:
        max_open = r.revision if max_open is None else max(max_open, r.revision)
    current, ignored, decreases, inconsistencies = s.current, s.ignored, s.decreases, s.inconsistencies
    if reason is not None:
        ignored = tuple(sorted((*ignored, IgnoredReport(r.message_id, reason)), key=lambda i: (i.message_id, i.reason)))
    else:  # accepted: it must supersede the current report (else it sits inside the chain: rebuild)
        if current is not None:
            if r.supersession_key <= current.supersession_key:
                return None
            decreases += decreases_between(current, r)
        inconsistencies += consistency_flags(r)
        current = r
    return EventSummary(
        key=s.key, count=s.count + 1, cancelled=s.cancelled, current=current, core_final=core_final, ignored=ignored,
        decreases=decreases, inconsistencies=inconsistencies,
        deadline=deadline_inputs((r,), s.policy).merge(s.deadline),  # type: ignore[union-attr]
        policy=s.policy, max_open_revision=max_open, min_correction_revision=min_correction,
    )
