"""REST API under /api/v1 (flask-smorest blueprints; OpenAPI 3.1 at /openapi.json, Swagger UI at /docs)."""

from __future__ import annotations

from flask_smorest import Api


def register_api(api: Api) -> None:
    from hub.entrypoints.web.api import cases, disasters, eldercare, exchange, relief, relief_costs

    del relief_costs  # its routes join the relief blueprint on import

    for module in (disasters, relief, cases, eldercare, exchange):
        api.register_blueprint(module.blp)
