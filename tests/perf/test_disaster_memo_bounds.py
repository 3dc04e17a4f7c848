"""The disaster memo holds a summary per event, not its history (an event's history grows with every revision), and
a rebuild loads events a few at a time; neither bound changes a result. On the test database (SQLite, or PostgreSQL
with JJJ_TEST_DATABASE_URL)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from hub.domain.disasters import DisasterReport
from hub.services import disasters
from tests.hub.services import builders as b
from tests.hub.services.conftest import hub  # noqa: F401 - fixture (engine comes from tests/conftest.py)
from tests.hub.services.test_order_independence import reset, state

REPORTS = [b.disaster("bj", f"E{e}", "initial" if r == 1 else "update", r, 100 * e + 10 * r, at=10 * r + e)
           for r in range(1, 6) for e in range(1, 5)] + [b.correction("bj", "E2", 6, 999, at=100)]


def _reports_held(value: object, seen: set[int] | None = None) -> int:
    """DisasterReport objects reachable from ``value`` through dataclass fields, tuples, lists and dicts."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, DisasterReport):
        return 1
    if is_dataclass(value):
        return sum(_reports_held(getattr(value, f.name), seen) for f in fields(value))
    if isinstance(value, tuple | list | set | frozenset):
        return sum(_reports_held(v, seen) for v in value)
    if isinstance(value, dict):
        return sum(_reports_held(v, seen) for v in value.values())
    return 0


def test_a_memoised_event_holds_its_current_report_not_its_history(hub) -> None:  # noqa: ANN001, F811
    flood = [b.disaster("bj", "E1", "initial" if r == 1 else "update", r, 100 * r, at=r) for r in range(1, 41)]
    hub.feed(*flood, batch=4)
    entry = hub.intake.cache[disasters.SUMMARIES][("bj", "E1")]
    assert entry.summary.count == 40
    assert _reports_held(entry) == 1  # the current report (no 核报 yet)
    hub.feed(b.disaster("bj", "E1", "final", 41, 5000, at=50))
    assert _reports_held(hub.intake.cache[disasters.SUMMARIES][("bj", "E1")]) == 1  # the 核报 is current


def test_small_bounds_and_one_event_per_step_give_the_same_events(hub, monkeypatch) -> None:  # noqa: ANN001, F811
    hub.feed(*REPORTS, batch=len(REPORTS))
    expected = state(hub)
    assert expected
    reset(hub.engine)
    hub.intake.cache.clear()
    monkeypatch.setattr(disasters, "LOAD_ROWS_MAX", 1)
    monkeypatch.setattr(disasters, "SUMMARIES_MAX", 2)
    for i in range(0, len(REPORTS), 7):  # batches touching several events, more than the memo holds
        hub.feed(*REPORTS[i:i + 7], batch=7)
    assert len(hub.intake.cache[disasters.SUMMARIES]) <= 2
    assert state(hub) == expected


def test_iter_events_holds_at_most_load_rows_max_revisions_per_step(hub, monkeypatch) -> None:  # noqa: ANN001, F811
    hub.feed(*REPORTS, batch=len(REPORTS))
    monkeypatch.setattr(disasters, "LOAD_ROWS_MAX", 10)
    keys = {("bj", f"E{e}") for e in range(1, 5)}
    steps, built = [], disasters._build

    def spy(conn, ids_by):  # noqa: ANN001, ANN202
        steps.append(sum(len(v) for v in ids_by.values()))
        return built(conn, ids_by)

    monkeypatch.setattr(disasters, "_build", spy)
    with hub.engine.connect() as conn:
        got = dict(disasters.iter_events(conn, keys))
    assert sorted(got) == sorted(keys)
    # E1 has 5 revisions, E2 6 (its correction), E3 and E4 5 each: E1 | E2 | E3 + E4, never more than 10
    assert steps == [5, 6, 10]
