"""Household economic-status verification routed between the three regions (domain.md §3).

A request from one region is routed to the other two; the hub expects one answer per
``(subject_ref, item, responding region)``. No authorisation, no query: a request where any subject lacks a
signed-authorisation reference is refused (rule ``verification.authorisation_missing``).

The response deadline is ``response_working_days`` working days after the day the request was submitted
(none is published: configurable, default 5), counted with an injected ``WorkingCalendar`` — or the request's own
``response_deadline`` when that is earlier (a requester may need the answer sooner; it may not extend the policy).
Both are taken as a due *day* (local date, the day itself included), so "overdue" means the same for either. The result is
final when complete, or at the end of the due day: then it is ``overdue`` and lists what is missing.

Duplicates and late answers, decided on message fields only so the result is a function of the set:

* the same ``response_id`` twice is one response;
* several answers for one expected key: the earliest ``(answered_at, response_id)`` counts, the rest are
  listed in ``duplicates`` (so an answer after completion never changes a completed result);
* an answer dated after the due day is listed in ``late`` and does not count: the overdue partial result
  stays as it was finalised; the service may open a new request to use it;
* an answer nobody asked for (wrong subject, item or region) is listed in ``unexpected``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from hub.domain.calendar import WorkingCalendar, local_date
from hub.domain.errors import AuthorisationMissing, VerificationRuleError

REGIONS: tuple[str, ...] = ("110000", "120000", "130000")


class Outcome(Enum):
    HIT = "hit"
    NO_HIT = "no_hit"
    ERROR = "error"
    NOT_AUTHORISED = "not_authorised"
    NOT_SUPPORTED = "not_supported"


@dataclass(frozen=True)
class Subject:
    subject_ref: str  # keyed pseudonym (contracts.md "Privacy")
    relation: str
    authorisation_ref: str | None


@dataclass(frozen=True)
class VerificationRequest:
    request_id: str
    requesting_region: str
    assistance_type: str
    subjects: tuple[Subject, ...]
    items: tuple[str, ...]
    submitted_at: datetime
    response_deadline: datetime | None = None  # the requester's own deadline (payload ``response_deadline``)


@dataclass(frozen=True, order=True)
class ExpectedAnswer:
    subject_ref: str
    item: str
    region: str


@dataclass(frozen=True)
class Response:
    response_id: str
    request_id: str
    responding_region: str
    subject_ref: str
    item: str
    outcome: Outcome
    answered_at: datetime
    summary: str = ""

    @property
    def answers(self) -> ExpectedAnswer:
        return ExpectedAnswer(self.subject_ref, self.item, self.responding_region)


@dataclass(frozen=True)
class VerificationPolicy:
    response_working_days: int = 5


def route(request: VerificationRequest, regions: Iterable[str] = REGIONS) -> tuple[ExpectedAnswer, ...]:
    """Every answer the request needs; refuses a request without an authorisation for each subject."""
    lacking = sorted(s.subject_ref for s in request.subjects if not s.authorisation_ref)
    if lacking:
        raise AuthorisationMissing(
            "verification.authorisation_missing",
            "no authorisation, no query",
            request_id=request.request_id,
            subjects=len(lacking),
        )
    if not request.subjects or not request.items:
        raise VerificationRuleError("verification.empty_request", request_id=request.request_id)
    others = sorted(set(regions) - {request.requesting_region})
    return tuple(
        sorted(
            ExpectedAnswer(s.subject_ref, item, r) for s in request.subjects for item in request.items for r in others
        )
    )


def due_date(request: VerificationRequest, calendar: WorkingCalendar, policy: VerificationPolicy) -> date:
    """The earlier of the policy's due day and the day of the request's own ``response_deadline``."""
    by_policy = calendar.add_working_days(local_date(request.submitted_at), policy.response_working_days)
    if request.response_deadline is None:
        return by_policy
    return min(by_policy, local_date(request.response_deadline))


class VerificationStatus(Enum):
    OPEN = "open"
    COMPLETE = "complete"
    OVERDUE = "overdue"  # final, partial: see ``missing``


@dataclass(frozen=True)
class VerificationResult:
    request_id: str
    status: VerificationStatus
    due: date
    answers: tuple[tuple[ExpectedAnswer, Response], ...]
    missing: tuple[ExpectedAnswer, ...]
    duplicates: tuple[str, ...]
    late: tuple[str, ...]
    unexpected: tuple[str, ...]


def status_of(missing: tuple, now: datetime, due: date) -> VerificationStatus:
    """Complete when every expected answer is in; else overdue once the due day has passed (Beijing time), else open."""
    if not missing:
        return VerificationStatus.COMPLETE
    if local_date(now) > due:
        return VerificationStatus.OVERDUE
    return VerificationStatus.OPEN


def aggregate(
    request: VerificationRequest,
    responses: Iterable[Response],
    now: datetime,
    calendar: WorkingCalendar,
    policy: VerificationPolicy = VerificationPolicy(),
    regions: Iterable[str] = REGIONS,
) -> VerificationResult:
    """Where a request stands at ``now``, from the set of responses received."""
    expected = route(request, regions)
    due = due_date(request, calendar, policy)
    unique: dict[str, Response] = {}
    for response in responses:
        if response.request_id == request.request_id:
            if unique.setdefault(response.response_id, response) != response:
                raise VerificationRuleError("verification.response_id_reused", response_id=response.response_id)
    wanted = set(expected)
    winners: dict[ExpectedAnswer, Response] = {}
    duplicates, late, unexpected = [], [], []
    for response in sorted(unique.values(), key=lambda r: (r.answered_at, r.response_id)):
        key = response.answers
        if key not in wanted:
            unexpected.append(response.response_id)
        elif local_date(response.answered_at) > due:
            late.append(response.response_id)
        elif key in winners:
            duplicates.append(response.response_id)
        else:
            winners[key] = response
    missing = tuple(k for k in expected if k not in winners)
    status = status_of(missing, now, due)
    return VerificationResult(
        request.request_id,
        status,
        due,
        tuple((k, winners[k]) for k in expected if k in winners),
        missing,
        tuple(sorted(duplicates)),
        tuple(sorted(late)),
        tuple(sorted(unexpected)),
    )
