"""The intake answers 202 only after the outbox commit, 400 with located errors (nothing stored), 401 without the
token; a retried push with the same Idempotency-Key is not stored twice; deliveries can be pulled and acked."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from adapters.core import store
from adapters.core.intake import create_intake_app
from adapters.core.spec import region
from tests.adapters.conftest import context, sample


@pytest.fixture
def client_rt(make_runtime, hasher, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("JJJ_BJ_INTAKE_TOKEN", "s3cret-token")
    rt, spec = make_runtime("bj"), region("bj")
    app = create_intake_app(rt, spec, context(spec, hasher, rt.last_message_id))
    return app.test_client(), rt


H = {"X-JJJ-Token": "s3cret-token"}


def outbox_ids(rt) -> list[str]:  # noqa: ANN001
    with rt.engine.connect() as conn:
        return list(conn.execute(select(store.outbox.c.message_id).order_by(store.outbox.c.seq)).scalars())


def test_a_pushed_report_is_in_the_outbox_when_the_answer_is_202(client_rt) -> None:  # noqa: ANN001
    client, rt = client_rt
    body = sample("beijing", "disaster_report.json").read_bytes()
    assert not rt.wake_event.is_set()
    resp = client.post("/intake/disaster_report", data=body, headers=H, content_type="application/json")
    assert resp.status_code == 202
    assert resp.get_json()["accepted"] == outbox_ids(rt) and len(outbox_ids(rt)) == 1
    assert rt.wake_event.is_set()  # the publisher of this process sends it at once, not after its idle wait


def test_a_bad_push_gets_400_with_located_errors_and_nothing_is_accepted(client_rt) -> None:  # noqa: ANN001
    client, rt = client_rt
    doc = json.loads(sample("beijing", "eldercare_enrolment.json").read_text(encoding="utf-8"))
    doc[1]["身份证号"] = "110105194912310031"
    resp = client.post("/intake/eldercare_enrolment", json=doc, headers=H)
    assert resp.status_code == 400
    assert resp.get_json()["errors"] == [{
        "location": "$[1]", "text": "http:eldercare_enrolment:$[1]: 身份证号 (elder_ref): check digit is 1, expected 8",
        "problems": [{"field": "身份证号 (elder_ref)", "reason": "check digit is 1, expected 8",
                      "reason_zh": "校验码为 1，应为 8", "path": None, "rule": None}]}]
    assert outbox_ids(rt) == []
    with rt.engine.connect() as conn:
        assert conn.execute(select(store.rejects.c.location)).scalars().all() == ["$[1]"]


def test_token_is_required_and_unknown_formats_are_404(client_rt) -> None:  # noqa: ANN001
    client, _ = client_rt
    assert client.post("/intake/disaster_report", json={}).status_code == 401
    assert client.post("/intake/disaster_report", json={}, headers={"X-JJJ-Token": "wrong"}).status_code == 401
    assert client.post("/intake/nope", json={}, headers=H).status_code == 404
    assert client.get("/livez").status_code == 200


def test_a_retried_push_with_the_same_idempotency_key_is_stored_once(client_rt) -> None:  # noqa: ANN001
    client, rt = client_rt
    body = sample("beijing", "stock_snapshot.json").read_bytes()
    h = {**H, "Idempotency-Key": "bj-platform-req-8812"}
    first = client.post("/intake/stock_snapshot", data=body, headers=h, content_type="application/json")
    second = client.post("/intake/stock_snapshot", data=body, headers=h, content_type="application/json")
    assert first.status_code == second.status_code == 202
    assert first.get_json() == second.get_json() and len(outbox_ids(rt)) == 1


def test_deliveries_are_pulled_in_order_and_acked(client_rt) -> None:  # noqa: ANN001
    client, rt = client_rt
    now = datetime.now(UTC)
    with rt.engine.begin() as conn:
        conn.execute(insert(store.deliveries), [
            {"message_id": f"M{i}", "kind": "hub.routed_request", "body": {"n": i}, "received_at": now, "attempts": 0}
            for i in range(3)])
    page = client.get("/deliveries?after=0&limit=2", headers=H).get_json()
    assert [i["message_id"] for i in page["items"]] == ["M0", "M1"]
    assert client.post(f"/deliveries/{page['items'][0]['seq']}/ack", headers=H).status_code == 200
    assert client.post(f"/deliveries/{page['items'][0]['seq']}/ack", headers=H).status_code == 404
    rest = client.get("/deliveries", headers=H).get_json()
    assert [i["message_id"] for i in rest["items"]] == ["M1", "M2"]


def test_metrics_show_outbox_depth_and_counts_without_personal_data(client_rt) -> None:  # noqa: ANN001
    client, _ = client_rt
    client.post("/intake/verification_request", data=sample("beijing", "verification_request.json").read_bytes(),
                headers=H, content_type="application/json")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'jjj_adapter_outbox_depth{region="bj"} 1.0' in text
    assert 'jjj_adapter_records_total{kind="verification.request",outcome="accepted",region="bj"} 1.0' in text
    assert "110108195711030041" not in text and "陈" not in text
    status = client.get("/status").get_json()
    assert (status["outbox_depth"], status["unreceipted"]) == (1, 0)
