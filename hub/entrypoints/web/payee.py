"""Dashboard pages of the payee side of settlement: the notices sent to the payee region and one statement as its
payee sees it after issue, confirmation or dispute (read-only: the payee answers through its own system)."""

from __future__ import annotations

from flask import Flask, abort, current_app, render_template

from hub.entrypoints.web import readmodel_views
from hub.entrypoints.web.api.common import IDENT_RE
from hub.entrypoints.web.auth import current_user, require
from hub.entrypoints.web.i18n import t
from hub.entrypoints.web.notices import payee_view


def init_app(app: Flask) -> None:
    @app.get("/notices")
    @require("payee")
    def notices():  # noqa: ANN202
        return render_template("notices.html")

    @app.get("/notices/<statement_id>")
    @require("payee")
    def notice_page(statement_id: str):  # noqa: ANN202
        st = readmodel_views.statement(current_app.extensions["jjj.engine"], statement_id) \
            if IDENT_RE.match(statement_id) else None
        if st is None:
            abort(404)
        user = current_user()
        if user.role == "region_operator" and st["payee_region"] != user.region:
            abort(403, description=t("notices.not_yours"))
        return render_template("notice.html", st=payee_view(st))
