"""The worker's disaster memo (event summaries, hub.services.disasters.iter_summaries) is bounded (its RSS stays flat
over millions of messages) and evicting from it never changes a result: a miss rebuilds the event from its table."""

from __future__ import annotations

from types import SimpleNamespace

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


def test_the_byte_bound_evicts_the_least_recently_used_down_to_half(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(disasters, "SUMMARIES_BYTES", 10_000)
    memo = disasters._Memo()
    for k in "abcdef":
        memo[k] = SimpleNamespace(size=2_000)  # 12,000 bytes, oldest first
    disasters._evict(memo)
    assert list(memo) == ["e", "f"] and memo.bytes == 4_000  # at most half the bound
    disasters._evict(memo)
    assert list(memo) == ["e", "f"]


def test_the_memo_keeps_its_byte_total() -> None:
    memo = disasters._Memo()
    memo["a"] = SimpleNamespace(size=10)
    memo["b"] = SimpleNamespace(size=20)
    memo["a"] = SimpleNamespace(size=5)  # replaced
    assert memo.bytes == 25
    assert memo.pop("b").size == 20 and memo.pop("b", None) is None and memo.bytes == 5
    del memo["a"]
    assert memo.bytes == 0 and not memo
    memo["c"] = SimpleNamespace(size=7)
    memo.clear()
    assert memo.bytes == 0


def test_entry_sizes_follow_what_the_entry_holds(hub) -> None:  # noqa: ANN001
    hub.feed(b.disaster("bj", "A", "initial", 1, 10),
             b.msg("disaster.cancel", {"event_id": "C", "reason_code": "merged", "merged_into_event_id": "A",
                                       "reason": "合并"}, "bj"))
    memo = hub.intake.cache[disasters.SUMMARIES]
    report = memo[("bj", "A")].summary.current
    cells = len(report.figures) + sum(len(f) for f in report.county_figures.values())
    assert memo[("bj", "A")].size == 1_900 + 72 * cells
    assert memo[("bj", "C")].size == 500


def test_a_memo_over_its_byte_bound_gives_the_same_events(hub, monkeypatch) -> None:  # noqa: ANN001
    hub.feed(*REPORTS, batch=len(REPORTS))
    expected = state(hub)
    reset(hub.engine)
    hub.intake.cache.clear()
    monkeypatch.setattr(disasters, "SUMMARIES_BYTES", 6_000)  # about two entries
    hub.feed(*REPORTS, batch=3)
    memo = hub.intake.cache[disasters.SUMMARIES]
    assert 0 < sum(e.size for e in memo.values()) == memo.bytes <= 6_000
    assert state(hub) == expected
