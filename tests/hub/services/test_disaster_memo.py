"""The worker's disaster memo (event summaries, hub.services.disasters.iter_summaries) is bounded (its RSS stays flat
over millions of messages) and evicting from it never changes a result: a miss rebuilds the event from its table."""

from __future__ import annotations

from hub.services import disasters
from tests.hub.services import builders as b
from tests.hub.services.test_order_independence import reset, state

REPORTS = [b.disaster("bj", f"E{e}", "initial" if r == 1 else "update", r, 100 * e + 10 * r, at=10 * r + e)
           for r in range(1, 6) for e in range(1, 5)] + [b.correction("bj", "E2", 6, 999, at=100)]


def test_evict_oldest_keeps_the_newer_half() -> None:
    memo = {k: k for k in range(10)}
    disasters._evict_oldest(memo, 8)
    assert list(memo) == [6, 7, 8, 9]
    disasters._evict_oldest(memo, 8)
    assert list(memo) == [6, 7, 8, 9]


def test_a_tiny_memo_gives_the_same_events_as_no_eviction(hub, monkeypatch) -> None:  # noqa: ANN001
    hub.feed(*REPORTS, batch=len(REPORTS))
    expected = state(hub)
    assert expected  # the fingerprint is not empty
    reset(hub.engine)
    hub.intake.cache.clear()
    monkeypatch.setattr(disasters, "SUMMARIES_MAX", 2)
    hub.feed(*REPORTS, batch=1)  # events come round-robin: each is evicted before its next revision
    assert len(hub.intake.cache[disasters.SUMMARIES]) <= 2
    assert state(hub) == expected
