"""Web hardening (issue 7 item 6): CSRF on session-authenticated state changes, security headers, a login rate
limit. Session cookies are set HttpOnly, SameSite=Lax and Secure in production by the app factory.

CSRF: a per-session random token, sent back by forms (``csrf_token`` field) and by the dashboard's fetch calls
(``X-CSRF-Token`` header). Requests authenticated by a bearer token carry no ambient credential and are exempt.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from flask import Flask, abort, g, request, session

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
    """At most ``limit`` failed logins per client address and per username in ``window_s`` (memory, per process:
    several web processes each apply it, which still bounds guessing to limit × processes per window)."""

    def __init__(self, limit: int, window_s: float = 300.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)


def init_app(app: Flask) -> None:
    app.extensions["jjj.login_limiter"] = LoginLimiter(app.config["JJJ_LOGIN_LIMIT"])
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
