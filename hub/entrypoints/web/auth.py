"""Authentication and authorisation: every route needs a user except health, metrics and static assets.

A user comes from the session (dashboard login) or from ``Authorization: Bearer <token>`` (machine clients).
Roles: coordinator, region_operator (scoped to a region; also its region's payee view of settlement notices),
district_officer (scoped to a district), admin.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app, g, jsonify, redirect, request, session, url_for

from hub.entrypoints.web import auth_store
from hub.entrypoints.web.auth_store import User

PUBLIC_ENDPOINTS = frozenset({"livez", "readyz", "metrics", "static", "login", "login_post", "set_language"})
#: What each role may read, by area; actions are checked where they happen.
AREAS = {
    "disasters": ("coordinator", "region_operator", "admin"),
    "relief": ("coordinator", "region_operator", "admin"),
    "cases": ("coordinator", "region_operator", "admin"),
    "eldercare": ("coordinator", "district_officer", "admin"),
    "payee": ("coordinator", "region_operator", "admin"),  # statement notices of the payee region
    "exchange": ("coordinator", "region_operator", "admin"),
    "dead_letters": ("region_operator", "admin"),
    "docs": auth_store.ROLES,
}


def current_user() -> User | None:
    return getattr(g, "user", None)


def _load_user() -> None:
    engine = current_app.extensions["jjj.engine"]
    g.user, g.auth_via = None, None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.user = auth_store.user_for_token(engine, header[7:].strip())
        g.auth_via = "token" if g.user else None
        return
    uid = session.get("uid")
    if uid is not None:
        g.user = auth_store.user_by_id(engine, uid)
        g.auth_via = "session" if g.user else None


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def require(area: str):  # noqa: ANN201
    """View decorator: the user's role must be allowed in ``area`` (403 otherwise)."""

    def deco(fn):  # noqa: ANN001, ANN202
        @wraps(fn)
        def wrapper(*args, **kwargs):  # noqa: ANN202
            user = current_user()
            if user is None or user.role not in AREAS[area]:
                abort(403, description=f"role may not read {area} / 无权访问")
            return fn(*args, **kwargs)

        return wrapper

    return deco


def init_app(app: Flask) -> None:
    @app.before_request
    def _authenticate():  # noqa: ANN202
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        _load_user()
        if g.user is None:
            if _wants_json():
                return jsonify(code=401, status="Unauthorized", message="authentication required / 需要登录"), 401
            return redirect(url_for("login", next=request.full_path if request.query_string else request.path))
        app.extensions["jjj.check_csrf"]()
        return None
