"""/livez, /readyz and /metrics (no authentication; restrict /metrics by network in production).

Web metrics: requests by endpoint and status, latency histogram. State metrics read from the hub's tables at
scrape time (low-cardinality labels, no personal data): outbox depth and heartbeat age per region, overdue
verifications and referrals, settlement totals by status, pending dead letters.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from flask import Flask, current_app, g, jsonify, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from hub.entrypoints.web import kafka_probe
from hub.entrypoints.web.readmodel import statement_status
from hub.infrastructure import tables as t

REQUESTS = Counter("jjj_web_requests_total", "HTTP requests served by the web app", ["endpoint", "method", "status"])
LATENCY = Histogram("jjj_web_request_seconds", "HTTP request latency of the web app", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
#: Metric names this module defines (the Grafana test checks dashboard queries against the code).
STATE_METRICS = ("jjj_region_outbox_depth", "jjj_region_heartbeat_age_seconds", "jjj_verification_overdue",
                 "jjj_referral_overdue", "jjj_settlement_fen", "jjj_settlement_statements", "jjj_dead_letters_pending",
                 "jjj_consumer_lag_records")
FRESH_S = int(os.environ.get("JJJ_WEB_FRESHNESS_SECONDS", "120"))


def consumer_lag() -> dict[str, int]:
    return kafka_probe.status(current_app.extensions["jjj.settings"], current_app.config["JJJ_KAFKA_PROBE"])["lag"]


class StateCollector:
    """Reads the hub's state tables at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):  # noqa: ANN201
        engine = self.app.extensions["jjj.engine"]
        now = datetime.now(UTC)
        depth = GaugeMetricFamily("jjj_region_outbox_depth", "Outbox depth the region's adapters report", labels=["region"])
        age = GaugeMetricFamily("jjj_region_heartbeat_age_seconds", "Seconds since the region's last heartbeat",
                                labels=["region"])
        vo = GaugeMetricFamily("jjj_verification_overdue", "Open verification requests past their due day",
                               labels=["region"])
        ro = GaugeMetricFamily("jjj_referral_overdue", "Referrals not acknowledged by their deadline", labels=["to_region"])
        sf = GaugeMetricFamily("jjj_settlement_fen", "Statement totals in fen by status", labels=["payee_region", "status"])
        sc = GaugeMetricFamily("jjj_settlement_statements", "Statements by status", labels=["payee_region", "status"])
        dl = GaugeMetricFamily("jjj_dead_letters_pending", "Dead letters not replayed", labels=["region"])
        lag = GaugeMetricFamily("jjj_consumer_lag_records", "Records the hub group is behind", labels=["region"])
        hb, vs, rf, st, ac = (t.region_heartbeats, t.verification_state, t.referrals, t.settlement_statements,
                              t.settlement_accounts)
        with engine.connect() as conn:
            for region, d, last in conn.execute(select(hb.c.region, func.sum(hb.c.outbox_depth),
                                                       func.max(hb.c.last_seen_at)).group_by(hb.c.region)):
                depth.add_metric([region], int(d or 0))
                last = last if last.tzinfo else last.replace(tzinfo=UTC)
                age.add_metric([region], (now - last).total_seconds())
            for region, n in conn.execute(select(vs.c.region, func.count()).where(
                    vs.c.status != "complete", vs.c.due_on < now.date()).group_by(vs.c.region)):
                vo.add_metric([region], n)
            for region, n in conn.execute(select(rf.c.to_region, func.count()).where(
                    rf.c.acknowledged_at.is_(None), rf.c.acknowledge_by < now).group_by(rf.c.to_region)):
                ro.add_metric([region or "unknown"], n)
            status = statement_status()
            for region, s, total, n in conn.execute(
                    select(st.c.payee_region, status, func.sum(st.c.total_fen), func.count())
                    .select_from(st.outerjoin(ac, ac.c.statement_id == st.c.statement_id))
                    .group_by(st.c.payee_region, status)):
                sf.add_metric([region, s], int(total or 0))
                sc.add_metric([region, s], n)
            for region, n in conn.execute(select(t.dead_letters.c.region, func.count())
                                          .where(t.dead_letters.c.replayed_at.is_(None)).group_by(t.dead_letters.c.region)):
                dl.add_metric([region], n)
        for region, n in kafka_probe.status(self.app.extensions["jjj.settings"],
                                            self.app.config["JJJ_KAFKA_PROBE"])["lag"].items():
            lag.add_metric([region], n)
        yield from (depth, age, vo, ro, sf, sc, dl, lag)


def init_app(app: Flask) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(app))

    @app.before_request
    def _start():  # noqa: ANN202
        g.t0 = time.perf_counter()

    @app.after_request
    def _observe(resp):  # noqa: ANN001, ANN202
        endpoint = request.endpoint or "unmatched"  # endpoint names, never paths: bounded label values
        REQUESTS.labels(endpoint, request.method, str(resp.status_code)).inc()
        if hasattr(g, "t0"):
            LATENCY.labels(endpoint).observe(time.perf_counter() - g.t0)
        return resp

    @app.get("/livez")
    def livez():  # noqa: ANN202
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():  # noqa: ANN202
        """Database reachable (required); Kafka group assignment and data freshness reported."""
        engine = app.extensions["jjj.engine"]
        checks: dict[str, object] = {}
        ok = True
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                last = conn.execute(select(func.max(t.region_heartbeats.c.last_seen_at))).scalar()
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - readiness reports any failure
            checks["database"] = exc.__class__.__name__
            return jsonify(status="unavailable", checks=checks), 503
        k = kafka_probe.status(app.extensions["jjj.settings"], app.config["JJJ_KAFKA_PROBE"])
        checks["kafka"] = {"reachable": k["ok"], "hub_group_members": k["members"]}
        if os.environ.get("JJJ_WEB_READY_REQUIRES_KAFKA") == "1" and not (k["ok"] and k["members"]):
            ok = False
        if last is not None:
            last = last if last.tzinfo else last.replace(tzinfo=UTC)
            age = (datetime.now(UTC) - last).total_seconds()
            checks["freshness"] = {"last_heartbeat_age_s": int(age), "fresh": age <= FRESH_S}
        else:
            checks["freshness"] = {"last_heartbeat_age_s": None, "fresh": False}
        return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503

    @app.get("/metrics")
    def metrics():  # noqa: ANN202
        body = generate_latest(REGISTRY) + generate_latest(registry)
        return body, 200, {"Content-Type": CONTENT_TYPE_LATEST}
