"""The disaster memo is bounded by the reports it holds (an event's history grows with every revision) and events
are loaded a few at a time; neither bound changes a result. On the test database (SQLite, or PostgreSQL with
JJJ_TEST_DATABASE_URL)."""

from __future__ import annotations

from types import SimpleNamespace

from hub.services import disasters
from tests.hub.services import builders as b
from tests.hub.services.conftest import engine, hub  # noqa: F401 - fixtures
from tests.hub.services.test_order_independence import reset, state

REPORTS = [b.disaster("bj", f"E{e}", "initial" if r == 1 else "update", r, 100 * e + 10 * r, at=10 * r + e)
           for r in range(1, 6) for e in range(1, 5)] + [b.correction("bj", "E2", 6, 999, at=100)]


def _event(n: int) -> tuple:
    return ((), SimpleNamespace(history=tuple(range(n))))


def test_evict_reports_drops_least_recent_events_to_half_the_limit() -> None:
    memo = {k: _event(n) for k, n in (("a", 4), ("b", 3), ("c", 2), ("d", 1))}
    disasters._evict_reports(memo, 10)  # 10 reports: at the limit, nothing goes
    assert list(memo) == ["a", "b", "c", "d"]
    memo["e"] = _event(2)  # 12 > 10: drop from the oldest until <= 5
    disasters._evict_reports(memo, 10)
    assert list(memo) == ["c", "d", "e"]


def test_small_bounds_and_one_event_per_step_give_the_same_events(hub, monkeypatch) -> None:  # noqa: ANN001, F811
    hub.feed(*REPORTS, batch=len(REPORTS))
    expected = state(hub)
    assert expected
    reset(hub.engine)
    hub.intake.cache.clear()
    monkeypatch.setattr(disasters, "LOAD_ROWS_MAX", 1)
    monkeypatch.setattr(disasters, "EVENT_REPORTS_MAX", 6)
    for i in range(0, len(REPORTS), 7):  # batches touching several events, whose histories outgrow the memo
        hub.feed(*REPORTS[i:i + 7], batch=7)
    assert sum(len(e.history) for _k, e in hub.intake.cache["disaster_events"].values()) <= 6
    assert state(hub) == expected


def test_iter_events_holds_at_most_load_rows_max_revisions_per_step(hub, monkeypatch) -> None:  # noqa: ANN001, F811
    hub.feed(*REPORTS, batch=len(REPORTS))
    monkeypatch.setattr(disasters, "LOAD_ROWS_MAX", 10)
    keys = {("bj", f"E{e}") for e in range(1, 5)}
    steps, built = [], disasters._build

    def spy(conn, ids_by, cache, status):  # noqa: ANN001, ANN202
        steps.append(sum(len(v) for v in ids_by.values()))
        return built(conn, ids_by, cache, status)

    monkeypatch.setattr(disasters, "_build", spy)
    with hub.engine.connect() as conn:
        got = dict(disasters.iter_events(conn, keys, {}))
    assert sorted(got) == sorted(keys)
    # E1 has 5 revisions, E2 6 (its correction), E3 and E4 5 each: E1 | E2 | E3 + E4, never more than 10
    assert steps == [5, 6, 10]
