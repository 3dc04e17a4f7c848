"""Message catalogue: Chinese by default, English on request (``?lang=en`` sets a cookie). Every user-facing string
of the dashboard goes through ``t(key)``; a test checks that both languages have every key."""

from __future__ import annotations

from flask import Flask, g, redirect, request

from hub.entrypoints.web.i18n_catalogue import MESSAGES

LANGS = ("zh", "en")
DEFAULT = "zh"


def lang() -> str:
    return getattr(g, "lang", DEFAULT)


def t(key: str, **fmt: object) -> str:
    """The text of ``key`` in the request's language (the key itself when missing, which the test forbids)."""
    text = MESSAGES.get(lang(), {}).get(key) or MESSAGES[DEFAULT].get(key, key)
    return text.format(**fmt) if fmt else text


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, lang=lang, js_messages=lambda: MESSAGES[lang()])

    @app.before_request
    def _pick_language():  # noqa: ANN202
        asked = request.args.get("lang")
        g.lang = asked if asked in LANGS else request.cookies.get("lang") if request.cookies.get("lang") in LANGS else DEFAULT

    @app.after_request
    def _remember(resp):  # noqa: ANN001, ANN202
        asked = request.args.get("lang")
        if asked in LANGS:
            resp.set_cookie("lang", asked, max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=app.config["JJJ_PRODUCTION"])
        return resp

    @app.get("/lang/<code>")
    def set_language(code: str):  # noqa: ANN202
        from urllib.parse import urlparse

        back = request.referrer or "/"
        target = urlparse(back).path or "/"  # same-site path only: never an open redirect
        resp = redirect(target)
        if code in LANGS:
            resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=app.config["JJJ_PRODUCTION"])
        return resp
