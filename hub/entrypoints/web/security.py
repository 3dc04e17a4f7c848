"""Web hardening (issue 7 item 6): CSRF on session-authenticated state changes, security headers, a login rate
limit shared through the hub database. Session cookies are set HttpOnly, SameSite=Lax and Secure in production
by the app factory.

CSRF: a per-session random token, sent back by forms (``csrf_token`` field) and by the dashboard's fetch calls
(``X-CSRF-Token`` header). Requests authenticated by a bearer token carry no ambient credential and are exempt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask, abort, g, request, session
from sqlalchemy import Engine, delete, func, insert, select

from hub.infrastructure.tables import web_login_failures

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or getattr(g, "auth_via", None) == "token":
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="CSRF token missing or invalid / CSRF 校验失败")


class LoginLimiter:
    """At most ``limit`` failed logins per client address and per username in ``window_s``, counted in the hub
    database (``web_login_failures``): every web process behind a load balancer applies the same count, and a
    restart forgets nothing. Keys are stored as SHA-256 digests (a typed user name may be anything)."""

    def __init__(self, engine: Engine, limit: int, window_s: float = 300.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine, self.limit, self.window = engine, limit, timedelta(seconds=window_s)
        self.clock = clock

    @staticmethod
    def _digests(keys: tuple[str, ...]) -> list[str]:
        return [hashlib.sha256(k.encode()).hexdigest() for k in keys]

    def blocked(self, *keys: str) -> bool:
        f = web_login_failures
        since = self.clock() - self.window
        with self.engine.connect() as conn:
            counts = conn.execute(select(f.c.key_digest, func.count()).where(
                f.c.key_digest.in_(self._digests(keys)), f.c.failed_at > since).group_by(f.c.key_digest)).all()
        return any(n >= self.limit for _, n in counts)

    def failed(self, *keys: str) -> None:
        f, now = web_login_failures, self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(f).where(f.c.failed_at <= now - self.window))  # expired rows (indexed)
            conn.execute(insert(f), [{"key_digest": d, "failed_at": now} for d in self._digests(keys)])


def init_app(app: Flask) -> None:
    engine = app.extensions["jjj.engine"]
    web_login_failures.create(engine, checkfirst=True)  # a database made before migration 0007
    app.extensions["jjj.login_limiter"] = LoginLimiter(engine, app.config["JJJ_LOGIN_LIMIT"])
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.after_request
    def _headers(resp):  # noqa: ANN001, ANN202
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if app.config["JJJ_PRODUCTION"]:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith("/api/") or request.path.startswith("/login"):
            h.setdefault("Cache-Control", "no-store")
        return resp

    app.extensions["jjj.check_csrf"] = _check_csrf
