"""Disaster events: the shared picture (list with filters; one event with per-county breakdown and history)."""

from __future__ import annotations

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from hub.entrypoints.web import readmodel_views
from hub.entrypoints.web.api.common import CODE6, IDENT_RE, REGION, add_list, engine
from hub.entrypoints.web.auth import require
from hub.entrypoints.web.readmodel import DISASTERS
from jjj.config import REGIONS
from schemas import refdata

blp = Blueprint("disasters", __name__, url_prefix="/api/v1/disasters", description="灾情 disaster events")


class DisasterSchema(Schema):
    region = fields.Str(required=True)
    event_id = fields.Str(required=True)
    status = fields.Str(required=True)
    stage = fields.Str(allow_none=True)
    revision = fields.Int(allow_none=True)
    disaster_type = fields.Str(allow_none=True)
    started_on = fields.Str(allow_none=True)
    data_as_of = fields.Str(allow_none=True)
    reporting_unit_code = fields.Str(allow_none=True)
    report_count = fields.Int(required=True)
    updated_at = fields.Str(allow_none=True)
    counties = fields.List(fields.Str(), required=True)
    affected_population = fields.Int(required=True)
    deaths = fields.Int(required=True)
    missing = fields.Int(required=True)
    injured = fields.Int(required=True)
    relocated_cumulative = fields.Int(required=True)
    relocated_realtime = fields.Int(required=True)
    flags = fields.Int(required=True)


class HistorySchema(Schema):
    message_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    stage = fields.Str(allow_none=True)
    revision = fields.Int(allow_none=True)
    data_as_of = fields.Str(allow_none=True)
    sent_at = fields.Str(allow_none=True)
    received_at = fields.Str(allow_none=True)


class CountySchema(Schema):
    code = fields.Str(required=True)
    affected_population = fields.Int()
    deaths = fields.Int()
    missing = fields.Int()
    injured = fields.Int()
    relocated_cumulative = fields.Int()
    relocated_realtime = fields.Int()


class EventSchema(Schema):
    region = fields.Str(required=True)
    event_id = fields.Str(required=True)
    status = fields.Str(required=True)
    stage = fields.Str(allow_none=True)
    revision = fields.Int(allow_none=True)
    data_as_of = fields.Str(allow_none=True)
    disaster_type = fields.Str(allow_none=True)
    started_on = fields.Str(allow_none=True)
    figures = fields.Dict(keys=fields.Str(), required=True)
    counties = fields.List(fields.Nested(CountySchema), required=True)
    flags = fields.Dict(keys=fields.Str(), required=True)
    links = fields.List(fields.Dict(), required=True)
    current = fields.Dict(allow_none=True, metadata={"description": "the current report's payload"})
    history = fields.List(fields.Nested(HistorySchema), required=True)
    generated_at = fields.Str(required=True)


add_list(blp, "", DISASTERS, DisasterSchema, "disasters", {
    "region": REGION, "county": CODE6,
    "type": fields.Str(validate=validate.OneOf(sorted(refdata.DISASTER_TYPES))),
    "stage": fields.Str(validate=validate.OneOf(["initial", "update", "final"])),
    "status": fields.Str(validate=validate.OneOf(["open", "closed", "cancelled"])),
    "started_from": fields.Date(), "started_to": fields.Date(),
}, summary="List disaster events")


class EventArgs(Schema):
    status = fields.Str(load_default="actual", validate=validate.OneOf(["actual", "exercise", "test"]),
                        metadata={"description": "envelope status of the reports shown: actual (default) or a drill's"})


@blp.route("/<region>/<event_id>", methods=["GET"])
@blp.arguments(EventArgs, location="query")
@blp.response(200, EventSchema)
@blp.alt_response(404, schema="Error", description="no such event")
@require("disasters")
def get_event(args, region: str, event_id: str):  # noqa: ANN001, ANN201
    """One event: reconciled state, per-county breakdown, cross-region links and its report timeline (actual
    reports only unless `status` asks for an exercise's or test's)."""
    if region not in REGIONS or not IDENT_RE.match(event_id):
        abort(404, message=f"no disaster event {region}/{event_id}")
    event = readmodel_views.disaster_event(engine(), region, event_id, args["status"])
    if event is None:
        abort(404, message=f"no disaster event {region}/{event_id}")
    return event
