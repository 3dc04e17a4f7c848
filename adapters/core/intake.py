"""The adapter's HTTP side (Flask): intake for provincial systems that push, pull API for deliveries, metrics.

    POST /intake/<format>           JSON body (one document or an array) → 202 {"accepted": [message ids]} after
                                    the outbox commit; 400 {"errors": [...]} with located errors, nothing accepted
                                    (a request is all or nothing, so the system can simply resend it fixed)
    GET  /deliveries?after=&limit=  hub messages not yet acked, in order
    POST /deliveries/<seq>/ack      the system has them
    GET  /status  /livez  /metrics

Intake and deliveries need the ``X-JJJ-Token`` header when ``JJJ_<R>_INTAKE_TOKEN`` is set.  A push may carry
``Idempotency-Key``: a retried push with the same key gets the first answer again and is not stored twice.
"""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime

from flask import Flask, abort, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import insert, select

from adapters.core import delivery, store
from adapters.core.metrics import AdapterMetrics
from adapters.core.pipeline import Ready, run
from adapters.core.readers import json_documents
from adapters.core.spec import MapContext, RegionSpec, Rejected

MAX_BODY = 16 * 1024 * 1024


def create_intake_app(runtime, spec: RegionSpec, ctx: MapContext, metrics: AdapterMetrics | None = None) -> Flask:  # noqa: ANN001
    app = Flask(f"jjj-adapter-{spec.code}")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    metrics = metrics or AdapterMetrics(runtime)
    token = spec.setting("intake_token")

    @app.before_request
    def _auth():  # noqa: ANN202
        if token and request.path.startswith(("/intake", "/deliveries")):
            given = request.headers.get("X-JJJ-Token", "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                abort(401)

    @app.post("/intake/<name>")
    def intake(name: str):  # noqa: ANN202
        fmt = spec.formats.get(name)
        if fmt is None or not fmt.http:
            return jsonify(error=f"no HTTP intake for {name!r}", formats=sorted(
                n for n, f in spec.formats.items() if f.http)), 404
        key = request.headers.get("Idempotency-Key")
        if key:
            with runtime.engine.connect() as conn:
                seen = conn.execute(select(store.intake_keys.c.response).where(store.intake_keys.c.key == key)).scalar()
            if seen is not None:
                return jsonify(seen), 202
        try:
            doc = json.loads(request.get_data(cache=False).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return jsonify(errors=[{"location": "$", "field": "body", "reason": f"not UTF-8 JSON: {exc}",
                                    "reason_zh": "请求体不是 UTF-8 JSON"}]), 400
        results = list(run(fmt, json_documents(doc, f"http:{name}"), ctx, runtime.envelope))
        rejected = [r for r in results if isinstance(r, Rejected)]
        ready = [r for r in results if isinstance(r, Ready)]
        if rejected:
            with runtime.engine.begin() as conn:
                runtime.write(conn, [], rejected, fmt.name)
            metrics.count(fmt.kinds[0], "rejected", sum(len(r.records) for r in rejected))
            return jsonify(errors=[_located(r) for r in rejected]), 400
        answer = {"accepted": [r.message.message_id for r in ready]}
        with runtime.engine.begin() as conn:
            runtime.write(conn, ready, [], fmt.name)
            if key:
                conn.execute(insert(store.intake_keys), [{"key": key, "response": answer,
                                                          "created_at": datetime.now(UTC)}])
        runtime.committed()
        for r in ready:
            metrics.count(r.item.kind, "accepted")
        return jsonify(answer), 202

    @app.get("/deliveries")
    def deliveries():  # noqa: ANN202
        after = request.args.get("after", default=0, type=int)
        limit = min(request.args.get("limit", default=100, type=int), 1000)
        items = delivery.pending(runtime.engine, after, limit)
        return jsonify(items=[{k: i[k] for k in ("seq", "message_id", "kind", "body")} for i in items],
                       next=items[-1]["seq"] if items else after)

    @app.post("/deliveries/<int:seq>/ack")
    def ack(seq: int):  # noqa: ANN202
        return (jsonify(acked=seq), 200) if delivery.ack(runtime.engine, seq) else (jsonify(error="unknown or acked"), 404)

    @app.get("/status")
    def status():  # noqa: ANN202
        return jsonify(runtime.status())

    @app.get("/livez")
    def livez():  # noqa: ANN202
        return jsonify(ok=True)

    @app.get("/metrics")
    def prometheus():  # noqa: ANN202
        return generate_latest(metrics.registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}

    return app


def _located(r: Rejected) -> dict:
    rec = r.records[0]
    return {"location": rec.location, "problems": [p.as_dict() for p in r.error.problems], "text": str(r.error)}
