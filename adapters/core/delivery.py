"""Hand the hub's messages (routed requests, responses, statements) to the provincial system.

Push: POST each delivery as JSON to the region's webhook (``JJJ_<R>_WEBHOOK_URL``) in ``seq`` order; a 2xx marks
it delivered, anything else is retried with exponential backoff (the queue waits: order is kept).
Pull: systems that cannot receive call ``GET /deliveries?after=<seq>`` and ``POST /deliveries/<seq>/ack``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import select, update

from adapters.core import store

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 300.0


def pending(engine, after: int = 0, limit: int = 100) -> list[dict]:  # noqa: ANN001
    d = store.deliveries
    with engine.connect() as conn:
        rows = conn.execute(select(d.c.seq, d.c.message_id, d.c.kind, d.c.body, d.c.attempts)
                            .where(d.c.delivered_at.is_(None), d.c.seq > after).order_by(d.c.seq).limit(limit))
        return [dict(r._mapping) for r in rows]


def ack(engine, seq: int) -> bool:  # noqa: ANN001
    """Mark one delivery as received by the provincial system; False when unknown or already acked."""
    d = store.deliveries
    with engine.begin() as conn:
        done = conn.execute(update(d).where(d.c.seq == seq, d.c.delivered_at.is_(None))
                            .values(delivered_at=datetime.now(UTC)))
    return done.rowcount == 1


class WebhookDeliverer:
    """Pushes pending deliveries in order; one failure holds the queue and backs off."""

    def __init__(self, engine, url: str, *, token: str | None = None, timeout_s: float = 10.0,  # noqa: ANN001
                 base_backoff_s: float = 1.0, session: requests.Session | None = None) -> None:
        self.engine, self.url, self.token, self.timeout_s = engine, url, token, timeout_s
        self.base_backoff_s = base_backoff_s
        self.session = session or requests.Session()
        self._wait_until = 0.0

    def deliver_once(self) -> int:
        """Deliver what is due; returns how many were delivered (stops at the first failure)."""
        d, sent = store.deliveries, 0
        now = datetime.now(UTC)
        for row in pending(self.engine):
            headers = {"Content-Type": "application/json", "X-JJJ-Delivery": str(row["seq"]),
                       "X-JJJ-Message-Id": row["message_id"]}
            if self.token:
                headers["X-JJJ-Token"] = self.token
            try:
                resp = self.session.post(self.url, json=row["body"], headers=headers, timeout=self.timeout_s)
                ok, error = 200 <= resp.status_code < 300, f"HTTP {resp.status_code}"
            except requests.RequestException as exc:
                ok, error = False, type(exc).__name__
            with self.engine.begin() as conn:
                if ok:
                    conn.execute(update(d).where(d.c.seq == row["seq"]).values(
                        delivered_at=datetime.now(UTC), attempts=row["attempts"] + 1, last_error=None))
                    sent += 1
                    continue
                delay = min(self.base_backoff_s * 2 ** row["attempts"], MAX_BACKOFF_S)
                conn.execute(update(d).where(d.c.seq == row["seq"]).values(
                    attempts=row["attempts"] + 1, last_error=error, next_attempt_at=now + timedelta(seconds=delay)))
            log.warning("webhook delivery %s failed (%s); retry in %.0fs", row["seq"], error, delay)
            self._wait_until = time.monotonic() + delay
            break
        return sent

    def run(self, stop: Callable[[], bool], idle_s: float = 1.0) -> None:
        while not stop():
            if time.monotonic() >= self._wait_until:
                try:
                    if self.deliver_once():
                        continue
                except Exception:  # noqa: BLE001 - the loop survives database hiccups
                    log.exception("delivery loop failed; retrying")
            time.sleep(idle_s)
