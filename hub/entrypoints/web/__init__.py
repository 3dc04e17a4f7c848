"""`jjj web`: the Flask app factory (REST API under /api/v1, dashboard, /metrics, /livez, /readyz).

Layout: ``auth*`` (users, roles, tokens, login), ``security`` (session hardening, CSRF, headers, login rate limit),
``i18n`` (zh/en catalogue), ``listing`` (filters, paging, sorting, CSV), ``readmodel*`` (read-only SQL over the
hub's tables), ``notices`` + ``payee`` (the payee region's statement notices), ``api/`` (flask-smorest blueprints),
``dashboard`` (server-rendered pages), ``health``.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask
from flask_smorest import Api

from jjj.config import Settings
from jjj.db import make_engine

API_SPEC = {
    "info": {"description": "京津冀民政协同平台：灾情、救灾物资、核对、转办、跨区域养老结算与交换健康。"
                            " Authenticate with a session (dashboard) or `Authorization: Bearer <token>`."},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
}


def create_app(settings: Settings | None = None, *, engine=None) -> Flask:  # noqa: ANN001
    """Build the web app on ``engine`` (created from ``settings.database_url`` when not given)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    production = os.environ.get("JJJ_ENV", "development") == "production"
    app.config.update(
        API_TITLE="京津冀民政协同平台 API",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_URL_PREFIX="/",
        API_SPEC_OPTIONS=API_SPEC,
        SECRET_KEY=os.environ.get("JJJ_WEB_SECRET") or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="jjj_session",
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        JJJ_PRODUCTION=production,
        JJJ_REFRESH_SECONDS=int(os.environ.get("JJJ_WEB_REFRESH_SECONDS", "15")),
        JJJ_LOGIN_LIMIT=int(os.environ.get("JJJ_WEB_LOGIN_LIMIT", "5")),
        MAX_CONTENT_LENGTH=1 << 20,
        JJJ_KAFKA_PROBE=os.environ.get("JJJ_WEB_KAFKA_PROBE", "1") != "0",
    )
    if production and not os.environ.get("JJJ_WEB_SECRET"):
        from jjj.errors import ConfigError

        raise ConfigError("JJJ_WEB_SECRET must be set in production (sessions must survive restarts and replicas)")
    app.json.ensure_ascii = False
    if engine is None:
        from hub.infrastructure import tables

        engine = make_engine(settings.database_url, sqlite_pool=True)
        tables.create_all(engine)
    from hub.entrypoints.web import auth_store, readmodel
    from hub.services import audit

    audit.create_tables(engine)  # officer actions append to the audit log
    auth_store.create_all(engine)
    readmodel.ensure_read_indexes(engine)
    app.extensions["jjj.engine"] = engine
    app.extensions["jjj.settings"] = settings

    from hub.entrypoints.web import auth, dashboard, errors, health, i18n, security
    from hub.entrypoints.web.api import register_api

    api = Api(app)
    security.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    register_api(api)
    health.init_app(app)
    dashboard.init_app(app)
    return app
