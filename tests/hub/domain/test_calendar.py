"""Working days and calendar months."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hub.domain.calendar import Period, WorkingCalendar, local_date
from hub.domain.errors import DomainError

# 2024 National Day: 10-01..10-07 off, Sunday 09-29 and Saturday 10-12 worked (调休)
NATIONAL_DAY = WorkingCalendar(
    holidays=frozenset(date(2024, 10, d) for d in range(1, 8)),
    extra_working_days=frozenset({date(2024, 9, 29), date(2024, 10, 12)}),
)


@pytest.mark.parametrize(
    ("rule", "calendar", "start", "days", "expected"),
    [
        ("Friday + 1 working day is Monday", WorkingCalendar(), date(2024, 3, 8), 1, date(2024, 3, 11)),
        ("Monday + 5 working days is next Monday", WorkingCalendar(), date(2024, 3, 4), 5, date(2024, 3, 11)),
        ("zero days is the day itself", WorkingCalendar(), date(2024, 3, 9), 0, date(2024, 3, 9)),
        ("holidays are skipped, make-up Saturday counts", NATIONAL_DAY, date(2024, 9, 30), 5, date(2024, 10, 12)),
        ("a make-up Sunday is a working day", NATIONAL_DAY, date(2024, 9, 27), 1, date(2024, 9, 29)),
    ],
)
def test_add_working_days(rule: str, calendar: WorkingCalendar, start: date, days: int, expected: date) -> None:
    assert calendar.add_working_days(start, days) == expected, rule


def test_working_days_between_counts_the_half_open_interval() -> None:
    assert WorkingCalendar().working_days_between(date(2024, 3, 8), date(2024, 3, 15)) == 5
    assert WorkingCalendar().working_days_between(date(2024, 3, 15), date(2024, 3, 8)) == 0


def test_periods() -> None:
    feb = Period.parse("2024-02")
    assert (str(feb), feb.days, feb.last_day, str(feb.plus_months(11)), str(Period(2024, 12).next())) == (
        "2024-02",
        29,
        date(2024, 2, 29),
        "2025-01",
        "2025-01",
    )
    for bad in ("2024-13", "2024-3", "24-03", "x"):
        with pytest.raises(DomainError):
            Period.parse(bad)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        local_date(datetime(2024, 1, 1))
    assert caught.value.rule_id == "time.naive_datetime"
