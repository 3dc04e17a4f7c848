"""Any permutation and duplication of a message sequence, in any batching, yields the same final state
(disasters, stock, claims): the state rows are functions of the set of messages."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from hub.infrastructure import tables
from hub.services import queries
from jjj.audit import audit_metadata
from tests.hub.services import builders as b


def messages() -> list[dict]:
    return [
        b.disaster("bj", "E1", "initial", 1, 100, at=0), b.disaster("bj", "E1", "update", 2, 250, at=10),
        b.disaster("bj", "E1", "update", 3, 240, at=20), b.disaster("bj", "E1", "final", 4, 260, at=30),
        b.disaster("bj", "E1", "update", 5, 999, at=40), b.correction("bj", "E1", 6, 270, at=50),
        b.disaster("tj", "T1", "initial", 1, 30, at=5, county="120114", relocated=8),
        b.disaster("tj", "T1", "update", 2, 45, at=15, county="120114", relocated=12),
        b.snapshot("bj", 1000, at=0), b.movement("bj", "M1", "outbound", 300, at=10),
        b.movement("bj", "M2", "inbound", 120, at=20), b.snapshot("bj", 800, at=30),
        b.movement("bj", "M3", "adjustment", -5, at=40),
        b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"),
        b.enrolment("tj", "E2", 2, "110102", "tj"),
        b.enrolment("he", "E2", 2, "110102", "he", admitted="2026-05-10", at=5),  # a later version of E2
        b.claim("he", "C1", "110102", "2026-05", [("L1", 1, 31, 60000), ("L2", 2, 20, 60000)], at=10),
        b.claim("tj", "C2", "110102", "2026-05", [("L3", 1, 31, 60000)], at=11),
    ]


MESSAGES = messages()


def reset(engine) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        for md in (tables.metadata, audit_metadata):
            for table in reversed(md.sorted_tables):
                conn.execute(delete(table))


def state(hub) -> dict:  # noqa: ANN001
    fp = queries.totals_fingerprint(hub.engine)
    fp.pop("codes")
    return fp


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(MESSAGES))), dupes=st.lists(st.integers(0, len(MESSAGES) - 1), max_size=6),
       batch=st.integers(1, 8))
def test_any_order_duplication_and_batching_gives_the_same_state(hub, order, dupes, batch) -> None:  # noqa: ANN001
    reset(hub.engine)
    hub.feed(*MESSAGES, batch=len(MESSAGES))
    expected = state(hub)
    reset(hub.engine)
    shuffled = [MESSAGES[i] for i in order] + [MESSAGES[i] for i in dupes]
    hub.feed(*shuffled, batch=batch)
    assert state(hub) == expected
    assert expected["events"] == [("bj", "E1", "closed", 6), ("tj", "T1", "open", 2)]
    assert expected["stock"] == [("BJ-D1", "quilt", "", "", 795, 795, 1)]  # counted 800, ledger says 820
    assert expected["claims"] == [("C1/L1", True, 60000, ()), ("C1/L2", True, 60000, ()),
                                 ("C2/L3", False, 0, ("not_enrolled",))]
