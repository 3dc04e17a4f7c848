"""Late claims (issue 5): a claim line of a month whose statements are already issued is adjudicated and lands on
the next statement run as a late line (``late_of``); the issued statement never changes. Corrections of a late
line go into a period after the statement that carries it. Exact fen throughout."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, literal, select

from hub.domain.calendar import Period
from hub.domain.settlement import StatementKey
from hub.infrastructure import tables as t
from hub.services import jobs, queries, settlement
from tests.hub.services import builders as b

WHEN = datetime(2026, 6, 6, 9, 0, tzinfo=b.CST)


def seed(hub) -> None:  # noqa: ANN001
    """Beijing 110102 pays 60000 fen a month; elders 1, 2 in Hebei, 3 in Tianjin; May claimed for elder 1 only."""
    hub.feed(b.rates("bj", "110000", 60000),
             b.enrolment("he", "E1", 1, "110102", "he"), b.enrolment("he", "E2", 2, "110102", "he"),
             b.enrolment("tj", "E3", 3, "110102", "tj"))
    hub.feed(b.claim("he", "C-HE-05", "110102", "2026-05", [("L1", 1, 31, 60000)], at=10))


def statements(hub, period: str) -> dict[str, tuple[int, int, list[tuple[str, int, str | None]]]]:  # noqa: ANN001
    """payee region → (total, count, [(line, fen, late_of)]) of the period's statements."""
    out = {}
    with hub.engine.connect() as conn:
        for s in queries.statements(hub.engine, period=period):
            lines = [(r.line_id, r.amount_fen, r.late_of) for r in conn.execute(
                select(t.settlement_lines).where(t.settlement_lines.c.statement_id == s["statement_id"])
                .order_by(t.settlement_lines.c.line_id))]
            out[s["payee_region"]] = (s["total_fen"], s["line_count"], lines)
    return out


def adjudication(hub, claim_id: str) -> tuple[bool, int, str | None]:  # noqa: ANN001
    [a] = [a for a in queries.adjudications(hub.engine) if a["claim_id"] == claim_id]
    return a["accepted"], a["payable_fen"], a["statement_id"]


def test_a_late_claim_lands_on_the_next_run_as_a_late_line_and_the_issued_statement_never_changes(hub) -> None:  # noqa: ANN001
    seed(hub)
    jobs.run_statements(hub.engine, Period(2026, 5), WHEN)
    may = statements(hub, "2026-05")
    assert may == {"he": (60000, 1, [("C-HE-05/L1", 60000, None)])}
    hub.feed(b.claim("he", "C-HE-05B", "110102", "2026-05", [("L1", 2, 31, 60000)], at=50),  # late, Hebei
             b.claim("tj", "C-TJ-05", "110102", "2026-05", [("L1", 3, 31, 60000)], at=51),  # late, Tianjin
             b.claim("he", "C-HE-05C", "110102", "2026-05", [("L1", 2, 10, 60000)], at=52),  # late, rejected
             b.claim("he", "C-HE-06", "110102", "2026-06", [("L1", 1, 30, 60000)], at=53))
    assert adjudication(hub, "C-HE-05B") == (True, 60000, None)  # adjudicated, on no statement yet
    assert adjudication(hub, "C-HE-05C")[:2] == (False, 0)
    assert [r["period"] for r in hub.rows(t.settlement_late_periods)] == ["2026-05"]  # noted for the next run
    assert jobs.run_statements(hub.engine, Period(2026, 5), WHEN) == []  # May stays issued as it was
    jobs.run_statements(hub.engine, Period(2026, 6), WHEN + timedelta(days=30))
    assert statements(hub, "2026-05") == may
    assert statements(hub, "2026-06") == {
        "he": (120000, 2, [("C-HE-05B/L1", 60000, "2026-05"), ("C-HE-06/L1", 60000, None)]),
        "tj": (60000, 1, [("C-TJ-05/L1", 60000, "2026-05")]),
    }
    assert adjudication(hub, "C-HE-05B")[2].startswith("ST-202606-110102-he-")
    assert adjudication(hub, "C-HE-05C")[2] is None
    n = queries.netting(hub.engine, "2026-06")
    assert n["obligations"] == [{"debtor": "bj", "creditor": "he", "amount_fen": 120000},
                                {"debtor": "bj", "creditor": "tj", "amount_fen": 60000}]
    assert {p["region"]: p["position_fen"] for p in n["positions"]} == {"bj": -180000, "he": 120000, "tj": 60000}
    with hub.engine.connect() as conn:
        detail = conn.execute(select(t.job_runs.c.detail).where(t.job_runs.c.run_key == "2026-06")).scalar_one()
    assert detail == {"statements": 2, "total_fen": 180000, "late_periods": ["2026-05"]}
    assert hub.rows(t.settlement_late_periods) == []
    # a re-run changes nothing; the next month has nothing left over
    assert jobs.run_statements(hub.engine, Period(2026, 6), WHEN + timedelta(days=30)) == []
    assert jobs.run_statements(hub.engine, Period(2026, 7), WHEN + timedelta(days=60)) == []
    assert statements(hub, "2026-07") == {}


def test_a_line_of_a_month_not_yet_issued_waits_for_that_months_own_run(hub) -> None:  # noqa: ANN001
    seed(hub)
    hub.feed(b.claim("he", "C-HE-04", "110102", "2026-04", [("L1", 2, 30, 60000)], at=20))
    jobs.run_statements(hub.engine, Period(2026, 5), WHEN)
    assert statements(hub, "2026-05") == {"he": (60000, 1, [("C-HE-05/L1", 60000, None)])}
    jobs.run_statements(hub.engine, Period(2026, 4), WHEN)
    assert statements(hub, "2026-04") == {"he": (60000, 1, [("C-HE-04/L1", 60000, None)])}


def test_a_correction_of_a_late_line_goes_after_the_statement_that_carries_it(hub) -> None:  # noqa: ANN001
    seed(hub)
    jobs.run_statements(hub.engine, Period(2026, 5), WHEN)
    hub.feed(b.claim("he", "C-HE-05B", "110102", "2026-05", [("L1", 2, 31, 60000)], at=50))
    jobs.run_statements(hub.engine, Period(2026, 7), WHEN + timedelta(days=60))  # June not run (yet)
    assert statements(hub, "2026-07") == {"he": (60000, 1, [("C-HE-05B/L1", 60000, "2026-05")])}
    with pytest.raises(settlement.SettlementError):  # June is after May but before the July statement
        settlement.create_adjustment(hub.engine, "officer-1", "ADJ-J", "C-HE-05B/L1", "2026-06", -100, "更正")
    # elder 2's assessment turns out invalid in May: the late line would now pay 0 → −60000 booked into August
    hub.feed(b.enrolment("he", "E2", 2, "110102", "he", valid_until="2026-05-01", at=100))
    with hub.engine.connect() as conn:
        auto = [(r.period, r.adjusts_line_id, r.adjusts_period, r.amount_fen) for r in conn.execute(
            select(t.settlement_adjustments))]
    assert auto == [("2026-08", "C-HE-05B/L1", "2026-05", -60000)]
    jobs.run_statements(hub.engine, Period(2026, 6), WHEN + timedelta(days=61))
    assert statements(hub, "2026-06") == {}  # nothing of June; the late line stays on July's statement
    jobs.run_statements(hub.engine, Period(2026, 8), WHEN + timedelta(days=90))
    [(total, count, [(line_id, fen, late_of)])] = statements(hub, "2026-08").values()
    assert (total, count, fen, late_of) == (-60000, 1, -60000, None) and line_id.startswith("RA-")
    assert statements(hub, "2026-07")["he"][:2] == (60000, 1)


@pytest.mark.parametrize("facility", ["HE-YJ-0007", "燕郊·颐养中心 7", "TJ-WQ-0021|x"])
def test_the_database_names_statements_exactly_as_python_does(engine, facility: str) -> None:  # noqa: ANN001
    key = StatementKey(Period(2026, 5), "110102", "130000", facility, "care_severe")
    with engine.begin() as conn:
        settlement._prepare(conn)
        got = conn.execute(select(settlement._sid_sql(conn, key.period, literal("110102"), literal("he"),
                                                   literal(facility), literal("care_severe")))).scalar_one()
    assert got == settlement.statement_id(key)


def test_migration_0005_notes_the_late_lines_already_waiting(database_url) -> None:  # noqa: ANN001
    from sqlalchemy import text

    from hub.migrations import upgrade
    from jjj.db import make_engine

    upgrade(database_url, "0006")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO job_runs (job, run_key, ran_at) VALUES ('statements', '2026-05', :at)"),
                         {"at": WHEN})
            for claim, period, accepted, sid in (("C1", "2026-05", True, None), ("C2", "2026-05", True, "ST-X"),
                                                 ("C3", "2026-04", True, None), ("C4", "2026-05", False, None)):
                conn.execute(insert(t.eldercare_adjudications), [{
                    "claim_id": claim, "line_id": "1", "period": period, "payer_district": "110102",
                    "facility_id": "F", "facility_region": "he", "subsidy_type": "care_severe", "elder_ref": "k1:x",
                    "claimed_fen": 60000, "accepted": accepted, "reasons": [], "payable_fen": 60000,
                    "rate_fen": 60000, "statement_id": sid, "updated_at": WHEN}])
        upgrade(database_url)
        with engine.connect() as conn:
            assert [r.period for r in conn.execute(select(t.settlement_late_periods))] == ["2026-05"]
    finally:
        engine.dispose()
