"""The shared lists of the web (verifications, referrals, claims) show actual messages only: a drill of each kind
is stored (under "<status>/<id>") but never listed beside the real ones."""

from __future__ import annotations

from sqlalchemy import select

from hub.entrypoints.web import readmodel as rm
from tests.hub.services import builders as b


def drill(message: dict, status: str) -> dict:
    message["status"] = status
    return message


def listed(hub, spec, column: str) -> list[str]:  # noqa: ANN001
    with hub.engine.connect() as conn:
        return sorted(r[column] for r in conn.execute(spec.query()).mappings())


def test_drills_are_not_listed_beside_the_real_ones(hub) -> None:  # noqa: ANN001
    hub.feed(b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"))
    hub.feed(b.verification_request("bj", "VR-1", ["tj"]), drill(b.verification_request("bj", "VR-2", ["he"]), "exercise"),
             b.referral("bj", "RF-1", "tj"), drill(b.referral("bj", "RF-2", "he"), "test"),
             b.claim("he", "C1", "110102", "2026-05", [("L1", 1, 31, 60000)], at=10),
             drill(b.claim("he", "C2", "110102", "2026-05", [("L1", 1, 31, 60000)], at=11), "exercise"))
    assert listed(hub, rm.VERIFICATIONS, "request_id") == ["VR-1"]
    assert listed(hub, rm.REFERRALS, "referral_id") == ["RF-1"]
    assert listed(hub, rm.CLAIMS, "claim_id") == ["C1"]
    with hub.engine.connect() as conn:  # the drills were stored, under their status
        from hub.infrastructure import tables as t

        assert sorted(conn.execute(select(t.verification_state.c.request_id)).scalars()) == ["VR-1", "exercise/VR-2"]
        assert sorted(conn.execute(select(t.referrals.c.referral_id)).scalars()) == ["RF-1", "test/RF-2"]
