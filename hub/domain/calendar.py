"""Time helpers shared by the rules: the regions' working calendar and calendar months.

The regions work in Asia/Shanghai, which has had a fixed +08:00 offset since 1991, so a fixed offset is exact
and needs no tz database (domain.md "Time and money"). Working days skip Saturdays and Sundays and an injected
holiday set; China's make-up working weekends (调休) are an injected ``extra_working_days`` set. Neither set is
hard-coded: the State Council publishes them every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from hub.domain.errors import DomainError

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    if moment.tzinfo is None:
        raise DomainError("time.naive_datetime", "datetimes must carry an offset", value=moment.isoformat())
    return moment.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class WorkingCalendar:
    """Saturdays and Sundays are rest days, except ``extra_working_days``; ``holidays`` are rest days too."""

    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
        if days < 0:
            raise DomainError("time.negative_working_days", days=days)
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval (start, end]; 0 when end <= start."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, written ``YYYY-MM`` on the wire."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise DomainError("time.bad_period", year=self.year, month=self.month)

    @classmethod
    def parse(cls, text: str) -> Period:
        try:
            year, month = text.split("-")
            if len(year) != 4 or len(month) != 2:
                raise ValueError(text)
            return cls(int(year), int(month))
        except ValueError as exc:
            raise DomainError("time.bad_period", "expected YYYY-MM", value=text) from exc

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self) -> int:
        return self.last_day.day

    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def plus_months(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
