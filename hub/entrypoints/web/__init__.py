"""`jjj web`: the Flask app factory (REST API under /api/v1, dashboard, /metrics, /livez, /readyz)."""

from __future__ import annotations

from flask import Flask, jsonify
from flask_smorest import Api
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from jjj.config import Settings
from jjj.db import make_engine


def create_app(settings: Settings | None = None, *, engine=None) -> Flask:  # noqa: ANN001
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        API_TITLE="京津冀民政协同平台 API",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_URL_PREFIX="/",
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    if engine is None:
        from hub.infrastructure import tables

        engine = make_engine(settings.database_url)
        tables.create_all(engine)
    app.extensions["jjj.engine"] = engine
    app.extensions["jjj.settings"] = settings
    api = Api(app)

    from hub.entrypoints.web.disasters import blp as disasters_blp

    api.register_blueprint(disasters_blp)

    @app.get("/livez")
    def livez():  # noqa: ANN202
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():  # noqa: ANN202
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - readiness reports any failure
            return jsonify(status="unavailable", database=str(exc.__class__.__name__)), 503
        return jsonify(status="ok", database="ok")

    @app.get("/metrics")
    def metrics():  # noqa: ANN202
        return generate_latest(), 200, {"Content-Type": CONTENT_TYPE_LATEST}

    return app
