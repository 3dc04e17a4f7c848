"""Envelope status in eldercare, settlement, verification and referrals: a drill (exercise | test) is processed and
receipted like any message, but never changes an adjudication, a statement, an account or a real request; what the
hub sends about a drill (routed requests, results, receipts) carries the drill's status."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services import jobs
from tests.hub.services import builders as b
from tests.hub.services.conftest import Hub

WHEN = datetime(2026, 7, 6, 9, 0, tzinfo=b.CST)


def drill(message: dict, status: str) -> dict:
    message["status"] = status
    return message


def seed(hub: Hub) -> None:
    """Two Beijing 110102 elders in a Hebei facility; one real claim line of May (accepted, 60,000 fen)."""
    hub.feed(b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"),
             b.enrolment("he", "E2", 2, "110102", "he"))
    hub.feed(b.claim("he", "C1", "110102", "2026-05", [("L1", 1, 31, 60000)], at=10))


def decisions(hub: Hub) -> dict:
    return {(a["claim_id"], a["line_id"]): (a["accepted"], a["payable_fen"], a["reasons"])
            for a in hub.rows(t.eldercare_adjudications)}


def statements(hub: Hub) -> list[tuple]:
    """Run May's statements; their (payee, total, line count) and the lines on them."""
    jobs.run_statements(hub.engine, Period(2026, 5), WHEN)
    return [(s["payee_region"], s["total_fen"], s["line_count"]) for s in hub.rows(t.settlement_statements)] + \
        sorted((ln["line_id"], ln["amount_fen"]) for ln in hub.rows(t.settlement_lines))


BASE_DECISIONS = {("C1", "L1"): (True, 60000, [])}
BASE_STATEMENTS = [("he", 60000, 1), ("C1/L1", 60000)]

# (rule, messages, decisions and statements when the same messages are actual)
CASES = [
    ("a claim of another elder", lambda: [b.claim("he", "C2", "110102", "2026-05", [("L1", 2, 31, 60000)], at=20)],
     {("C1", "L1"): (True, 60000, []), ("C2", "L1"): (True, 60000, [])},
     [("he", 120000, 2), ("C1/L1", 60000), ("C2/L1", 60000)]),
    ("a claim that reuses the real claim's id", lambda: [b.claim("he", "C1", "110102", "2026-05",
                                                                 [("L2", 2, 31, 60000)], at=20)],
     {("C1", "L1"): (True, 60000, []), ("C1", "L2"): (True, 60000, [])},
     [("he", 120000, 2), ("C1/L1", 60000), ("C1/L2", 60000)]),
    ("a newer enrolment with the real id that discharges the elder in April",
     lambda: [b.enrolment("he", "E1", 1, "110102", "he", discharged="2026-04-30", at=20)],
     {("C1", "L1"): (False, 0, ["not_enrolled"])}, []),
    ("a newer rate table of the province with another rate", lambda: [b.rates("bj", "110000", 50000, table="T9",
                                                                              at=20)],
     {("C1", "L1"): (False, 0, ["amount_mismatch"])}, []),
]


@pytest.mark.parametrize("status", ["exercise", "test"])
@pytest.mark.parametrize(("rule", "messages", "_decisions", "_statements"), CASES, ids=[c[0] for c in CASES])
def test_a_drill_leaves_adjudications_and_statements_exactly_unchanged(hub: Hub, status: str, rule: str, messages,
                                                                       _decisions, _statements) -> None:  # noqa: ANN001
    seed(hub)
    sent = [drill(m, status) for m in messages()]
    result = hub.feed(*sent)
    assert (result.accepted, result.rejected) == (len(sent), 0), rule
    receipts = {r["payload"]["for_message_id"]: (r["payload"]["code"], r["status"]) for r in hub.outbox("hub.receipt")}
    assert [receipts[m["message_id"]] for m in sent] == [(100, status)] * len(sent)
    assert decisions(hub) == BASE_DECISIONS, rule
    assert statements(hub) == BASE_STATEMENTS, rule
    notices = [m["payload"]["entity_id"] for m in hub.outbox("hub.routed_request")]
    assert notices == ["C1"]  # the real claim's adjudication only


@pytest.mark.parametrize(("rule", "messages", "expected_decisions", "expected_statements"), CASES,
                         ids=[c[0] for c in CASES])
def test_the_same_messages_as_actual_change_them(hub: Hub, rule: str, messages, expected_decisions: dict,
                                                 expected_statements: list) -> None:  # noqa: ANN001
    seed(hub)
    hub.feed(*messages())
    assert decisions(hub) == expected_decisions, rule
    assert statements(hub) == expected_statements, rule


def test_drills_are_stored_with_their_status_and_never_take_a_real_id(hub: Hub) -> None:
    seed(hub)
    hub.feed(drill(b.claim("he", "C1", "110102", "2026-05", [("L2", 2, 31, 60000)], at=20), "exercise"),
             drill(b.enrolment("he", "E1", 1, "110102", "he", discharged="2026-04-30", at=20), "exercise"),
             drill(b.rates("bj", "110000", 50000, table="T9", at=20), "test"))
    hub.feed(b.claim("he", "C1", "110102", "2026-05", [("L2", 2, 31, 60000)], at=30))  # the real line with that id
    assert sorted((r["claim_id"], r["line_id"], r["envelope_status"]) for r in hub.rows(t.eldercare_claim_lines)) == \
        [("C1", "L1", "actual"), ("C1", "L2", "actual"), ("exercise/C1", "L2", "exercise")]
    assert sorted((r["enrolment_id"], r["discharged_on"], r["envelope_status"])
                  for r in hub.rows(t.eldercare_enrolments)) == \
        [("E1", None, "actual"), ("E2", None, "actual"), ("exercise/E1", datetime(2026, 4, 30).date(), "exercise")]
    assert [(r["payer_code"], r["rate_fen"]) for r in hub.rows(t.eldercare_rates)] == [("110000", 60000)]
    assert [(r["payer_code"], r["rate_fen"], r["envelope_status"]) for r in hub.rows(t.eldercare_drill_rates)] == \
        [("110000", 50000, "test")]
    assert decisions(hub) == {("C1", "L1"): (True, 60000, []), ("C1", "L2"): (True, 60000, [])}


def test_a_drill_confirmation_or_payment_never_changes_the_account(hub: Hub) -> None:
    seed(hub)
    jobs.run_statements(hub.engine, Period(2026, 5), WHEN)
    [st] = hub.rows(t.settlement_statements)
    sid = st["statement_id"]
    confirm = b.msg("eldercare.confirmation", {"statement_id": sid, "confirmed_at": b.ts(100),
                                               "confirmed_fen": 60000}, "he", at=100)
    pay = b.msg("eldercare.payment", {"payment_id": "PAY-1", "statement_id": sid, "payer_code": "110102",
                                      "paid_at": b.ts(200), "amount_fen": 60000, "bank_reference": "B-1"}, "bj",
                at=200)
    before = hub.rows(t.settlement_accounts)
    notices = len(hub.outbox("hub.statement_notice"))
    result = hub.feed(drill(confirm, "exercise"), drill(pay, "exercise"))
    assert (result.accepted, result.rejected) == (2, 0)
    assert hub.rows(t.settlement_accounts) == before
    assert [(a["status"], a["paid_fen"]) for a in before] == [("issued", 0)]
    assert len(hub.outbox("hub.statement_notice")) == notices
    assert sorted((e["kind"], e["envelope_status"]) for e in hub.rows(t.settlement_events)) == \
        [("confirmation", "exercise"), ("payment", "exercise")]
    confirm2 = b.msg("eldercare.confirmation", {"statement_id": sid, "confirmed_at": b.ts(300),
                                                "confirmed_fen": 60000}, "he", at=300)
    pay2 = b.msg("eldercare.payment", {"payment_id": "PAY-1", "statement_id": sid, "payer_code": "110102",
                                       "paid_at": b.ts(400), "amount_fen": 60000, "bank_reference": "B-1"}, "bj",
                 at=400)
    hub.feed(confirm2, pay2)
    [acc] = hub.rows(t.settlement_accounts)
    assert (acc["status"], acc["paid_fen"]) == ("settled", 60000)


def test_a_routed_drill_verification_request_arrives_as_a_drill_and_stays_apart(hub: Hub) -> None:
    hub.feed(b.verification_request("bj", "VR-1", ["tj"]))
    hub.feed(drill(b.verification_request("bj", "VR-1", ["tj"], at=1), "exercise"))
    routed = [(m["_topic"], m["status"], m["payload"]["entity_id"]) for m in hub.outbox("hub.routed_request")]
    assert routed == [("jjj.to.tj", "actual", "VR-1"), ("jjj.to.tj", "exercise", "VR-1")]
    assert sorted((r["request_id"], r["envelope_status"]) for r in hub.rows(t.verification_requests)) == \
        [("VR-1", "actual"), ("exercise/VR-1", "exercise")]
    # the drill's answer completes the drill only; its result goes back as an exercise, under the requester's id
    hub.feed(drill(b.verification_response("tj", "VR-1", ("real_estate", "vehicles"), at=5), "exercise"))
    state = {r["request_id"]: r["status"] for r in hub.rows(t.verification_state)}
    assert state == {"VR-1": "open", "exercise/VR-1": "complete"}
    results = [(m["_topic"], m["status"], m["payload"]["request_id"], m["payload"]["complete"])
               for m in hub.outbox("hub.aggregated_response")]
    assert results == [("jjj.to.bj", "exercise", "VR-1", True)]
    assert [m["payload"]["entity_id"] for m in hub.outbox("hub.status_change")
            if m["payload"]["entity_type"] == "verification_request"] == ["VR-1"]


def test_a_drill_referral_is_routed_as_a_drill_and_never_advances_the_real_one(hub: Hub) -> None:
    hub.feed(b.referral("bj", "RF-1", "he"))
    hub.feed(drill(b.referral("bj", "RF-1", "he", at=1), "exercise"),
             drill(b.acceptance("he", "RF-1", at=2), "exercise"))
    routed = [(m["_topic"], m["status"], m["payload"]["original_kind"], m["payload"]["entity_id"])
              for m in hub.outbox("hub.routed_request")]
    assert routed == [("jjj.to.he", "actual", "referral.referral", "RF-1"),
                      ("jjj.to.he", "exercise", "referral.referral", "RF-1"),
                      ("jjj.to.bj", "exercise", "referral.acceptance", "RF-1")]
    assert sorted((r["referral_id"], r["state"], r["envelope_status"]) for r in hub.rows(t.referrals)) == \
        [("RF-1", "sent", "actual"), ("exercise/RF-1", "accepted", "exercise")]
    assert [m["payload"]["to_state"] for m in hub.outbox("hub.status_change")
            if m["payload"]["entity_type"] == "referral"] == ["sent"]


@pytest.mark.parametrize("status", ["actual", "exercise", "test"])
def test_a_receipt_carries_the_status_of_the_message_it_answers(hub: Hub, status: str) -> None:
    accepted = drill(b.heartbeat("bj"), status)
    refused = drill(b.verification_request("bj", "VR-9", ["bj"]), status)  # 420: no other region targeted
    hub.feed(accepted, refused)
    got = {r["payload"]["for_message_id"]: (r["payload"]["code"], r["status"]) for r in hub.outbox("hub.receipt")}
    assert got == {accepted["message_id"]: (100, status), refused["message_id"]: (420, status)}


def test_a_drill_with_a_64_character_id_is_stored_under_its_prefixed_id(hub: Hub) -> None:
    long_id = "C" * 64
    seed(hub)
    result = hub.feed(drill(b.claim("he", long_id, "110102", "2026-05", [("L1", 2, 31, 60000)], at=20), "exercise"),
                      drill(b.verification_request("bj", "V" * 64, ["tj"]), "exercise"),
                      drill(b.referral("bj", "R" * 64, "he"), "exercise"))
    assert (result.accepted, result.rejected) == (3, 0)
    assert [r["claim_id"] for r in hub.rows(t.eldercare_claim_lines) if r["envelope_status"] == "exercise"] == \
        ["exercise/" + long_id]
    assert [r["request_id"] for r in hub.rows(t.verification_requests)] == ["exercise/" + "V" * 64]
    assert [r["referral_id"] for r in hub.rows(t.referrals)] == ["exercise/" + "R" * 64]


def test_migration_0008_marks_existing_rows_actual_and_downgrades(database_url) -> None:  # noqa: ANN001
    from alembic import command
    from sqlalchemy import text

    from hub.migrations import config, upgrade
    from jjj.db import make_engine

    upgrade(database_url, "0005")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO referral_changes (message_id, referral_id, region, to_state, at) "
                              "VALUES ('M1', 'RF-1', 'bj', 'sent', :at)"), {"at": WHEN})
            conn.execute(text("INSERT INTO settlement_events (event_id, statement_id, kind, at, actor) "
                              "VALUES ('confirmation:M2', 'ST-1', 'confirmation', :at, 'he')"), {"at": WHEN})
        upgrade(database_url)
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(text(
                "SELECT referral_id, envelope_status FROM referral_changes"))] == [("RF-1", "actual")]
            assert [tuple(r) for r in conn.execute(text(
                "SELECT event_id, envelope_status FROM settlement_events"))] == [("confirmation:M2", "actual")]
        command.downgrade(config(database_url), "0005")
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(text("SELECT referral_id, to_state FROM referral_changes"))] == \
                [("RF-1", "sent")]
    finally:
        engine.dispose()


def test_a_relief_drill_with_64_character_ids_is_stored_under_its_prefixed_ids(hub: Hub) -> None:
    result = hub.feed(drill(b.movement("he", "M" * 64, "outbound", 3, depot_id="HE-D1"), "exercise"),
                      drill(b.support_request("he", "Q" * 64, 10, ["bj"]), "exercise"))
    assert (result.accepted, result.rejected) == (2, 0)
    assert [r["movement_id"] for r in hub.rows(t.relief_movements)] == ["exercise/" + "M" * 64]
    assert [(r["request_id"], r["envelope_status"]) for r in hub.rows(t.relief_support_state)] == \
        [("exercise/" + "Q" * 64, "exercise")]
