"""Webhook delivery: in order, retried with backoff after a failure, marked only on a 2xx; heartbeat payloads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from flask import Flask, request
from sqlalchemy import insert, select
from werkzeug.serving import make_server

import schemas
from adapters.core import store
from adapters.core.delivery import WebhookDeliverer


def test_webhook_retries_until_the_provincial_system_answers_2xx(make_runtime) -> None:  # noqa: ANN001
    rt = make_runtime("tj")
    got, answers = [], iter([503, 200, 200])
    app = Flask("province")

    @app.post("/hook")
    def hook():  # noqa: ANN202
        code = next(answers)
        got.append((request.headers["X-JJJ-Message-Id"], request.headers.get("X-JJJ-Token"), code))
        return "", code

    server = make_server("127.0.0.1", 0, app)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        now = datetime.now(UTC)
        with rt.engine.begin() as conn:
            conn.execute(insert(store.deliveries), [{"message_id": m, "kind": "hub.statement_notice", "body": {"m": m},
                                                     "received_at": now, "attempts": 0} for m in ("A", "B")])
        d = WebhookDeliverer(rt.engine, f"http://127.0.0.1:{server.port}/hook", token="tok", base_backoff_s=0.01)
        assert d.deliver_once() == 0            # 503: A waits, and B waits behind it (order kept)
        assert d.deliver_once() == 2
        assert got == [("A", "tok", 503), ("A", "tok", 200), ("B", "tok", 200)]
        with rt.engine.connect() as conn:
            rows = conn.execute(select(store.deliveries.c.message_id, store.deliveries.c.attempts,
                                       store.deliveries.c.delivered_at.is_not(None))).all()
        assert sorted(tuple(r) for r in rows) == [("A", 2, True), ("B", 1, True)]
    finally:
        server.shutdown()


def test_webhook_down_keeps_deliveries_pending(make_runtime) -> None:  # noqa: ANN001
    rt = make_runtime("he")
    with rt.engine.begin() as conn:
        conn.execute(insert(store.deliveries), [{"message_id": "A", "kind": "hub.receipt", "body": {},
                                                 "received_at": datetime.now(UTC), "attempts": 0}])
    d = WebhookDeliverer(rt.engine, "http://127.0.0.1:9/unreachable", timeout_s=1)
    assert d.deliver_once() == 0
    with rt.engine.connect() as conn:
        row = conn.execute(select(store.deliveries)).one()
    assert (row.attempts, row.delivered_at, row.last_error) == (1, None, "ConnectionError")


def test_a_heartbeat_carries_outbox_depth_and_is_not_piled_up(make_runtime) -> None:  # noqa: ANN001
    rt = make_runtime("bj")
    first = rt.beat()
    assert first is not None and rt.beat() is None    # one heartbeat waits: no second one
    with rt.engine.connect() as conn:
        value = conn.execute(select(store.outbox.c.value)).scalar_one()
    msg = schemas.decode(value)
    assert msg["kind"] == "heartbeat.heartbeat" and msg["payload"]["outbox_depth"] == 0
    assert msg["payload"]["adapter_id"] == "bj-adapter"
