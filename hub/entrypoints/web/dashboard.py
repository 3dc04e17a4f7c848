"""Server-rendered dashboard pages (data panels fill themselves from the JSON API and refresh on a timer, each with
its own freshness indicator). Login/logout, the settlement officer's confirm/dispute forms, the payee's notices
(``payee``), and Swagger UI."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from hub.entrypoints.web import actions, auth_store, notices, payee, readmodel_views
from hub.entrypoints.web.auth import AREAS, current_user, require
from hub.entrypoints.web.i18n import t
from hub.entrypoints.web.security import csrf_token

NAV = (("overview", "disasters"), ("relief", "relief"), ("cases", "cases"), ("settlement", "eldercare"),
       ("notices", "payee"), ("exchange", "exchange"))


def _safe_next(target: str | None) -> str:
    parsed = urlparse(target or "")
    if parsed.scheme or parsed.netloc or not (target or "").startswith("/") or target.startswith("//"):
        return "/"
    return target


def _prefix() -> str:
    return current_app.extensions["jjj.settings"].topic_prefix


def _home() -> str:
    user = current_user()
    for page, area in NAV:
        if user and user.role in AREAS[area]:
            return url_for(page)
    return url_for("login")


def init_app(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict:
        user = current_user()
        nav = [(p, t(f"nav.{p}")) for p, area in NAV if user and user.role in AREAS[area]]
        return {"user": user, "nav": nav, "refresh_s": app.config["JJJ_REFRESH_SECONDS"]}

    @app.get("/login")
    def login():  # noqa: ANN202
        csrf_token()
        return render_template("login.html", next=_safe_next(request.args.get("next")))

    @app.post("/login")
    def login_post():  # noqa: ANN202
        app.extensions["jjj.check_csrf"]()
        limiter = app.extensions["jjj.login_limiter"]
        username = request.form.get("username", "")[:80]
        keys = (f"ip:{request.remote_addr}", f"user:{username}")
        if limiter.blocked(*keys):
            return render_template("login.html", error=t("login.too_many"), next="/"), 429
        user = auth_store.authenticate(current_app.extensions["jjj.engine"], username, request.form.get("password", ""))
        if user is None:
            limiter.failed(*keys)
            return render_template("login.html", error=t("login.failed"), next=_safe_next(request.form.get("next"))), 401
        session.clear()  # a fresh session (and CSRF token) on login: no session fixation
        session["uid"] = user.id
        session.permanent = True
        csrf_token()
        g.user = user
        target = _safe_next(request.form.get("next"))
        return redirect(target if target != "/" else _home())

    @app.post("/logout")
    def logout():  # noqa: ANN202
        session.clear()
        return redirect(url_for("login"))

    @app.get("/")
    def index():  # noqa: ANN202
        user = current_user()
        if user.role not in AREAS["disasters"]:
            return redirect(_home())
        return render_template("overview.html")

    @app.get("/overview")
    @require("disasters")
    def overview():  # noqa: ANN202
        return render_template("overview.html")

    @app.get("/events/<region>/<event_id>")
    @require("disasters")
    def event_page(region: str, event_id: str):  # noqa: ANN202
        event = readmodel_views.disaster_event(current_app.extensions["jjj.engine"], region, event_id)
        if event is None:
            abort(404)
        return render_template("event.html", region=region, event_id=event_id)

    @app.get("/relief")
    @require("relief")
    def relief():  # noqa: ANN202
        return render_template("relief.html")

    @app.get("/cases")
    @require("cases")
    def cases():  # noqa: ANN202
        return render_template("cases.html")

    @app.get("/settlement")
    @require("eldercare")
    def settlement():  # noqa: ANN202
        return render_template("settlement.html")

    @app.get("/settlement/<statement_id>")
    @require("eldercare")
    def statement_page(statement_id: str):  # noqa: ANN202
        st = readmodel_views.statement(current_app.extensions["jjj.engine"], statement_id)
        if st is None:
            abort(404)
        user = current_user()
        if user.role == "district_officer" and st["payer_district"] != user.district:
            abort(403, description=t("settlement.not_yours"))
        can_act = user.role == "district_officer" and st["status"] == "issued"
        # lines withheld by an open dispute are marked (the same view the payee region gets)
        return render_template("statement.html", st=notices.payee_view(st), can_act=can_act)

    @app.post("/settlement/<statement_id>/confirm")
    @require("eldercare")
    def statement_confirm(statement_id: str):  # noqa: ANN202
        return _act(statement_id, lambda e, u: actions.confirm(e, u, statement_id, prefix=_prefix()), "settlement.confirmed")

    @app.post("/settlement/<statement_id>/dispute")
    @require("eldercare")
    def statement_dispute(statement_id: str):  # noqa: ANN202
        lines = request.form.getlist("line_ids")
        reason = request.form.get("reason", "")
        return _act(statement_id, lambda e, u: actions.dispute(e, u, statement_id, lines, reason,
                                                                          prefix=_prefix()), "settlement.disputed")

    def _act(statement_id: str, fn, done_key: str):  # noqa: ANN001, ANN202
        try:
            fn(current_app.extensions["jjj.engine"], current_user())
        except actions.ActionRefused as exc:
            if exc.status in (403, 404):
                abort(exc.status, description=exc.message)
            flash(exc.message, "error")
        else:
            flash(t(done_key), "ok")
        return redirect(url_for("statement_page", statement_id=statement_id))

    payee.init_app(app)

    @app.get("/exchange")
    @require("exchange")
    def exchange():  # noqa: ANN202
        return render_template("exchange.html")

    @app.get("/docs")
    @require("docs")
    def docs():  # noqa: ANN202
        return render_template("docs.html")
