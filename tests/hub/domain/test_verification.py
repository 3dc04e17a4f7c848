"""Household verification routed to the other two regions (domain.md §3)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.calendar import WorkingCalendar
from hub.domain.errors import AuthorisationMissing
from hub.domain.verification import (
    ExpectedAnswer,
    Outcome,
    Response,
    Subject,
    VerificationPolicy,
    VerificationRequest,
    VerificationStatus,
    aggregate,
    due_date,
    route,
)

CST = timezone(timedelta(hours=8))
SUBMITTED = datetime(2024, 3, 8, 16, tzinfo=CST)  # a Friday
CALENDAR = WorkingCalendar(holidays=frozenset({date(2024, 3, 12)}))
REQUEST = VerificationRequest(
    "v-1",
    "110000",
    "临时救助",
    (Subject("p-applicant", "self", "auth-1"), Subject("p-spouse", "spouse", "auth-2")),
    ("real_estate", "vehicles"),
    SUBMITTED,
)


def answer(
    rid: str, subject: str, item: str, region: str, day: int = 11, outcome: Outcome = Outcome.NO_HIT
) -> Response:
    return Response(rid, "v-1", region, subject, item, outcome, datetime(2024, 3, day, 10, tzinfo=CST))


ALL_ANSWERS = [
    answer(f"r{i}", s, item, region)
    for i, (s, item, region) in enumerate(
        (s, item, r)
        for s in ("p-applicant", "p-spouse")
        for item in ("real_estate", "vehicles")
        for r in ("120000", "130000")
    )
]


def test_a_request_is_routed_to_the_other_two_regions_for_every_subject_and_item() -> None:
    expected = route(REQUEST)
    assert len(expected) == 8
    assert {e.region for e in expected} == {"120000", "130000"}
    assert expected[0] == ExpectedAnswer("p-applicant", "real_estate", "120000")


def test_no_authorisation_no_query() -> None:
    bad = VerificationRequest(
        "v-2", "110000", "低保", (Subject("p", "self", "auth"), Subject("q", "child", None)), ("deposits",), SUBMITTED
    )
    with pytest.raises(AuthorisationMissing) as caught:
        route(bad)
    assert caught.value.rule_id == "verification.authorisation_missing"
    assert caught.value.context == {"request_id": "v-2", "subjects": 1}


# Friday 03-08 + 5 working days skipping the weekend and the 03-12 holiday → due Monday 03-18
@pytest.mark.parametrize(
    ("rule", "responses", "now_day", "status", "missing"),
    [
        ("nothing in yet, before the deadline", [], 18, VerificationStatus.OPEN, 8),
        ("complete when every answer is in", ALL_ANSWERS, 12, VerificationStatus.COMPLETE, 0),
        ("overdue after the due day, with the missing listed", ALL_ANSWERS[:5], 19, VerificationStatus.OVERDUE, 3),
        ("still open on the due day itself", ALL_ANSWERS[:5], 18, VerificationStatus.OPEN, 3),
        (
            "an answer after the due day does not count",
            [*ALL_ANSWERS[:7], answer("late", "p-spouse", "vehicles", "130000", day=19)],
            20,
            VerificationStatus.OVERDUE,
            1,
        ),
    ],
)
def test_aggregation(
    rule: str, responses: list[Response], now_day: int, status: VerificationStatus, missing: int
) -> None:
    result = aggregate(REQUEST, responses, datetime(2024, 3, now_day, 9, tzinfo=CST), CALENDAR)
    assert result.due == date(2024, 3, 18)
    assert (result.status, len(result.missing)) == (status, missing), rule


def test_the_earliest_answer_counts_and_later_ones_are_duplicates() -> None:
    later = answer("zz", "p-applicant", "real_estate", "120000", day=13, outcome=Outcome.HIT)
    result = aggregate(REQUEST, [later, *ALL_ANSWERS, ALL_ANSWERS[0]], datetime(2024, 3, 14, tzinfo=CST), CALENDAR)
    assert result.status is VerificationStatus.COMPLETE
    assert result.duplicates == ("zz",)
    assert result.answers[0][1].outcome is Outcome.NO_HIT


def test_unexpected_and_late_answers_are_listed_apart() -> None:
    own = answer("own", "p-applicant", "real_estate", "110000")
    late = answer("late", "p-applicant", "real_estate", "120000", day=25)
    result = aggregate(REQUEST, [own, late], datetime(2024, 3, 25, tzinfo=CST), CALENDAR, VerificationPolicy(5))
    assert (result.unexpected, result.late, result.status) == (("own",), ("late",), VerificationStatus.OVERDUE)


POOL = [
    *ALL_ANSWERS,
    answer("dup", "p-spouse", "vehicles", "120000", day=11),
    answer("late", "p-spouse", "vehicles", "130000", day=19),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(POOL)).flatmap(lambda xs: st.tuples(st.just(xs), st.permutations(xs + xs))))
def test_the_result_is_a_function_of_the_set_of_responses(case: tuple[list[Response], list[Response]]) -> None:
    now = datetime(2024, 3, 20, tzinfo=CST)
    assert aggregate(REQUEST, case[0], now, CALENDAR) == aggregate(REQUEST, case[1], now, CALENDAR)


@pytest.mark.parametrize(
    ("rule", "own_deadline", "due"),
    [
        ("no own deadline: the policy's 5 working days", None, date(2024, 3, 18)),
        ("an earlier own deadline wins", datetime(2024, 3, 13, 18, tzinfo=CST), date(2024, 3, 13)),
        ("a later own deadline does not extend the policy", datetime(2024, 3, 25, 18, tzinfo=CST), date(2024, 3, 18)),
        ("the own deadline's local (Shanghai) day counts", datetime(2024, 3, 13, 17, tzinfo=UTC), date(2024, 3, 14)),
    ],
)
def test_the_due_day_is_the_earlier_of_the_policy_and_the_requests_own_deadline(
    rule: str, own_deadline: datetime | None, due: date
) -> None:
    request = dataclasses.replace(REQUEST, response_deadline=own_deadline)
    assert due_date(request, CALENDAR, VerificationPolicy()) == due, rule
    result = aggregate(request, [], datetime.combine(due + timedelta(days=1), datetime.min.time(), CST), CALENDAR,
                       VerificationPolicy())
    assert result.due == due and result.status is VerificationStatus.OVERDUE, rule
