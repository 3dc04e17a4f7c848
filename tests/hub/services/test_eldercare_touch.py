"""Re-adjudication scope: a claim touches only its elder's month (other months' decisions are not redone); an
enrolment or a rate table touches every month of the elders concerned."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.infrastructure import tables as t
from tests.hub.services import builders as b


def decided_at(hub) -> dict[str, tuple[bool, int, object]]:  # noqa: ANN001
    """claim id → (accepted, payable fen, updated_at) of its single line."""
    A = t.eldercare_adjudications
    with hub.engine.connect() as conn:
        return {r.claim_id: (r.accepted, r.payable_fen, r.updated_at) for r in conn.execute(select(A))}


def test_a_claim_redecides_only_its_month_an_enrolment_every_month(hub) -> None:  # noqa: ANN001
    start = hub.now
    hub.feed(b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"),
             b.claim("he", "C-04", "110102", "2026-04", [("L1", 1, 30, 60000)], at=1),
             b.claim("he", "C-05", "110102", "2026-05", [("L1", 1, 31, 60000)], at=2))
    first = decided_at(hub)
    assert {c: v[:2] for c, v in first.items()} == {"C-04": (True, 60000), "C-05": (True, 60000)}
    hub.now = start + timedelta(hours=1)  # a duplicate of May and a June claim: April is not redone
    hub.feed(b.claim("he", "C-05B", "110102", "2026-05", [("L1", 1, 31, 60000)], at=3),
             b.claim("he", "C-06", "110102", "2026-06", [("L1", 1, 30, 60000)], at=4))
    second = decided_at(hub)
    assert second["C-04"] == first["C-04"]
    assert second["C-05"][:2] == (True, 60000) and second["C-05"][2] > first["C-05"][2]
    assert second["C-05B"][:2] == (False, 0)  # the later duplicate of May
    assert second["C-06"][:2] == (True, 60000)
    hub.now = start + timedelta(hours=2)  # a new version of the enrolment: every month of elder 1 is redone
    hub.feed(b.enrolment("he", "E1", 1, "110102", "he", valid_until="2026-04-30", at=5))
    third = decided_at(hub)
    assert {c: v[:2] for c, v in third.items()} == {"C-04": (True, 60000), "C-05": (False, 0),
                                                   "C-05B": (False, 0), "C-06": (False, 0)}
    assert all(v[2] > second[c][2] for c, v in third.items())
