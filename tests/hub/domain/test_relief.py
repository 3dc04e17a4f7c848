"""Relief stock ledger, needs and allocation, cross-region support (domain.md §2)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.errors import ReliefRuleError
from hub.domain.relief import (
    Depot,
    Discrepancy,
    Movement,
    MovementKind,
    Snapshot,
    StockKey,
    StockPosition,
    Tier,
    build_ledger,
    discrepancies,
    position_at,
    stock_totals,
)
from hub.domain.relief_needs import Allocation, Ratios, Shortfall, allocate, needs, shortfalls
from hub.domain.relief_support import (
    Commitment,
    CostEntry,
    Decline,
    Dispatch,
    LineProgress,
    Receipt,
    RequestLine,
    SupportRequest,
    SupportStatus,
    cost_ledger,
    support_state,
)

CST = timezone(timedelta(hours=8))
T = datetime(2023, 7, 31, 8, tzinfo=CST)
TENTS = StockKey("HE-PROV-01", "tent_12m2", "single", "B2021")
QUILTS = StockKey("HE-PROV-01", "quilt", "std", "B2022")


def at(hours: int) -> datetime:
    return T + timedelta(hours=hours)


MOVES = [
    Movement("m1", TENTS, MovementKind.OUTBOUND, 200, at(1)),
    Movement("m2", TENTS, MovementKind.INBOUND, 50, at(2)),
    Movement("m3", TENTS, MovementKind.TRANSFER_OUT, 30, at(3)),
    Movement("m4", TENTS, MovementKind.SCRAP, 5, at(4)),
    Movement("m5", TENTS, MovementKind.ADJUSTMENT, -2, at(5)),
    Movement("m6", TENTS, MovementKind.TRANSFER_IN, 10, at(10)),  # exactly at the second snapshot: inside it
    Movement("m7", TENTS, MovementKind.INBOUND, 100, at(11)),
]
SNAPS = [
    Snapshot("s1", TENTS, 1000, 100, 10, at(0)),
    Snapshot("s2", TENTS, 820, 100, 10, at(10)),  # expected 1000-200+50-30-5-2+10 = 823: 3 tents missing
    Snapshot("s3", TENTS, 920, 0, 10, at(12)),
]


def test_a_snapshot_that_disagrees_with_the_ledger_is_flagged_with_the_difference() -> None:
    found = discrepancies(build_ledger(MOVES, SNAPS))
    assert found == (Discrepancy(TENTS, "s2", "s1", 823, 820),)
    assert found[0].difference == -3


def test_two_disagreeing_snapshots_at_the_same_time_are_a_conflict() -> None:
    twin = Snapshot("s2b", TENTS, 823, 100, 10, at(10))
    found = discrepancies(build_ledger(MOVES, [*SNAPS, twin]))
    assert [(d.snapshot_id, d.conflict) for d in found] == [("s2", False), ("s2b", True), ("s3", False)]


@pytest.mark.parametrize(
    ("rule", "hours", "position"),
    [
        ("before any snapshot, movements alone from zero", -1, StockPosition(TENTS, 0, 0, 0)),
        ("at a snapshot, the count", 0, StockPosition(TENTS, 1000, 100, 10)),
        ("between snapshots, the count plus movements", 3, StockPosition(TENTS, 820, 100, 10)),
        ("after the last snapshot", 11, StockPosition(TENTS, 920, 100, 10)),
        ("a later snapshot resets reserved", 12, StockPosition(TENTS, 920, 0, 10)),
    ],
)
def test_balance_at_time(rule: str, hours: int, position: StockPosition) -> None:
    assert position_at(build_ledger(MOVES, SNAPS), TENTS, at(hours)) == position, rule


def test_movement_quantities_are_positive_except_adjustments() -> None:
    with pytest.raises(ReliefRuleError) as caught:
        Movement("x", TENTS, MovementKind.OUTBOUND, -5, T)
    assert caught.value.rule_id == "relief.bad_quantity"


def test_totals_per_region_tier_and_item() -> None:
    depots = {
        "HE-PROV-01": Depot("HE-PROV-01", Tier.PROVINCE, "130000", "130000"),
        "BJ-CITY-01": Depot("BJ-CITY-01", Tier.PROVINCE, "110000", "110000"),
        "HE-CTY-01": Depot("HE-CTY-01", Tier.COUNTY, "130681", "130000"),
    }
    snaps = [
        Snapshot("a", TENTS, 1000, 100, 10, T),
        Snapshot("b", StockKey("BJ-CITY-01", "tent_12m2", "single", "B1"), 500, 0, 0, T),
        Snapshot("c", StockKey("HE-CTY-01", "tent_12m2", "cotton", "B9"), 40, 0, 0, T),
        Snapshot("d", QUILTS, 3000, 0, 0, T),
    ]
    totals = stock_totals(build_ledger([], snaps), depots, at(1))
    assert totals.by_region == {("110000", "tent_12m2"): 500, ("130000", "quilt"): 3000, ("130000", "tent_12m2"): 930}
    assert totals.by_tier[(Tier.PROVINCE, "tent_12m2")] == 1390
    assert totals.by_item == {"quilt": 3000, "tent_12m2": 1430}


@settings(max_examples=200, deadline=None)
@given(
    st.permutations(MOVES + MOVES[:3]),
    st.permutations(SNAPS + SNAPS[:1]),
)
def test_the_ledger_is_a_function_of_the_set_of_messages(moves: list[Movement], snaps: list[Snapshot]) -> None:
    ledger = build_ledger(moves, snaps)
    assert ledger == build_ledger(MOVES, SNAPS)
    assert discrepancies(ledger) == discrepancies(build_ledger(MOVES, SNAPS))


# --- needs, shortfall, allocation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "figures", "expected"),
    [
        (
            "one tent per 4.5 persons, rounded up",
            {"relocated_realtime": 10},
            {"folding_bed": 10, "quilt": 10, "tent_12m2": 3},
        ),
        ("9 persons need exactly 2 tents", {"relocated_realtime": 9}, {"folding_bed": 9, "quilt": 9, "tent_12m2": 2}),
        (
            "real-time relocation counts before cumulative",
            {"relocated_realtime": 9, "relocated_cumulative": 100},
            {"folding_bed": 9, "quilt": 9, "tent_12m2": 2},
        ),
        ("no relocation, no need", {"deaths": 1}, {"folding_bed": 0, "quilt": 0, "tent_12m2": 0}),
    ],
)
def test_needs_from_relocated_persons(rule: str, figures: dict[str, int], expected: dict[str, int]) -> None:
    assert needs(figures) == expected, rule


def test_ratios_are_configurable() -> None:
    assert needs({"relocated_cumulative": 10}, Ratios({"tent_12m2": Fraction(1, 4)})) == {"tent_12m2": 3}


NEED = {"130000": {"tent_12m2": 1000, "quilt": 4500}, "120000": {"tent_12m2": 50}}
AVAILABLE = {
    ("130000", "tent_12m2"): 400,
    ("130000", "quilt"): 5000,
    ("110000", "tent_12m2"): 500,
    ("120000", "tent_12m2"): 300,
}
DISTANCE = {("110000", "130000"): 2, ("120000", "130000"): 1, ("110000", "120000"): 1}


def test_shortfall_is_need_minus_stock_in_the_region() -> None:
    assert shortfalls(NEED, AVAILABLE) == (Shortfall("130000", "tent_12m2", 1000, 400),)


def test_allocation_takes_from_the_nearest_surplus_first() -> None:
    # Tianjin is nearer to Hebei but keeps 50 tents for itself: surplus 250; Beijing gives the remaining 350
    allocations, still_missing = allocate(NEED, AVAILABLE, DISTANCE)
    assert allocations == (
        Allocation("130000", "tent_12m2", "120000", 250),
        Allocation("130000", "tent_12m2", "110000", 350),
    )
    assert still_missing == ()


def test_what_no_surplus_covers_stays_missing() -> None:
    allocations, still_missing = allocate({"130000": {"tent_12m2": 2000}}, AVAILABLE, DISTANCE)
    assert [a.quantity for a in allocations] == [300, 500]
    assert still_missing == (Shortfall("130000", "tent_12m2", 800, 0),)


def test_equal_distances_are_broken_by_region_code() -> None:
    allocations, _ = allocate(
        {"130000": {"x": 10}},
        {("110000", "x"): 10, ("120000", "x"): 10},
        {("110000", "130000"): 1, ("120000", "130000"): 1},
    )
    assert allocations == (Allocation("130000", "x", "110000", 10),)


# --- support flow ---------------------------------------------------------------------------------------

REQUEST = SupportRequest(
    "req-1",
    "HE-2023-0730-FLOOD",
    "130000",
    (RequestLine(1, "tent_12m2", "single", "顶", 500), RequestLine(2, "quilt", "std", "床", 2000)),
    T,
)
COMMIT_BJ = Commitment("c-bj", "req-1", "110000", {1: 300, 2: 2000}, at(1))
COMMIT_TJ = Commitment("c-tj", "req-1", "120000", {1: 200}, at(1))
DISPATCH_BJ = Dispatch("x-bj", "req-1", "110000", {1: 300, 2: 2000}, at(2))
DISPATCH_TJ = Dispatch("x-tj", "req-1", "120000", {1: 200}, at(2))
RECEIPT_BJ = Receipt("r-bj", "x-bj", {1: 298, 2: 2000}, {1: 2}, at(6))


@pytest.mark.parametrize(
    ("rule", "messages", "status"),
    [
        ("a fresh request awaits answers", {}, SupportStatus.REQUESTED),
        (
            "all declines leave it declined",
            {"declines": [Decline("d", "req-1", "110000", "no stock", at(1))]},
            SupportStatus.DECLINED,
        ),
        ("a commitment", {"commitments": [COMMIT_BJ]}, SupportStatus.COMMITTED),
        ("goods on the road", {"commitments": [COMMIT_BJ], "dispatches": [DISPATCH_BJ]}, SupportStatus.DISPATCHED),
        (
            "everything shipped is accounted for",
            {"commitments": [COMMIT_BJ], "dispatches": [DISPATCH_BJ], "receipts": [RECEIPT_BJ]},
            SupportStatus.RECEIVED,
        ),
    ],
)
def test_support_status(rule: str, messages: dict[str, list[object]], status: SupportStatus) -> None:
    assert support_state(REQUEST, **messages).status is status, rule  # type: ignore[arg-type]


def test_shipped_equals_received_plus_in_transit_plus_discrepancy() -> None:
    state = support_state(
        REQUEST, [COMMIT_BJ, COMMIT_TJ], [], [DISPATCH_BJ, DISPATCH_TJ, DISPATCH_BJ], [RECEIPT_BJ, RECEIPT_BJ]
    )
    assert state.lines == (LineProgress(1, 500, 500, 500, 298, 2), LineProgress(2, 2000, 2000, 2000, 2000, 0))
    assert state.lines[0].in_transit == 200
    assert state.status is SupportStatus.DISPATCHED
    assert state.flags == ()


def test_receiving_more_than_shipped_is_flagged() -> None:
    state = support_state(REQUEST, [COMMIT_BJ], [], [DISPATCH_BJ], [Receipt("r", "x-bj", {1: 300}, {1: 5}, at(5))])
    assert state.flags == ("received_beyond_shipped",)


def test_a_region_that_commits_and_declines_counts_as_committed() -> None:
    state = support_state(REQUEST, [COMMIT_BJ], [Decline("d", "req-1", "110000", "x", at(3))])
    assert (state.committed_regions, state.declined_regions, state.flags) == (("110000",), (), ("commit_and_decline",))


def test_cost_ledger_per_event_in_fen() -> None:
    entries = [
        CostEntry("e1", "EV1", "130000", "110000", 1250000, "transport"),
        CostEntry("e2", "EV1", "130000", "110000", 300000, "tents"),
        CostEntry("e1", "EV1", "130000", "110000", 1250000, "transport"),
        CostEntry("e3", "EV1", "130000", "120000", 99),
    ]
    assert cost_ledger(entries) == {"EV1": {("130000", "110000"): 1550000, ("130000", "120000"): 99}}


SUPPORT_MESSAGES = [
    COMMIT_BJ,
    COMMIT_TJ,
    DISPATCH_BJ,
    DISPATCH_TJ,
    RECEIPT_BJ,
    Decline("d", "req-1", "110000", "x", at(3)),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SUPPORT_MESSAGES)).flatmap(lambda xs: st.tuples(st.just(xs), st.permutations(xs + xs))))
def test_support_state_is_a_function_of_the_set_of_messages(case: tuple[list[object], list[object]]) -> None:
    def state(messages: list[object]) -> object:
        return support_state(
            REQUEST,
            [m for m in messages if isinstance(m, Commitment)],
            [m for m in messages if isinstance(m, Decline)],
            [m for m in messages if isinstance(m, Dispatch)],
            [m for m in messages if isinstance(m, Receipt)],
        )

    assert state(case[0]) == state(case[1])


def _discrepancies_by_definition(ledger) -> tuple[Discrepancy, ...]:  # noqa: ANN001
    """The rule read literally: every consecutive pair, the movements between them summed one by one."""
    found = []
    for key, shots in ledger.snapshots.items():
        for prev, cur in zip(shots, shots[1:], strict=False):
            if prev.as_of == cur.as_of:
                if prev.on_hand != cur.on_hand:
                    found.append(Discrepancy(key, cur.snapshot_id, prev.snapshot_id, prev.on_hand, cur.on_hand, True))
                continue
            expected = prev.on_hand + sum(m.signed for m in ledger.movements.get(key, ())
                                          if prev.as_of < m.occurred_at <= cur.as_of)
            if expected != cur.on_hand:
                found.append(Discrepancy(key, cur.snapshot_id, prev.snapshot_id, expected, cur.on_hand))
    return tuple(found)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([TENTS, QUILTS]), st.sampled_from(list(MovementKind)),
                          st.integers(1, 50), st.integers(0, 12)), max_size=40),
       st.lists(st.tuples(st.sampled_from([TENTS, QUILTS]), st.integers(0, 300), st.integers(0, 12)), max_size=12))
def test_discrepancies_equal_the_rule_read_literally(moves: list, shots: list) -> None:
    # hours collide on purpose: movements exactly at a snapshot's as_of, snapshots sharing an as_of (conflicts)
    ledger = build_ledger(
        [Movement(f"m{i}", k, kind, q, at(h)) for i, (k, kind, q, h) in enumerate(moves)],
        [Snapshot(f"s{i}", k, n, 0, 0, at(h)) for i, (k, n, h) in enumerate(shots)])
    assert discrepancies(ledger) == _discrepancies_by_definition(ledger)
