"""Statements, reconciliation, netting, disputes and payments (domain.md §5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from hub.domain.calendar import Period
from hub.domain.eldercare import Adjudication, ClaimLine, Reason
from hub.domain.errors import SettlementRuleError
from hub.domain.settlement import (
    Adjustment,
    LineDifference,
    StatementKey,
    build_statements,
    reconcile,
)
from hub.domain.settlement_accounts import (
    AccountStatus,
    Confirmation,
    Dispute,
    Payment,
    SettlementPolicy,
    account,
    add_months,
)
from hub.domain.settlement_netting import NetObligation, net

CST = timezone(timedelta(hours=8))
MARCH = Period(2024, 3)
REGIONS = ("110000", "120000", "130000")


def accepted(
    claim_id: str, fen: int, payer: str = "110102", region: str = "130000", facility: str = "F1"
) -> Adjudication:
    line = ClaimLine(
        claim_id,
        f"elder-{claim_id}",
        "bed_operation",
        MARCH,
        31,
        fen,
        facility,
        region,
        payer,
        datetime(2024, 4, 1, tzinfo=CST),
    )
    return Adjudication(line, (), fen, fen)


def rejected(claim_id: str) -> Adjudication:
    return replace(accepted(claim_id, 30000), reasons=(Reason.DUPLICATE,), payable_fen=0)


def test_a_statement_totals_exactly_its_accepted_lines() -> None:
    (statement,) = build_statements(
        [accepted("c1", 30000), accepted("c2", 50000), rejected("c3"), accepted("c1", 30000)]
    )
    assert statement.statement_id == "2024-03/110102/130000/F1/bed_operation"
    assert [line.line_id for line in statement.lines] == ["c1", "c2"]
    assert (statement.total_fen, statement.count, statement.balances) == (80000, 2, True)


def test_statements_are_split_by_payer_payee_and_type() -> None:
    statements = build_statements([accepted("a", 1), accepted("b", 2, facility="F2"), accepted("c", 4, payer="110105")])
    assert [(s.key.payer_district, s.key.facility_id, s.total_fen) for s in statements] == [
        ("110102", "F1", 1),
        ("110102", "F2", 2),
        ("110105", "F1", 4),
    ]


def test_a_correction_is_an_adjustment_line_in_a_later_period() -> None:
    key = StatementKey(Period(2024, 5), "110102", "130000", "F1", "bed_operation")
    adjustment = Adjustment("adj-1", key, "c1", MARCH, "elder-c1", -30000, "died 2024-02-27, reported late")
    statements = build_statements([accepted("c1", 30000)], [adjustment], settled_claims={"c1": MARCH})
    assert [(str(s.key.period), s.total_fen) for s in statements] == [("2024-03", 30000), ("2024-05", -30000)]
    assert statements[1].lines[0].adjusts == "c1"


@pytest.mark.parametrize(
    ("rule", "period", "adjusts", "error"),
    [
        ("never into the same period", MARCH, "c1", "settlement.adjustment_not_later"),
        ("never into an earlier period", Period(2024, 2), "c1", "settlement.adjustment_not_later"),
        ("only against a settled line", Period(2024, 5), "c9", "settlement.adjustment_unknown_line"),
    ],
)
def test_adjustment_refusals(rule: str, period: Period, adjusts: str, error: str) -> None:
    key = StatementKey(period, "110102", "130000", "F1", "bed_operation")
    with pytest.raises(SettlementRuleError) as caught:
        build_statements([], [Adjustment("adj", key, adjusts, MARCH, "e", -1, "x")], settled_claims={"c1": MARCH})
    assert caught.value.rule_id == error, rule


def test_reconciliation_compares_totals_then_lists_differing_lines() -> None:
    (statement,) = build_statements([accepted("c1", 30000), accepted("c2", 50000), accepted("c3", 30000)])
    same = reconcile(statement, {"c1": 30000, "c2": 50000, "c3": 30000})
    assert same.matched
    result = reconcile(statement, {"c1": 30000, "c2": 40000, "c4": 30000})
    assert (result.totals_match, result.total_difference_fen, result.count_difference) == (False, -10000, 0)
    assert result.differing_lines == (
        LineDifference("c2", 50000, 40000),
        LineDifference("c3", 30000, None),
        LineDifference("c4", None, 30000),
    )


def test_swapped_amounts_match_in_total_but_not_in_detail() -> None:
    (statement,) = build_statements([accepted("c1", 30000), accepted("c2", 50000)])
    result = reconcile(statement, {"c1": 50000, "c2": 30000})
    assert result.totals_match and not result.matched
    assert len(result.differing_lines) == 2


def test_netting_across_the_three_regions_sums_to_zero() -> None:
    statements = build_statements(
        [
            accepted("bj-he-1", 30000, payer="110102", region="130000"),
            accepted("bj-he-2", 50000, payer="110105", region="130000", facility="F2"),
            accepted("tj-he", 20000, payer="120101", region="130000"),
            accepted("bj-tj", 40000, payer="110102", region="120000", facility="T1"),
            accepted("he-bj", 10000, payer="130100", region="110000", facility="B1"),
            accepted("bj-bj", 99999, payer="110102", region="110000", facility="B2"),
        ]
    )
    netting = net(MARCH, statements, REGIONS)
    assert netting.gross == {
        ("110000", "120000"): 40000,
        ("110000", "130000"): 80000,
        ("120000", "130000"): 20000,
        ("130000", "110000"): 10000,
    }
    assert netting.obligations == (
        NetObligation("110000", "120000", 40000),
        NetObligation("110000", "130000", 70000),
        NetObligation("120000", "130000", 20000),
    )
    assert netting.positions == {"110000": -110000, "120000": 20000, "130000": 90000}
    assert sum(netting.positions.values()) == 0


def test_netting_ignores_other_periods() -> None:
    statements = build_statements([accepted("a", 5, payer="110102", region="130000")])
    assert net(Period(2024, 4), statements, REGIONS).positions == dict.fromkeys(REGIONS, 0)


# --- confirmation, dispute, payment ---------------------------------------------------------------------

(STATEMENT,) = build_statements([accepted("c1", 30000), accepted("c2", 50000)])
SID = STATEMENT.statement_id
ISSUED = date(2024, 4, 10)
NOW = datetime(2024, 6, 1, tzinfo=CST)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=CST)


@pytest.mark.parametrize(
    ("rule", "confirmations", "disputes", "payments", "now", "status", "payable", "paid", "flags"),
    [
        ("an issued statement awaits confirmation", [], [], [], NOW, AccountStatus.ISSUED, 80000, 0, ()),
        (
            "confirmed and paid in full is settled",
            [Confirmation(SID, NOW)],
            [],
            [Payment("p1", SID, 80000, NOW), Payment("p1", SID, 80000, NOW)],
            NOW,
            AccountStatus.SETTLED,
            80000,
            80000,
            (),
        ),
        (
            "a short payment is flagged",
            [Confirmation(SID, NOW)],
            [],
            [Payment("p1", SID, 70000, NOW)],
            NOW,
            AccountStatus.CONFIRMED,
            80000,
            70000,
            ("underpaid",),
        ),
        (
            "an over-payment is flagged",
            [Confirmation(SID, NOW)],
            [],
            [Payment("p1", SID, 50000, NOW), Payment("p2", SID, 50000, NOW)],
            NOW,
            AccountStatus.SETTLED,
            80000,
            100000,
            ("overpaid",),
        ),
        (
            "a disputed line is withheld",
            [],
            [Dispute("d1", SID, frozenset({"c2"}), NOW, "not in care")],
            [],
            NOW,
            AccountStatus.DISPUTED,
            30000,
            0,
            (),
        ),
        (
            "a resolved dispute withholds nothing",
            [],
            [Dispute("d1", SID, frozenset({"c2"}), NOW, "x"), Dispute("d1", SID, frozenset({"c2"}), NOW, "x", NOW)],
            [],
            NOW,
            AccountStatus.ISSUED,
            80000,
            0,
            (),
        ),
        (
            "a dispute after the window is out of time",
            [],
            [Dispute("d1", SID, frozenset({"c2"}), at(date(2027, 4, 11)), "x")],
            [],
            at(date(2027, 4, 11)),
            AccountStatus.ISSUED,
            80000,
            0,
            ("dispute_out_of_time", "payment_overdue"),
        ),
        (
            "unpaid after 18 months is overdue",
            [Confirmation(SID, NOW)],
            [],
            [],
            at(date(2025, 10, 11)),
            AccountStatus.CONFIRMED,
            80000,
            0,
            ("payment_overdue",),
        ),
        (
            "unpaid on the last day is not yet overdue",
            [Confirmation(SID, NOW)],
            [],
            [],
            at(date(2025, 10, 10)),
            AccountStatus.CONFIRMED,
            80000,
            0,
            (),
        ),
    ],
)
def test_statement_accounts(
    rule: str,
    confirmations: list[Confirmation],
    disputes: list[Dispute],
    payments: list[Payment],
    now: datetime,
    status: AccountStatus,
    payable: int,
    paid: int,
    flags: tuple[str, ...],
) -> None:
    result = account(STATEMENT, ISSUED, now, confirmations, disputes, payments, SettlementPolicy())
    assert (result.status, result.payable_fen, result.paid_fen, result.flags) == (status, payable, paid, flags), rule


def test_a_dispute_must_name_lines_of_the_statement() -> None:
    with pytest.raises(SettlementRuleError) as caught:
        account(STATEMENT, ISSUED, NOW, disputes=[Dispute("d", SID, frozenset({"c9"}), NOW, "x")])
    assert caught.value.rule_id == "settlement.dispute_unknown_line"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 4, 10), 36, date(2027, 4, 10)),
        (date(2024, 12, 5), 1, date(2025, 1, 5)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
