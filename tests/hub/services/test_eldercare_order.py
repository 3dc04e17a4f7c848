"""Eldercare state is a function of the set of messages: enrolments, rate tables and claims (whose line ids repeat
across claims: "1", "2") arriving in any order, duplicated and in any batching give identical adjudications and
the same latest notice per claim; a changed decision sends a new notice that references the previous one."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hub.infrastructure import tables as t
from tests.hub.services import builders as b
from tests.hub.services.test_order_independence import reset


def messages() -> list[dict]:
    return [
        b.rates("bj", "110000", 60000, at=0),
        b.rates("bj", "110102", 65000, table="T2", at=1, since="2026-05-01"),  # the district's own, from May
        b.enrolment("he", "E1", 1, "110102", "he", at=2),
        b.enrolment("tj", "E2", 2, "110102", "tj", at=3),
        b.enrolment("he", "E3", 3, "110105", "he", at=4),
        b.enrolment("tj", "E2", 2, "110102", "tj", discharged="2026-05-10", at=5),  # a later version: discharged
        b.enrolment("he", "E4", 2, "110102", "he", admitted="2026-05-10", at=6),  # … and moves to Hebei that day
        b.claim("he", "C1", "110102", "2026-05", [("1", 1, 31, 65000), ("2", 2, 20, 65000)], at=10),
        b.claim("tj", "C2", "110102", "2026-04", [("1", 2, 30, 60000)], at=11),
        b.claim("he", "C3", "110105", "2026-05", [("1", 3, 31, 60000)], at=12),
        b.claim("he", "C4", "110102", "2026-05", [("1", 1, 31, 65000)], at=13),  # a duplicate of C1/1
    ]


MESSAGES = messages()
EXPECTED = [
    ("C1", "1", True, 65000, []), ("C1", "2", True, 65000, []), ("C2", "1", True, 60000, []),
    ("C3", "1", True, 60000, []), ("C4", "1", False, 0, ["duplicate"]),
]


def adjudications(hub) -> list[tuple]:  # noqa: ANN001
    return [(r["claim_id"], r["line_id"], r["accepted"], int(r["payable_fen"]), r["reasons"])
            for r in hub.rows(t.eldercare_adjudications, "claim_id", "line_id")]


def notices(hub) -> list[tuple]:  # noqa: ANN001
    return [(r["claim_id"], int(r["accepted_fen"]), r["adjudication_id"])
            for r in hub.rows(t.eldercare_claim_notices, "claim_id")]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(MESSAGES))), dupes=st.lists(st.integers(0, len(MESSAGES) - 1), max_size=5),
       batch=st.integers(1, 6))
def test_adjudications_do_not_depend_on_arrival_order(hub, order, dupes, batch) -> None:  # noqa: ANN001
    reset(hub.engine)
    hub.feed(*MESSAGES, batch=len(MESSAGES))
    assert adjudications(hub) == EXPECTED
    expected_notices = notices(hub)
    assert [n[:2] for n in expected_notices] == [("C1", 130000), ("C2", 60000), ("C3", 60000), ("C4", 0)]
    reset(hub.engine)
    hub.feed(*([MESSAGES[i] for i in order] + [MESSAGES[i] for i in dupes]), batch=batch)
    assert adjudications(hub) == EXPECTED
    assert notices(hub) == expected_notices


def test_claim_lines_of_different_claims_with_the_same_line_id_are_kept_apart(hub) -> None:  # noqa: ANN001
    hub.feed(*MESSAGES)
    keys = [(r["claim_id"], r["line_id"]) for r in hub.rows(t.eldercare_claim_lines, "claim_id", "line_id")]
    assert keys == [("C1", "1"), ("C1", "2"), ("C2", "1"), ("C3", "1"), ("C4", "1")]


def test_a_claim_before_its_enrolment_is_re_adjudicated_and_a_new_notice_references_the_first(hub) -> None:  # noqa: ANN001
    claim = b.claim("he", "C1", "110102", "2026-05", [("1", 1, 31, 60000)], at=10)
    hub.feed(b.rates("bj", "110000", 60000), claim)
    assert adjudications(hub) == [("C1", "1", False, 0, ["not_enrolled"])]
    [first] = hub.outbox("hub.routed_request")
    assert first["payload"]["payload"]["accepted_total_fen"] == 0
    assert first["references"] == [claim["message_id"]]

    hub.feed(b.enrolment("he", "E1", 1, "110102", "he"))
    assert adjudications(hub) == [("C1", "1", True, 60000, [])]
    [_, second] = hub.outbox("hub.routed_request")
    assert second["payload"]["payload"]["accepted_total_fen"] == 60000
    assert second["references"] == [claim["message_id"], first["message_id"]]
    assert second["payload"]["payload"]["adjudication_id"] != first["payload"]["payload"]["adjudication_id"]

    hub.feed(b.enrolment("he", "E1", 1, "110102", "he"))  # the same enrolment again: nothing changes, no notice
    assert len(hub.outbox("hub.routed_request")) == 2
    assert [r["message_id"] for r in hub.rows(t.eldercare_claim_notices, "claim_id")] == [second["message_id"]]


def test_a_notice_stored_before_migration_0014_is_found_in_the_outbox(hub) -> None:  # noqa: ANN001
    """Rows written before 0014 have no message_id: the superseding notice still references the first one."""
    from sqlalchemy import update

    claim = b.claim("he", "C1", "110102", "2026-05", [("1", 1, 31, 60000)], at=10)
    hub.feed(b.rates("bj", "110000", 60000), claim)
    [first] = hub.outbox("hub.routed_request")
    with hub.engine.begin() as conn:
        conn.execute(update(t.eldercare_claim_notices).values(message_id=None))
    hub.feed(b.enrolment("he", "E1", 1, "110102", "he"))
    [_, second] = hub.outbox("hub.routed_request")
    assert second["references"] == [claim["message_id"], first["message_id"]]


def test_a_settled_line_is_never_edited_a_change_is_a_later_period_adjustment(hub) -> None:  # noqa: ANN001
    from hub.domain.calendar import Period
    from hub.services.context import Batch
    from hub.services.settlement import run_statements

    hub.feed(b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"),
             b.claim("he", "C1", "110102", "2026-05", [("1", 1, 31, 60000)], at=10))
    with hub.engine.begin() as conn:
        [sid] = run_statements(Batch(conn, hub.now, hub.prefix), Period.parse("2026-05"))
    # a new enrolment version discharges the elder on 3 May: the settled May line would now be rejected
    hub.feed(b.enrolment("he", "E1", 1, "110102", "he", discharged="2026-05-03", at=20))
    assert adjudications(hub) == [("C1", "1", True, 60000, [])]  # frozen as settled
    with hub.engine.connect() as conn:
        adj = [dict(r) for r in conn.execute(select(t.settlement_adjustments)).mappings()]
    assert [(a["period"], a["adjusts_line_id"], a["adjusts_period"], a["amount_fen"], a["created_by"])
            for a in adj] == [("2026-06", "C1/1", "2026-05", -60000, "hub")]
    assert sid.startswith("ST-202605-110102-he-")
    hub.feed(b.enrolment("he", "E1", 1, "110102", "he", discharged="2026-05-03", at=20))  # no second booking
    with hub.engine.connect() as conn:
        assert len(conn.execute(select(t.settlement_adjustments)).all()) == 1
