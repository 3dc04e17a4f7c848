"""Per-event cross-region cost ledger (pure rules): quantities and fen per (event, supplier, receiver, item, unit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.domain.errors import ReliefRuleError
from hub.domain.relief_costs import CostLine, CostLineKey, Flow, PairTotal, Valuation, cost_lines, pair_totals
from hub.domain.relief_support import (
    Commitment,
    Dispatch,
    Receipt,
    RequestLine,
    SupportRequest,
    latest_receipts,
    support_state,
)

T = datetime(2026, 7, 30, 8, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T + timedelta(hours=hours)


EV = "he:HE-2026-FLOOD-1"
REQ = SupportRequest("R1", EV, "he", (RequestLine(1, "tent_single", "", "顶", 500),
                                      RequestLine(2, "quilt", "", "床", 2000)), T)
REQ2 = SupportRequest("R2", EV, "he", (RequestLine(1, "quilt", "", "床", 100),), at(1))
OTHER = SupportRequest("R3", "tj:TJ-9", "tj", (RequestLine(1, "quilt", "", "床", 10),), T)
C_BJ = Commitment("c-bj", "R1", "bj", {1: 300, 2: 2000}, at(1))
C_TJ = Commitment("c-tj", "R1", "tj", {1: 200}, at(1))
X_BJ = Dispatch("x-bj", "R1", "bj", {1: 300, 2: 2000}, at(2))
X_TJ = Dispatch("x-tj", "R1", "tj", {1: 200}, at(2))
X_BJ2 = Dispatch("x-bj2", "R2", "bj", {1: 100}, at(3))
R_BJ = Receipt("r-bj", "x-bj", {1: 290, 2: 1900}, {1: 10}, at(6))
R_TJ = Receipt("r-tj", "x-tj", {1: 150}, {}, at(6))
VALUES = Valuation({("tent_single", "顶"): 120_000, ("quilt", "床"): 15_000})


def flows(requests: list, commitments: list = (), dispatches: list = (), receipts: list = ()) -> list[Flow]:
    """Each request with its replies; a receipt goes with its dispatch's request (to every request if unknown)."""
    of = {x.dispatch_id: x.request_id for x in dispatches}
    return [Flow(r, tuple(c for c in commitments if c.request_id == r.request_id),
                 tuple(x for x in dispatches if x.request_id == r.request_id),
                 tuple(rc for rc in receipts if of.get(rc.dispatch_id, r.request_id) == r.request_id))
            for r in requests]


def key(supplier: str, item: str, unit: str, event: str = EV, receiver: str = "he") -> CostLineKey:
    return CostLineKey(event, supplier, receiver, item, unit)


def q(line: CostLine) -> tuple:
    return (line.committed, line.dispatched, line.received, line.in_transit, line.discrepancy)


def fen(line: CostLine) -> tuple:
    return (line.unit_fen, line.dispatched_fen, line.received_fen, line.in_transit_fen, line.discrepancy_fen,
            line.receiver_bears_fen, line.supplier_bears_fen)


@pytest.mark.parametrize(
    ("rule", "given", "expected"),
    [
        ("a commitment alone: committed, nothing moved",
         {"commitments": [C_BJ]},
         {key("bj", "quilt", "床"): (2000, 0, 0, 0, 0), key("bj", "tent_single", "顶"): (300, 0, 0, 0, 0)}),
        ("dispatched and not yet received: all in transit",
         {"commitments": [C_BJ], "dispatches": [X_BJ]},
         {key("bj", "quilt", "床"): (2000, 2000, 0, 2000, 0), key("bj", "tent_single", "顶"): (300, 300, 0, 300, 0)}),
        ("a receipt with a discrepancy: shipped = received + in transit + discrepancy",
         {"commitments": [C_BJ], "dispatches": [X_BJ], "receipts": [R_BJ]},
         {key("bj", "quilt", "床"): (2000, 2000, 1900, 100, 0),
          key("bj", "tent_single", "顶"): (300, 300, 290, 0, 10)}),
        ("two suppliers of one event are kept apart",
         {"commitments": [C_BJ, C_TJ], "dispatches": [X_BJ, X_TJ], "receipts": [R_TJ]},
         {key("bj", "quilt", "床"): (2000, 2000, 0, 2000, 0), key("bj", "tent_single", "顶"): (300, 300, 0, 300, 0),
          key("tj", "tent_single", "顶"): (200, 200, 150, 50, 0)}),
        ("two requests of one event sum per item; uncommitted shipping is kept",
         {"commitments": [C_BJ], "dispatches": [X_BJ, X_BJ2]},
         {key("bj", "quilt", "床"): (2000, 2100, 0, 2100, 0), key("bj", "tent_single", "顶"): (300, 300, 0, 300, 0)}),
        ("duplicates count once",
         {"commitments": [C_BJ, C_BJ], "dispatches": [X_BJ, X_BJ], "receipts": [R_BJ, R_BJ]},
         {key("bj", "quilt", "床"): (2000, 2000, 1900, 100, 0),
          key("bj", "tent_single", "顶"): (300, 300, 290, 0, 10)}),
        ("the latest receipt of a dispatch replaces the earlier one (whatever the arrival order)",
         {"dispatches": [X_TJ], "receipts": [Receipt("r-late", "x-tj", {1: 200}, {}, at(9)), R_TJ]},
         {key("tj", "tent_single", "顶"): (0, 200, 200, 0, 0)}),
        ("a receipt of an unknown dispatch and a line of an unknown number are ignored",
         {"dispatches": [Dispatch("x9", "R1", "bj", {1: 5, 7: 9}, at(2))],
          "receipts": [Receipt("r9", "nope", {1: 5}, {}, at(3))]},
         {key("bj", "tent_single", "顶"): (0, 5, 0, 5, 0)}),
    ],
)
def test_quantities_per_event_supplier_receiver_item(rule: str, given: dict, expected: dict) -> None:
    lines = cost_lines(flows([REQ, REQ2, OTHER], **given), VALUES)
    assert {ln.key: q(ln) for ln in lines} == expected, rule


@pytest.mark.parametrize(
    ("rule", "valuation", "tents", "quilts"),
    [
        ("discrepancies borne by the supplier (default): the receiver pays what arrived",
         VALUES,
         (120_000, 36_000_000, 34_800_000, 0, 1_200_000, 34_800_000, 1_200_000),
         (15_000, 30_000_000, 28_500_000, 1_500_000, 0, 28_500_000, 0)),
        ("discrepancies borne by the receiver: it pays what arrived and what was written off",
         Valuation(VALUES.unit_fen, "receiver"),
         (120_000, 36_000_000, 34_800_000, 0, 1_200_000, 36_000_000, 0),
         (15_000, 30_000_000, 28_500_000, 1_500_000, 0, 28_500_000, 0)),
        ("an item without an agreed value keeps its quantities, no fen",
         Valuation({("quilt", "床"): 15_000}),
         (None, None, None, None, None, None, None),
         (15_000, 30_000_000, 28_500_000, 1_500_000, 0, 28_500_000, 0)),
    ],
)
def test_values_in_fen_and_who_bears_the_discrepancy(rule: str, valuation: Valuation, tents: tuple,
                                                      quilts: tuple) -> None:
    lines = {ln.key.item: ln for ln in cost_lines(flows([REQ], [C_BJ], [X_BJ], [R_BJ]), valuation)}
    assert (fen(lines["tent_single"]), fen(lines["quilt"])) == (tents, quilts), rule


def test_pair_totals_per_event_payer_payee() -> None:
    lines = cost_lines(flows([REQ], [C_BJ, C_TJ], [X_BJ, X_TJ], [R_BJ, R_TJ]), Valuation({("quilt", "床"): 15_000}))
    assert pair_totals(lines) == {
        (EV, "he", "bj"): PairTotal("he", "bj", 28_500_000, 0, 1_500_000, 1),
        (EV, "he", "tj"): PairTotal("he", "tj", 0, 0, 0, 1),
    }


@pytest.mark.parametrize(
    ("rule", "dispatches", "receipts", "flags"),
    [
        ("all in order", [X_BJ], [R_BJ], ()),
        ("more received than shipped", [X_BJ], [Receipt("r", "x-bj", {1: 301}, {}, at(4))],
         ("received_beyond_shipped",)),
        ("shipped beyond the commitment", [Dispatch("x", "R1", "bj", {1: 301}, at(2))], [],
         ("shipped_beyond_commitment",)),
    ],
)
def test_flags(rule: str, dispatches: list, receipts: list, flags: tuple) -> None:
    lines = {ln.key.item: ln for ln in cost_lines(flows([REQ], [C_BJ], dispatches, receipts), VALUES)}
    assert lines["tent_single"].flags == flags, rule
    assert cost_lines(flows([REQ], [C_BJ], [X_BJ]))[0].flags == ("unvalued",)


def test_bad_valuations_are_refused() -> None:
    with pytest.raises(ReliefRuleError):
        Valuation({("quilt", "床"): -1})
    with pytest.raises(ReliefRuleError):
        Valuation({}, "nobody")


def test_latest_receipt_per_dispatch_also_drives_the_support_state() -> None:
    early = Receipt("r-early", "x-tj", {1: 100}, {}, at(4))
    late = Receipt("r-late", "x-tj", {1: 190}, {1: 10}, at(8))
    assert latest_receipts([late, early]) == {"x-tj": late}
    state = support_state(REQ, [C_TJ], [], [X_TJ], [early, late])
    assert (state.lines[0].received, state.lines[0].discrepancy, state.lines[0].in_transit) == (190, 10, 0)


def test_the_same_dispatch_id_in_two_requests_of_one_event_is_two_dispatches() -> None:
    x1, x2 = Dispatch("X1", "R1", "bj", {2: 100}, at(2)), Dispatch("X1", "R2", "tj", {1: 40}, at(2))
    r1, r2 = Receipt("r1", "X1", {2: 100}, {}, at(5)), Receipt("r2", "X1", {1: 30}, {1: 10}, at(5))
    lines = cost_lines([Flow(REQ, (), (x1,), (r1,)), Flow(REQ2, (), (x2,), (r2,))], VALUES)
    assert {ln.key: q(ln) for ln in lines} == {key("bj", "quilt", "床"): (0, 100, 100, 0, 0),
                                               key("tj", "quilt", "床"): (0, 40, 30, 0, 10)}
