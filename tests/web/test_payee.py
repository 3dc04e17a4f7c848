"""The payee side of settlement: the notices sent to a statement's payee region (from hub_outbox), scoped to the
payee region's operator, and the payee's page of one statement after a dispute."""

from __future__ import annotations

import pytest

from tests.web.seed import NOW

ISSUED = {"notice_type": "issued", "period": "2026-06", "payee_region": "he", "claimed_fen": 150000,
          "accepted_fen": 150000, "claim_count": 3, "payer_code": "110102", "facility_id": "F-C-XC-1",
          "differences": 0, "due_on": None, "queued_at": NOW.isoformat(), "delivered_at": NOW.isoformat(),
          "statement_id": "S-XC-1", "status": "issued"}


def _items(web, user: str, query: str = "") -> list[dict]:  # noqa: ANN001
    resp = web.api(user, "/api/v1/eldercare/notices" + query)
    assert resp.status_code == 200, resp.data
    return [{k: v for k, v in x.items() if k != "message_id"} for x in resp.get_json()["items"]]


def test_the_payee_region_sees_its_notices_only(web) -> None:  # noqa: ANN001
    assert _items(web, "op-he", "?statement_id=S-XC-1") == [ISSUED]  # the payer region's copy is not listed
    assert [(x["statement_id"], x["delivered_at"]) for x in _items(web, "op-he")] == [("S-CY-1", None),
                                                                                    ("S-XC-1", NOW.isoformat())]
    assert _items(web, "op-bj") == []  # Beijing is payer, not payee, of both
    assert len(_items(web, "coord")) == 2 and len(_items(web, "admin", "?payee_region=he")) == 2
    assert web.api("xicheng", "/api/v1/eldercare/notices").status_code == 403


@pytest.mark.parametrize(("user", "status"), [("op-he", 200), ("coord", 200), ("op-bj", 403), ("xicheng", 403)])
def test_payee_page_is_for_the_payee_region(web, user: str, status: int) -> None:  # noqa: ANN001
    assert web.login(user).get("/notices/S-XC-1").status_code == status


def test_unknown_statement_is_404(web) -> None:  # noqa: ANN001
    client = web.login("op-he")
    assert client.get("/notices/S-NOPE").status_code == 404
    assert client.get("/notices/..%2Fetc").status_code == 404


def test_a_dispute_reaches_the_payee_with_its_reason(fresh_web) -> None:  # noqa: ANN001
    resp = fresh_web.api("xicheng", "/api/v1/eldercare/statements/S-XC-1/dispute", "POST",
                         json={"line_ids": ["C-XC-1-L3"], "reason": "已离院 <b>未入住</b>"})
    assert resp.get_json()["status"] == "disputed"
    latest = _items(fresh_web, "op-he", "?statement_id=S-XC-1")
    assert [(x["notice_type"], x["status"], x["delivered_at"]) for x in latest] == [
        ("disputed", "disputed", None), ("issued", "disputed", NOW.isoformat())]
    html = fresh_web.login("op-he").get("/notices/S-XC-1").data.decode()
    assert "已离院 &lt;b&gt;未入住&lt;/b&gt;" in html  # escaped, never markup
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    assert '<tr data-line="C-XC-1-L3" class="overdue">' in main and "officer:xicheng" not in main
    csv = fresh_web.api("op-he", "/api/v1/eldercare/notices?format=csv").data.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("queued_at,delivered_at,notice_type,statement_id") and len(csv) == 4
