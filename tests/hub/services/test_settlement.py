"""Claims adjudicated against enrolments and effective-dated rates; immutable balanced statements; netting; accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services import jobs, queries, settlement
from tests.hub.services import builders as b

WHEN = datetime(2026, 7, 6, 9, 0, tzinfo=b.CST)


def seed(hub) -> None:  # noqa: ANN001
    """Beijing 110102 elders in Hebei and Tianjin facilities; one Tianjin 120114 elder in a Beijing facility."""
    hub.feed(b.rates("bj", "110000", 60000), b.rates("bj", "110102", 70000, table="T2", since="2026-06-01"),
             b.rates("tj", "120114", 40000),
             b.enrolment("he", "E1", 1, "110102", "he"), b.enrolment("he", "E2", 2, "110102", "he"),
             b.enrolment("tj", "E3", 3, "110102", "tj", admitted="2026-05-20"),
             b.enrolment("bj", "E4", 4, "120114", "bj"),
             b.enrolment("he", "E5", 5, "110102", "he", valid_until="2026-05-10"),
             b.enrolment("tj", "E6", 1, "110102", "tj", admitted="2026-04-01", discharged="2026-04-30"))
    hub.feed(
        b.claim("he", "C-HE-05", "110102", "2026-05", [("L1", 1, 31, 60000), ("L2", 2, 14, 60000),
                                                         ("L5", 5, 31, 60000)], at=10),
        b.claim("tj", "C-TJ-05", "110102", "2026-05", [("L3", 3, 12, 60000), ("L6", 1, 31, 60000)], at=11),
        b.claim("bj", "C-BJ-05", "120114", "2026-05", [("L4", 4, 31, 40000)], at=12),
        b.claim("he", "C-HE-06", "110102", "2026-06", [("L7", 1, 30, 70000), ("L8", 2, 30, 60000)], at=13))


def test_each_line_is_adjudicated_with_its_reasons(hub) -> None:  # noqa: ANN001
    seed(hub)
    got = {a["line_id"]: (a["accepted"], a["payable_fen"], a["reasons"]) for a in queries.adjudications(hub.engine)}
    assert got == {
        "L1": (True, 60000, []),
        "L2": (False, 0, ["under_15_days"]),
        "L3": (False, 0, ["under_15_days"]),  # 12 days: admitted on 20 May
        "L4": (True, 40000, []),
        "L5": (False, 0, ["assessment_not_valid"]),
        "L6": (False, 0, ["not_enrolled"]),  # the Tianjin stay ended in April
        "L7": (True, 70000, []),  # the district's own rate from June
        "L8": (False, 0, ["amount_mismatch"]),
    }
    notices = {m["payload"]["entity_id"]: m["payload"]["payload"]["accepted_total_fen"]
               for m in hub.outbox("hub.routed_request")}
    assert notices == {"C-HE-05": 60000, "C-TJ-05": 0, "C-BJ-05": 40000, "C-HE-06": 70000}


def test_statements_balance_to_the_fen_and_netting_sums_to_zero(hub) -> None:  # noqa: ANN001
    seed(hub)
    ids = jobs.run_statements(hub.engine, Period(2026, 5), WHEN)
    assert len(ids) == 2
    assert jobs.run_statements(hub.engine, Period(2026, 5), WHEN) == []  # idempotent
    fen = {pair: REGISTRY.get_sample_value("jjj_hub_settlement_issued_fen",
                                           {"payer_region": pair[0], "payee_region": pair[1]})
           for pair in (("bj", "he"), ("tj", "bj"))}
    assert fen == {("bj", "he"): 60000, ("tj", "bj"): 40000}
    sts = {s["payee_region"]: s for s in queries.statements(hub.engine, period="2026-05")}
    assert {r: (s["total_fen"], s["line_count"], s["payer_region"]) for r, s in sts.items()} == \
        {"he": (60000, 1, "bj"), "bj": (40000, 1, "tj")}
    accepted = sum(a["payable_fen"] for a in queries.adjudications(hub.engine, period="2026-05") if a["accepted"])
    assert sum(s["total_fen"] for s in sts.values()) == accepted == 100000
    for s in sts.values():
        detail = queries.statement(hub.engine, s["statement_id"])
        assert sum(ln["amount_fen"] for ln in detail["lines"]) == detail["total_fen"]
        assert len(detail["lines"]) == detail["line_count"]
    n = queries.netting(hub.engine, "2026-05")
    assert n["obligations"] == [{"debtor": "bj", "creditor": "he", "amount_fen": 60000},
                                {"debtor": "tj", "creditor": "bj", "amount_fen": 40000}]
    assert {p["region"]: p["position_fen"] for p in n["positions"]} == {"bj": -20000, "he": 60000, "tj": -40000}
    assert sum(p["position_fen"] for p in n["positions"]) == 0
    notices = [(m["_topic"].split(".")[-1], m["payload"]["notice_type"]) for m in hub.outbox("hub.statement_notice")]
    assert sorted(notices) == [("bj", "issued"), ("bj", "issued"), ("he", "issued"), ("tj", "issued")]


def test_a_settled_line_is_frozen_and_corrections_are_later_adjustments(hub) -> None:  # noqa: ANN001
    seed(hub)
    [sid] = [s for s in jobs.run_statements(hub.engine, Period(2026, 5), WHEN) if "-he-" in s]
    hub.feed(b.enrolment("he", "E1", 1, "110102", "he", valid_until="2026-05-01", at=100))  # would now reject L1
    assert next(a for a in queries.adjudications(hub.engine) if a["line_id"] == "L1")["payable_fen"] == 60000
    # the re-adjudication books the difference into the next period whose statements are not issued yet
    with hub.engine.connect() as conn:
        auto = [(r.period, r.adjusts_line_id, r.amount_fen, r.created_by) for r in conn.execute(
            select(t.settlement_adjustments))]
    assert auto == [("2026-06", "C-HE-05/L1", -60000, "hub")]
    with pytest.raises(settlement.SettlementError):
        settlement.create_adjustment(hub.engine, "officer-1", "ADJ1", "C-HE-05/L1", "2026-05", 500, "补发")
    settlement.create_adjustment(hub.engine, "officer-1", "ADJ1", "C-HE-05/L1", "2026-07", 500, "补发")
    jobs.run_statements(hub.engine, Period(2026, 7), WHEN + timedelta(days=31))
    [adj] = [s for s in queries.statements(hub.engine, period="2026-07") if s["payee_region"] == "he"]
    assert (adj["total_fen"], adj["line_count"]) == (500, 1)
    assert queries.statement(hub.engine, sid)["total_fen"] == 60000  # the original never changes


def test_confirmation_dispute_and_payment_move_the_account(hub) -> None:  # noqa: ANN001
    seed(hub)
    [sid] = [s for s in jobs.run_statements(hub.engine, Period(2026, 5), WHEN) if "-he-" in s]
    acc = settlement.dispute(hub.engine, sid, "officer-he", ["C-HE-05/L1"], "金额有误", dispute_id="D1", at=WHEN)
    assert (acc["status"], acc["withheld_fen"], acc["payable_fen"]) == ("disputed", 60000, 0)
    settlement.resolve_dispute(hub.engine, sid, "officer-he", "D1", at=WHEN + timedelta(days=2))
    acc = settlement.confirm(hub.engine, sid, "officer-he", at=WHEN + timedelta(days=3))
    assert (acc["status"], acc["payable_fen"]) == ("confirmed", 60000)
    acc = settlement.record_payment(hub.engine, sid, "officer-bj", "P1", 60000, paid_at=WHEN + timedelta(days=9))
    assert (acc["status"], acc["paid_fen"], acc["flags"]) == ("settled", 60000, [])
    from jjj.audit import verify
    assert verify(hub.engine).ok
    with hub.engine.connect() as conn:
        from sqlalchemy import select

        from jjj.audit import audit_table
        actions = [r.action for r in conn.execute(select(audit_table.c.action).where(
            audit_table.c.actor.like("officer%")).order_by(audit_table.c.seq))]
    assert actions == ["settlement.dispute", "settlement.resolve", "settlement.confirm", "settlement.payment"]
    assert hub.rows(t.settlement_accounts, "statement_id")[0]["status"] in ("settled", "issued")
