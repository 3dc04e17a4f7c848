"""Relief materials: stock by region, tier and item; shortfalls (needs of open events vs stock); support flows."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.entrypoints.web import readmodel_views
from hub.entrypoints.web.api.common import IDENT, REGION, add_list, engine
from hub.entrypoints.web.auth import require
from hub.entrypoints.web.listing import csv_response
from hub.entrypoints.web.readmodel import FLOWS, STOCK
from schemas import refdata

blp = Blueprint("relief", __name__, url_prefix="/api/v1/relief", description="救灾物资 relief materials")
ITEM = fields.Str(validate=validate.OneOf(sorted(refdata.RELIEF_ITEMS)))


class StockSchema(Schema):
    region = fields.Str(required=True)
    tier = fields.Str(required=True)
    depot_id = fields.Str(required=True)
    item = fields.Str(required=True)
    spec = fields.Str(required=True)
    batch = fields.Str(required=True)
    unit = fields.Str(required=True)
    on_hand = fields.Int(required=True)
    reserved = fields.Int(required=True)
    damaged = fields.Int(required=True)
    available = fields.Int(required=True)
    last_snapshot_at = fields.Str(allow_none=True)
    discrepancy_count = fields.Int(required=True)
    updated_at = fields.Str(allow_none=True)


class FlowSchema(Schema):
    request_id = fields.Str(required=True)
    region = fields.Str(required=True)
    status = fields.Str(required=True)
    committed_regions = fields.List(fields.Str(), required=True)
    declined_regions = fields.List(fields.Str(), required=True)
    lines = fields.List(fields.Dict(), required=True)
    flags = fields.List(fields.Raw(), required=True)
    in_transit = fields.Int(required=True)
    updated_at = fields.Str(allow_none=True)
    needed_by = fields.Str(allow_none=True)
    requested_at = fields.Str(allow_none=True)
    event_region = fields.Str(allow_none=True)
    event_id = fields.Str(allow_none=True)


class ShortfallSchema(Schema):
    region = fields.Str(required=True)
    item = fields.Str(required=True)
    need = fields.Int(required=True)
    available = fields.Int(required=True)
    shortfall = fields.Int(required=True)


class ShortfallListSchema(Schema):
    items = fields.List(fields.Nested(ShortfallSchema), required=True)
    total = fields.Int(required=True)
    generated_at = fields.Str(required=True)


class ShortfallArgs(Schema):
    region = REGION
    item = ITEM
    format = fields.Str(load_default="json", validate=validate.OneOf(["json", "csv"]))


add_list(blp, "/stock", STOCK, StockSchema, "relief",
         {"region": REGION, "tier": fields.Str(validate=validate.OneOf(
             ["central", "province", "prefecture", "county", "township"])), "item": ITEM, "depot": IDENT},
         summary="Stock lines by region, tier and item")
add_list(blp, "/flows", FLOWS, FlowSchema, "relief",
         {"region": REGION, "supporting_region": REGION, "status": fields.Str(validate=validate.Length(max=16)),
          "envelope_status": fields.Str(load_default="actual", validate=validate.OneOf(["actual", "exercise", "test"]),
                                        metadata={"description": "actual (default), or the exercise/test drills"})},
         summary="Cross-region support requests and what is in transit")


@blp.route("/shortfalls", methods=["GET"])
@blp.arguments(ShortfallArgs, location="query")
@blp.response(200, ShortfallListSchema)
@require("relief")
def list_shortfalls(args):  # noqa: ANN001, ANN201
    """Needs of open events (planning ratios per relocated person) above the stock available in the region.
    `?format=csv` for CSV."""
    rows = [r for r in readmodel_views.shortfalls(engine())
            if args.get("region") in (None, r["region"]) and args.get("item") in (None, r["item"])]
    if args.get("format") == "csv":
        return csv_response("relief_shortfalls", rows, ("region", "item", "need", "available", "shortfall"))
    return {"items": rows, "total": len(rows), "generated_at": readmodel_views.now_iso()}
