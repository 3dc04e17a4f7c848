"""Where late lines and corrections go (table-driven): a late line of an issued month goes onto a later run; a
correction goes after both the line's month and the statement carrying it, into the first month not issued."""

from __future__ import annotations

import pytest

from hub.domain.calendar import Period
from hub.domain.settlement import correction_period, late_line_periods

P = Period.parse


@pytest.mark.parametrize(("line", "carried_in", "issued", "want"), [
    ("2026-05", None, [], "2026-06"),
    ("2026-05", "2026-05", ["2026-05"], "2026-06"),
    ("2026-05", "2026-05", ["2026-05", "2026-06", "2026-07"], "2026-08"),
    ("2026-05", "2026-07", ["2026-05", "2026-07"], "2026-08"),  # a late line on July's statement: not June
    ("2026-12", "2026-12", ["2026-12"], "2027-01"),
])
def test_correction_period(line: str, carried_in: str | None, issued: list[str], want: str) -> None:
    assert correction_period(P(line), P(carried_in) if carried_in else None, {P(x) for x in issued}) == P(want)


@pytest.mark.parametrize(("run", "open_periods", "issued", "want"), [
    ("2026-06", ["2026-05"], ["2026-05"], ["2026-05"]),
    ("2026-06", ["2026-04", "2026-05"], ["2026-05"], ["2026-05"]),  # April not issued: it waits for its own run
    ("2026-06", ["2026-06", "2026-07"], ["2026-07"], []),  # its own month is no late line; July is after the run
    ("2026-06", [], ["2026-05"], []),
])
def test_late_line_periods(run: str, open_periods: list[str], issued: list[str], want: list[str]) -> None:
    assert late_line_periods(P(run), [P(x) for x in open_periods], {P(x) for x in issued}) == tuple(P(x) for x in want)
