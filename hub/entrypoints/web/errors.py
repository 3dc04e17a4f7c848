"""One error shape for the API: ``{"code": 404, "status": "Not Found", "message": "..."}`` (flask-smorest's, also
used for 401/403/405/429/500 raised outside smorest views); pages get a small HTML error page."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def _api(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # noqa: ANN202
        if _api(request.path):
            body = {"code": exc.code, "status": exc.name}
            data = getattr(exc, "data", None) or {}
            if "message" in data:
                body["message"] = data["message"]
            elif exc.description:
                body["message"] = exc.description
            if "messages" in data:  # webargs validation errors (flask-smorest's own shape)
                body["errors"] = data["messages"]
            elif "errors" in data:
                body["errors"] = data["errors"]
            return jsonify(body), exc.code
        return render_template("error.html", code=exc.code, message=exc.description), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # noqa: ANN202
        log.exception("unhandled error on %s", request.path)
        return _http(InternalServerError())
