"""Disaster endpoints: the shared picture of each event (thin views: decode, call a query, map errors)."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint, abort

from hub.services import queries

blp = Blueprint("disasters", __name__, url_prefix="/api/v1/disasters", description="灾情 disaster events")


@blp.get("/<region>/<event_id>")
@blp.response(200)
def get_event(region: str, event_id: str):  # noqa: ANN201
    """One event: its current report and revision history."""
    event = queries.disaster_event(current_app.extensions["jjj.engine"], region, event_id)
    if event is None:
        abort(404, message=f"no disaster event {region}/{event_id}")
    return event
