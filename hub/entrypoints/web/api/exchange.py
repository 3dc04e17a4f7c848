"""Exchange health and the overview: per region heartbeat, outbox depth, last message, rejections by code, dead
letters; the situation overview and county map the dashboard draws. Region operators see only their region's
rejections and dead letters."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.entrypoints.web import readmodel_views
from hub.entrypoints.web.api.common import REGION, add_list, engine, user_scope_region
from hub.entrypoints.web.auth import current_user, require
from hub.entrypoints.web.readmodel import DEAD_LETTERS, DL, PM, REJECTIONS

blp = Blueprint("exchange", __name__, url_prefix="/api/v1", description="交换健康与总览 exchange health, overview")
CODE = fields.Int(validate=validate.OneOf([200, 201, 203, 300, 310, 330, 400, 410, 420, 500]))


class AdapterSchema(Schema):
    adapter_id = fields.Str(required=True)
    last_seen_at = fields.Str(allow_none=True)
    outbox_depth = fields.Int(required=True)
    oldest_pending_at = fields.Str(allow_none=True)
    software_version = fields.Str(required=True)
    stale_since = fields.Str(allow_none=True)


class RegionSchema(Schema):
    region = fields.Str(required=True)
    adapters = fields.List(fields.Nested(AdapterSchema), required=True)
    last_heartbeat_at = fields.Str(allow_none=True)
    outbox_depth = fields.Int(required=True)
    stale = fields.Bool(required=True)
    last_message_at = fields.Str(allow_none=True)
    accepted = fields.Int(required=True)
    rejections = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    rejected = fields.Int(required=True)
    dead_letters = fields.Int(required=True)
    consumer_lag = fields.Int(allow_none=True, metadata={"description": "records behind, from the hub's metrics"})


class RegionListSchema(Schema):
    items = fields.List(fields.Nested(RegionSchema), required=True)
    generated_at = fields.Str(required=True)


class RegionArgs(Schema):
    region = REGION


class RejectionSchema(Schema):
    region = fields.Str(required=True)
    code = fields.Int(required=True)
    count = fields.Int(required=True)
    last_at = fields.Str(allow_none=True)


class DeadLetterSchema(Schema):
    id = fields.Int(required=True)
    message_id = fields.Str(allow_none=True)
    topic = fields.Str(required=True)
    partition = fields.Int(required=True)
    offset = fields.Int(required=True)
    region = fields.Str(required=True)
    code = fields.Int(required=True)
    reason = fields.Str(required=True)
    paths = fields.Raw(allow_none=True)
    received_at = fields.Str(allow_none=True)
    replayed_at = fields.Str(allow_none=True)


class RegionTotalsSchema(Schema):
    region = fields.Str(required=True)
    events = fields.Int(required=True)
    open_events = fields.Int(required=True)
    affected_population = fields.Int(required=True)
    deaths = fields.Int(required=True)
    missing = fields.Int(required=True)
    injured = fields.Int(required=True)
    relocated_cumulative = fields.Int(required=True)
    relocated_realtime = fields.Int(required=True)
    needs = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    stock = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)


class OverviewSchema(Schema):
    regions = fields.List(fields.Nested(RegionTotalsSchema), required=True)
    total = fields.Nested(RegionTotalsSchema, required=True)
    data_as_of = fields.Str(allow_none=True)
    generated_at = fields.Str(required=True)


class CountyValueSchema(Schema):
    code = fields.Str(required=True)
    affected_population = fields.Int(required=True)


class MapSchema(Schema):
    counties = fields.List(fields.Nested(CountyValueSchema), required=True)
    data_as_of = fields.Str(allow_none=True)
    generated_at = fields.Str(required=True)


@blp.route("/regions", methods=["GET"])
@blp.arguments(RegionArgs, location="query")
@blp.response(200, RegionListSchema)
@require("exchange")
def list_regions(args):  # noqa: ANN001, ANN201
    """Per region: last heartbeat, outbox depth the adapters report, last message, rejections by code."""
    user = current_user()
    region = user.region if user.role == "region_operator" else args.get("region")
    items = readmodel_views.region_health(engine(), region)
    from hub.entrypoints.web.health import consumer_lag

    lag = consumer_lag()
    for row in items:
        row["consumer_lag"] = lag.get(row["region"])
    return {"items": items, "generated_at": readmodel_views.now_iso()}


add_list(blp, "/rejections", REJECTIONS, RejectionSchema, "exchange",
         {"region": REGION, "code": CODE, "since": fields.AwareDateTime()},
         summary="Rejected messages by region and receipt code", scope=user_scope_region(PM.c.region))
add_list(blp, "/dead-letters", DEAD_LETTERS, DeadLetterSchema, "dead_letters",
         {"region": REGION, "code": CODE, "replayed": fields.Bool()},
         summary="Dead letters (rejected records with their reason)", scope=user_scope_region(DL.c.region))


@blp.route("/overview", methods=["GET"])
@blp.response(200, OverviewSchema)
@require("disasters")
def get_overview():  # noqa: ANN201
    """Events, casualties, relocated people, needs vs stock: per region and in total (person-times across events)."""
    return readmodel_views.overview(engine())


@blp.route("/map", methods=["GET"])
@blp.response(200, MapSchema)
@require("disasters")
def get_map():  # noqa: ANN201
    """Affected population per county (the map's shading)."""
    return readmodel_views.county_map(engine())
