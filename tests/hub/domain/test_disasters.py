"""Disaster events from report revisions (domain.md §1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.calendar import WorkingCalendar
from hub.domain.disaster_checks import (
    DeadlinePolicy,
    FigureDecrease,
    consistency_flags,
    cumulative_decreases,
    deadline_flags,
)
from hub.domain.disaster_links import EventLink, link_events, linked_groups
from hub.domain.disaster_totals import county_totals, event_totals, overall_totals, region_totals
from hub.domain.disasters import (
    DisasterReport,
    EventKey,
    IgnoredReport,
    ReportKind,
    Stage,
    Status,
    build_event,
    build_events,
)
from hub.domain.errors import DisasterRuleError

CST = timezone(timedelta(hours=8))
T0 = datetime(2023, 7, 30, 8, 0, tzinfo=CST)
KEY = EventKey("130000", "HE-2023-0730-FLOOD")


def report(
    message_id: str,
    stage: Stage,
    revision: int,
    hours: float = 0,
    key: EventKey = KEY,
    kind: ReportKind = ReportKind.REPORT,
    received_hours: float | None = None,
    **extra: object,
) -> DisasterReport:
    defaults: dict[str, object] = {
        "disaster_type": "flood",
        "started_on": date(2023, 7, 30),
        "occurred_at": T0,
        "figures": {"affected_population": 1000 * (revision + 1)},
        "counties": frozenset({"130681"}),
    }
    defaults.update(extra)
    as_of = T0 + timedelta(hours=hours)
    received = T0 + timedelta(hours=received_hours if received_hours is not None else hours + 0.5)
    return DisasterReport(
        message_id=message_id,
        key=key,
        stage=stage,
        revision=revision,
        data_as_of=as_of,
        received_at=received,
        kind=kind,
        **defaults,  # type: ignore[arg-type]
    )


INITIAL = report("m1", Stage.INITIAL, 1, hours=1)
UPDATE = report("m2", Stage.UPDATE, 2, hours=6)
UPDATE_2 = report("m3", Stage.UPDATE, 3, hours=12)
FINAL = report("m4", Stage.FINAL, 4, hours=48)
LATE_UPDATE = report("m5", Stage.UPDATE, 5, hours=50)
CORRECTION = report("m6", Stage.FINAL, 6, hours=200, kind=ReportKind.CORRECTION, figures={"affected_population": 4200})
CANCEL = report("m7", Stage.UPDATE, 7, hours=3, kind=ReportKind.CANCEL, figures={})


@pytest.mark.parametrize(
    ("rule", "reports", "current", "status"),
    [
        ("the 初报 alone is current", [INITIAL], "m1", Status.OPEN),
        ("a 续报 supersedes the 初报", [INITIAL, UPDATE], "m2", Status.OPEN),
        ("a late-arriving older 续报 never overwrites a newer one", [UPDATE_2, UPDATE, INITIAL], "m3", Status.OPEN),
        ("the 核报 closes the event", [INITIAL, UPDATE, FINAL], "m4", Status.CLOSED),
        (
            "a 续报 that arrives after the 核报 does not reopen the event",
            [FINAL, INITIAL, LATE_UPDATE],
            "m4",
            Status.CLOSED,
        ),
        ("a correction replaces the final figures", [FINAL, CORRECTION, UPDATE], "m6", Status.CLOSED),
        ("a correction arriving before its 核报 stands in for it", [CORRECTION], "m6", Status.CLOSED),
        ("a cancel marks the event cancelled", [INITIAL, UPDATE, CANCEL], "m2", Status.CANCELLED),
    ],
)
def test_supersession(rule: str, reports: list[DisasterReport], current: str, status: Status) -> None:
    event = build_event(reports)
    assert event.current is not None and event.current.message_id == current, rule
    assert event.status is status, rule


def test_history_keeps_every_revision_in_revision_order() -> None:
    event = build_event([CORRECTION, LATE_UPDATE, FINAL, UPDATE, INITIAL, UPDATE])
    assert [r.message_id for r in event.history] == ["m1", "m2", "m4", "m5", "m6"]
    assert event.ignored == (IgnoredReport("m5", "update_after_final"),)
    assert event.final is FINAL
    assert event.figures == {"affected_population": 4200}


def test_a_second_final_without_correction_is_ignored() -> None:
    second = report("m9", Stage.FINAL, 9, hours=60)
    event = build_event([second, FINAL])
    assert event.current == FINAL
    assert event.ignored == (IgnoredReport("m9", "second_final"),)


def test_a_correction_not_newer_than_the_final_is_ignored() -> None:
    stale = report("m8", Stage.FINAL, 4, hours=49, kind=ReportKind.CORRECTION)
    event = build_event([FINAL, stale])
    assert event.current == FINAL
    assert event.ignored == (IgnoredReport("m8", "correction_not_newer"),)


def test_equal_revision_is_decided_by_data_as_of() -> None:
    older = report("a", Stage.UPDATE, 2, hours=5)
    newer = report("b", Stage.UPDATE, 2, hours=7)
    assert build_event([newer, older]).current == newer


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ("a reused message id with other content", "disaster.message_id_reused"),
        ("reports of two events", "disaster.mixed_events"),
    ],
)
def test_refusals(rule: str, error: str) -> None:
    if error == "disaster.message_id_reused":
        reports = [INITIAL, report("m1", Stage.INITIAL, 1, hours=2)]
    else:
        reports = [INITIAL, report("x", Stage.INITIAL, 1, key=EventKey("120000", "TJ-1"))]
    with pytest.raises(DisasterRuleError) as caught:
        build_event(reports)
    assert caught.value.rule_id == error, rule


def test_a_float_figure_is_refused() -> None:
    with pytest.raises(DisasterRuleError) as caught:
        report("f", Stage.INITIAL, 1, figures={"crop_affected_ha": 1.5})
    assert caught.value.rule_id == "disaster.bad_figure"


# --- monotonic cumulative figures -----------------------------------------------------------------------


def test_a_falling_cumulative_figure_without_reason_is_flagged_not_rejected() -> None:
    first = report("a", Stage.INITIAL, 1, figures={"deaths": 5, "relocated_realtime": 900})
    second = report("b", Stage.UPDATE, 2, hours=3, figures={"deaths": 4, "relocated_realtime": 300})
    event = build_event([second, first])
    assert event.current == second
    assert cumulative_decreases(event) == (FigureDecrease("deaths", "a", "b", 5, 4),)


def test_a_falling_cumulative_figure_with_a_reason_is_not_flagged() -> None:
    first = report("a", Stage.INITIAL, 1, figures={"crop_affected_ha": Decimal("120.50")})
    second = report(
        "b", Stage.UPDATE, 2, hours=3, figures={"crop_affected_ha": Decimal("100.00")}, decrease_reason="重复统计"
    )
    assert cumulative_decreases(build_event([first, second])) == ()


# --- deadlines ------------------------------------------------------------------------------------------

POLICY = DeadlinePolicy()
CALENDAR = WorkingCalendar(holidays=frozenset({date(2023, 8, 2)}))


def test_an_initial_report_received_after_two_hours_is_late() -> None:
    late = report("a", Stage.INITIAL, 1, hours=0, received_hours=2.5)
    on_time = report("b", Stage.INITIAL, 1, hours=0, received_hours=2)
    now = T0 + timedelta(hours=3)
    assert [f.rule for f in deadline_flags(build_event([late]), now, POLICY, CALENDAR)] == ["initial_late"]
    assert deadline_flags(build_event([on_time]), now, POLICY, CALENDAR) == ()


def test_a_major_event_owes_a_zero_report_every_day_by_noon() -> None:
    # deaths 12 ≥ 10 → major; reports received 07-30 09:00 and 07-31 11:00; nothing on 08-01
    first = report("a", Stage.INITIAL, 1, hours=0, received_hours=1, figures={"deaths": 12})
    second = report("b", Stage.UPDATE, 2, hours=26, received_hours=27, figures={"deaths": 12})
    now = datetime(2023, 8, 1, 13, 0, tzinfo=CST)
    flags = deadline_flags(build_event([first, second]), now, POLICY, CALENDAR)
    assert [(f.rule, f.day) for f in flags] == [("zero_report_missing", date(2023, 8, 1))]


def test_a_final_report_is_overdue_after_the_working_days_allowance() -> None:
    # ended Friday 2023-07-28; 5 working days skipping the weekend and the 08-02 holiday → due 2023-08-07
    ended = report(
        "a", Stage.INITIAL, 1, hours=0, received_hours=1, started_on=date(2023, 7, 27), ended_on=date(2023, 7, 28)
    )
    event = build_event([ended])
    assert deadline_flags(event, datetime(2023, 8, 7, 23, 0, tzinfo=CST), POLICY, CALENDAR) == ()
    flags = deadline_flags(event, datetime(2023, 8, 8, 0, 1, tzinfo=CST), POLICY, CALENDAR)
    assert [(f.rule, f.due) for f in flags] == [("final_overdue", date(2023, 8, 7))]


# --- cross-border links ---------------------------------------------------------------------------------

BJ = EventKey("110000", "BJ-1")
TJ = EventKey("120000", "TJ-1")
HE = EventKey("130000", "HE-1")


def live(key: EventKey, county: str, kind: str = "flood", start: int = 30, ref: str | None = None) -> object:
    return build_event(
        [
            report(
                f"{key.event_id}-1",
                Stage.UPDATE,
                1,
                key=key,
                counties=frozenset({county}),
                disaster_type=kind,
                started_on=date(2023, 7, start),
                shared_event_ref=ref,
            )
        ]
    )


@pytest.mark.parametrize(
    ("rule", "one", "two", "links"),
    [
        ("shared county, same type, overlapping dates", (BJ, "130681"), (HE, "130681"), ["same_area"]),
        ("adjacent counties are linked", (BJ, "110111"), (HE, "130681"), ["same_area"]),
        ("non-adjacent counties are not", (BJ, "110112"), (HE, "130681"), []),
        ("a different disaster type is not", (BJ, "130681", "drought"), (HE, "130681"), []),
        (
            "an explicit shared ref links regardless",
            (BJ, "110112", "typhoon", 1, "2305"),
            (TJ, "120114", "flood", 30, "2305"),
            ["shared_ref"],
        ),
        ("one region's own events are not linked", (HE, "130681"), (EventKey("130000", "HE-2"), "130681"), []),
    ],
)
def test_cross_border_links(rule: str, one: tuple, two: tuple, links: list[str]) -> None:  # type: ignore[type-arg]
    events = [live(*one), live(*two)]
    found = link_events(events, {("130681", "110111")}, as_of=date(2023, 8, 2))  # type: ignore[arg-type]
    assert [link.reason for link in found] == links, rule


def test_linked_groups_are_connected_components() -> None:
    links = [
        EventLink(("110000", "BJ-1"), ("130000", "HE-1"), "same_area"),
        EventLink(("120000", "TJ-1"), ("130000", "HE-1"), "shared_ref"),
    ]
    groups = linked_groups([BJ, TJ, HE, EventKey("130000", "HE-9")], links)
    assert groups == (
        frozenset({("110000", "BJ-1"), ("120000", "TJ-1"), ("130000", "HE-1")}),
        frozenset({("130000", "HE-9")}),
    )


# --- totals ---------------------------------------------------------------------------------------------


def test_totals_keep_persons_per_event_apart_from_person_times_across_events() -> None:
    one = build_event(
        [
            report(
                "a",
                Stage.UPDATE,
                1,
                key=BJ,
                figures={
                    "affected_population": 300,
                    "collapsed_houses": 4,
                    "direct_economic_loss_wan_yuan": Decimal("12.5"),
                },
                county_figures={"110111": {"affected_population": 300}},
            )
        ]
    )
    two = build_event(
        [
            report(
                "b",
                Stage.UPDATE,
                1,
                key=HE,
                figures={"affected_population": 700, "direct_economic_loss_wan_yuan": Decimal("7.5")},
                county_figures={"130681": {"affected_population": 500}, "110111": {"affected_population": 200}},
            )
        ]
    )
    cancelled = build_event(
        [report("c", Stage.UPDATE, 1, key=TJ), report("d", Stage.UPDATE, 2, key=TJ, kind=ReportKind.CANCEL)]
    )
    assert event_totals(one).persons == {"affected_population": 300}
    assert event_totals(one).quantities == {"collapsed_houses": 4, "direct_economic_loss_wan_yuan": Decimal("12.5")}
    overall = overall_totals([one, two, cancelled])
    assert overall.event_count == 2
    assert overall.person_times == {"affected_population": 1000}
    assert overall.quantities == {"collapsed_houses": 4, "direct_economic_loss_wan_yuan": Decimal("20.0")}
    assert set(region_totals([one, two, cancelled])) == {"110000", "130000"}
    assert county_totals([one, two])["110111"].person_times == {"affected_population": 500}
    assert build_events([*one.history, *two.history]).keys() == {BJ, HE}


# --- order independence ---------------------------------------------------------------------------------

ALL = [INITIAL, UPDATE, UPDATE_2, FINAL, LATE_UPDATE, CORRECTION, report("m8", Stage.FINAL, 8, hours=60)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(ALL), min_size=1, max_size=12).flatmap(
        lambda xs: st.tuples(st.just(xs), st.permutations(xs + xs[: len(xs) // 2]))
    )
)
def test_final_state_is_a_function_of_the_set_of_reports(
    case: tuple[list[DisasterReport], list[DisasterReport]],
) -> None:
    original, shuffled_with_duplicates = case
    one, two = build_event(original), build_event(shuffled_with_duplicates)
    assert one == two
    assert cumulative_decreases(one) == cumulative_decreases(two)


@pytest.mark.parametrize(
    ("rule", "figures", "flags"),
    [
        (
            "consistent figures",
            {"injured": 5, "seriously_injured": 2, "crop_affected_ha": Decimal("10"), "crop_damaged_ha": Decimal("4")},
            [],
        ),
        (
            "其中 above its parent",
            {"injured": 2, "seriously_injured": 3},
            [("part_exceeds_whole", ("seriously_injured", "injured"))],
        ),
        (
            "实时值 above 累计值",
            {"relocated_realtime": 50, "relocated_cumulative": 40},
            [("part_exceeds_whole", ("relocated_realtime", "relocated_cumulative"))],
        ),
        (
            "绝收 above 成灾",
            {"crop_failed_ha": Decimal("5.5"), "crop_damaged_ha": Decimal("5.0")},
            [("part_exceeds_whole", ("crop_failed_ha", "crop_damaged_ha"))],
        ),
        (
            "集中 + 分散 ≠ 紧急转移安置",
            {"relocated_centralised": 30, "relocated_dispersed": 20, "relocated_cumulative": 40},
            [("split_does_not_add_up", ("relocated_centralised", "relocated_dispersed", "relocated_cumulative"))],
        ),
    ],
)
def test_internal_consistency(
    rule: str, figures: dict[str, int | Decimal], flags: list[tuple[str, tuple[str, ...]]]
) -> None:
    found = consistency_flags(report("c", Stage.UPDATE, 1, figures=figures))
    assert [(f.rule, f.indicators) for f in found] == flags, rule


