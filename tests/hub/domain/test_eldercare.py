"""Claim adjudication for portable eldercare subsidies (domain.md §5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.calendar import Period
from hub.domain.eldercare import Adjudication, ClaimLine, Enrolment, RateTable, Reason, adjudicate
from hub.domain.errors import EldercareRuleError

CST = timezone(timedelta(hours=8))
MARCH = Period(2024, 3)
RATES = RateTable(
    {
        "bed_operation": [(date(2016, 10, 1), 30000)],
        "bed_operation:severe": [(date(2016, 10, 1), 50000)],
        "disability_care": [(date(2019, 10, 1), 20000), (date(2024, 3, 1), 22000)],
    }
)
ELDER = Enrolment(
    elder_ref="e1",
    home_district="110102",
    facility_id="F-YANJIAO-1",
    facility_region="130000",
    admitted_on=date(2023, 1, 10),
    discharged_on=None,
    assessment_grade="moderate",
    assessment_valid_from=date(2023, 1, 1),
    assessment_valid_to=date(2025, 12, 31),
)


def claim(claim_id: str = "c1", **changes: object) -> ClaimLine:
    line = ClaimLine(
        claim_id=claim_id,
        elder_ref="e1",
        subsidy_type="bed_operation",
        period=MARCH,
        days_in_care=31,
        amount_fen=30000,
        facility_id="F-YANJIAO-1",
        facility_region="130000",
        payer_district="110102",
        submitted_at=datetime(2024, 4, 5, 10, tzinfo=CST),
    )
    return replace(line, **changes)  # type: ignore[arg-type]


def judge(line: ClaimLine, *enrolments: Enrolment) -> Adjudication:
    (result,) = adjudicate([line], enrolments or (ELDER,), RATES)
    return result


@pytest.mark.parametrize(
    ("rule", "line", "enrolment", "reasons", "payable"),
    [
        ("a full month at the rate is paid", claim(), ELDER, (), 30000),
        ("15 days in care counts as a full month", claim(days_in_care=15), ELDER, (), 30000),
        ("14 days in care counts as none", claim(days_in_care=14), ELDER, (Reason.UNDER_15_DAYS,), 0),
        ("a grade-specific rate wins", claim(amount_fen=50000), replace(ELDER, assessment_grade="severe"), (), 50000),
        (
            "the rate effective at the month's start applies",
            claim(subsidy_type="disability_care", amount_fen=22000),
            ELDER,
            (),
            22000,
        ),
        (
            "an old rate is a mismatch after a change",
            claim(subsidy_type="disability_care", amount_fen=20000),
            ELDER,
            (Reason.AMOUNT_MISMATCH,),
            0,
        ),
        (
            "a claimed amount off the rate is rejected, not adjusted",
            claim(amount_fen=29999),
            ELDER,
            (Reason.AMOUNT_MISMATCH,),
            0,
        ),
        ("an unknown subsidy type has no rate", claim(subsidy_type="top_up"), ELDER, (Reason.NO_RATE,), 0),
        ("not enrolled at the claiming facility", claim(facility_id="F-OTHER"), ELDER, (Reason.NOT_ENROLLED,), 0),
        ("enrolled for another payer district", claim(payer_district="110105"), ELDER, (Reason.NOT_ENROLLED,), 0),
        (
            "discharged before the month",
            claim(),
            replace(ELDER, discharged_on=date(2024, 3, 1)),
            (Reason.NOT_ENROLLED,),
            0,
        ),
        (
            "no home-district registration",
            claim(),
            replace(ELDER, home_registered=False),
            (Reason.NOT_HOME_REGISTERED,),
            0,
        ),
        ("died before the month", claim(), replace(ELDER, died_on=date(2024, 2, 20)), (Reason.DECEASED,), 0),
        (
            "died during the month after 15 days is paid",
            claim(days_in_care=20),
            replace(ELDER, died_on=date(2024, 3, 21)),
            (),
            30000,
        ),
        (
            "an assessment expiring on the 10th is not valid for the month",
            claim(),
            replace(ELDER, assessment_valid_to=date(2024, 3, 10)),
            (Reason.ASSESSMENT_INVALID,),
            0,
        ),
        (
            "an assessment valid for 15 days of the month is valid",
            claim(),
            replace(ELDER, assessment_valid_from=date(2024, 3, 17)),
            (),
            30000,
        ),
        ("more days than the month has", claim(days_in_care=32), ELDER, (Reason.DAYS_OUT_OF_RANGE,), 0),
        (
            "more days than enrolled in the month",
            claim(days_in_care=25),
            replace(ELDER, admitted_on=date(2024, 3, 11)),
            (Reason.DAYS_EXCEED_ENROLMENT,),
            0,
        ),
    ],
)
def test_claim_line_rules(
    rule: str, line: ClaimLine, enrolment: Enrolment, reasons: tuple[Reason, ...], payable: int
) -> None:
    result = judge(line, enrolment)
    assert (result.reasons, result.payable_fen) == (reasons, payable), rule


def test_a_transfer_on_the_same_day_is_not_an_overlap() -> None:
    first = replace(ELDER, discharged_on=date(2024, 3, 10))
    second = replace(ELDER, facility_id="F-GAOBEIDIAN", admitted_on=date(2024, 3, 10))
    results = adjudicate(
        [claim("a", days_in_care=9), claim("b", facility_id="F-GAOBEIDIAN", days_in_care=22)], [first, second], RATES
    )
    assert [(r.line.claim_id, r.reasons, r.payable_fen) for r in results] == [
        ("a", (Reason.UNDER_15_DAYS,), 0),
        ("b", (), 30000),
    ]


def test_one_facility_per_elder_per_day() -> None:
    other = replace(ELDER, facility_id="F-XIANGHE", admitted_on=date(2024, 3, 20))
    results = adjudicate([claim("a")], [ELDER, other], RATES)
    assert results[0].reasons == (Reason.OVERLAPPING_FACILITY,)


def test_the_first_claim_by_submission_time_wins_and_later_ones_are_duplicates() -> None:
    early = claim("z-early", submitted_at=datetime(2024, 4, 1, tzinfo=CST))
    late = claim("a-late", submitted_at=datetime(2024, 4, 2, tzinfo=CST))
    results = adjudicate([late, early, early], [ELDER], RATES)
    assert [(r.line.claim_id, r.reasons) for r in results] == [("a-late", (Reason.DUPLICATE,)), ("z-early", ())]


def test_a_rejected_first_claim_does_not_block_a_valid_later_one() -> None:
    bad = claim("a", amount_fen=1, submitted_at=datetime(2024, 4, 1, tzinfo=CST))
    good = claim("b", submitted_at=datetime(2024, 4, 2, tzinfo=CST))
    assert [r.reasons for r in adjudicate([good, bad], [ELDER], RATES)] == [(Reason.AMOUNT_MISMATCH,), ()]


def test_float_money_is_refused() -> None:
    with pytest.raises(EldercareRuleError) as caught:
        claim(amount_fen=300.0)
    assert caught.value.rule_id == "eldercare.amount_not_fen"
    with pytest.raises(EldercareRuleError):
        RateTable({"x": [(date(2020, 1, 1), 300.0)]})  # type: ignore[list-item]


CLAIMS = [
    claim("c1"),
    claim("c2", submitted_at=datetime(2024, 4, 1, tzinfo=CST)),
    claim("c3", days_in_care=10),
    claim("c4", period=Period(2024, 4)),
    claim("c5", elder_ref="e2"),
    claim("c6", facility_id="F-XIANGHE", submitted_at=datetime(2024, 4, 5, 10, tzinfo=CST)),
]
ENROLMENTS = [ELDER, replace(ELDER, elder_ref="e2", facility_id="F-XIANGHE")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(CLAIMS), min_size=1).flatmap(
        lambda xs: st.tuples(st.just(xs), st.permutations(xs + xs[:2]))
    )
)
def test_adjudication_is_a_function_of_the_set_of_claims(case: tuple[list[ClaimLine], list[ClaimLine]]) -> None:
    original, shuffled = case
    assert adjudicate(original, ENROLMENTS, RATES) == adjudicate(shuffled, list(reversed(ENROLMENTS)), RATES)
