"""Per-event cross-region cost ledger of relief support: who bears what, per goods line and per region pair.

Region operators see only the lines and pair totals their region takes part in (as supplier or receiver), and an
event none of whose flows involve their region is refused (403) unless it is their own region's event."""

from __future__ import annotations

from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from hub.entrypoints.web.api.common import engine
from hub.entrypoints.web.api.relief import blp
from hub.entrypoints.web.auth import current_user, require
from hub.entrypoints.web.listing import csv_response
from hub.entrypoints.web.readmodel_views import now_iso
from hub.infrastructure import tables as t
from hub.services import queries

EVENT_RE = r"^(bj|tj|he):[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
STATUSES = ("actual", "exercise", "test")
LINE_COLUMNS = ("event_ref", *queries.LEDGER_FIELDS)
PAIR_COLUMNS = ("event_ref", "payer_region", "payee_region", "goods_fen", "supplier_bears_fen", "in_transit_fen",
                "other_costs_fen", "total_fen", "unvalued_lines")


class CostLedgerArgs(Schema):
    event = fields.Str(validate=validate.Regexp(EVENT_RE),
                       metadata={"description": "`<region>:<event_id>`; every event when absent"})
    status = fields.Str(load_default="actual", validate=validate.OneOf(STATUSES),
                        metadata={"description": "envelope status: actual (default), or the exercise/test drills"})
    format = fields.Str(load_default="json", validate=validate.OneOf(["json", "csv"]),
                        metadata={"description": "csv: the goods lines as CSV (UTF-8 with BOM)"})
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=1_000_000),
                      metadata={"description": "without `event`: the page of events (in event order)"})
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100),
                          metadata={"description": "without `event`: events per page (CSV exports every event)"})


class CostLineSchema(Schema):
    event_ref = fields.Str(required=True)
    supplier_region = fields.Str(required=True)
    receiver_region = fields.Str(required=True)
    item = fields.Str(required=True)
    unit = fields.Str(required=True)
    committed = fields.Int(required=True)
    dispatched = fields.Int(required=True)
    received = fields.Int(required=True)
    in_transit = fields.Int(required=True)
    discrepancy = fields.Int(required=True)
    unit_fen = fields.Int(allow_none=True, required=True, metadata={"description": "null: no agreed value"})
    dispatched_fen = fields.Int(allow_none=True, required=True)
    received_fen = fields.Int(allow_none=True, required=True)
    in_transit_fen = fields.Int(allow_none=True, required=True)
    discrepancy_fen = fields.Int(allow_none=True, required=True)
    receiver_bears_fen = fields.Int(allow_none=True, required=True)
    supplier_bears_fen = fields.Int(allow_none=True, required=True)
    discrepancy_borne_by = fields.Str(required=True, validate=validate.OneOf(["supplier", "receiver"]))
    request_ids = fields.List(fields.Str(), required=True)
    dispatch_ids = fields.List(fields.Str(), required=True)
    flags = fields.List(fields.Str(), required=True,
                        metadata={"description": "unvalued, received_beyond_shipped, shipped_beyond_commitment"})


class CostPairSchema(Schema):
    event_ref = fields.Str(required=True)
    payer_region = fields.Str(required=True, metadata={"description": "the receiving (requesting) region"})
    payee_region = fields.Str(required=True, metadata={"description": "the supplying region"})
    goods_fen = fields.Int(required=True)
    supplier_bears_fen = fields.Int(required=True)
    in_transit_fen = fields.Int(required=True)
    other_costs_fen = fields.Int(required=True)
    total_fen = fields.Int(required=True)
    unvalued_lines = fields.Int(required=True)


class CostLedgerSchema(Schema):
    envelope_status = fields.Str(required=True)
    event = fields.Str(allow_none=True, required=True)
    items = fields.List(fields.Nested(CostLineSchema), required=True)
    pairs = fields.List(fields.Nested(CostPairSchema), required=True)
    total = fields.Int(required=True, metadata={"description": "number of goods lines"})
    events_total = fields.Int(required=True, metadata={"description": "events with a ledger (all pages)"})
    page = fields.Int(required=True)
    per_page = fields.Int(required=True)
    generated_at = fields.Str(required=True)


def _event_known(ref: str, status: str) -> bool:
    region, event_id = ref.split(":", 1)
    e = t.disaster_events if status == "actual" else t.disaster_drill_events
    q = select(e.c.event_id).where(e.c.region == region, e.c.event_id == event_id)
    if status != "actual":
        q = q.where(e.c.envelope_status == status)
    with engine().connect() as conn:
        return conn.execute(q.limit(1)).first() is not None


@blp.route("/cost-ledger", methods=["GET"])
@blp.arguments(CostLedgerArgs, location="query")
@blp.response(200, CostLedgerSchema)
@blp.alt_response(403, schema="Error", description="a region operator asking for an event their region is not in")
@blp.alt_response(404, schema="Error", description="no such event (no report and no support flow)")
@require("relief")
def cost_ledger(args):  # noqa: ANN001, ANN201
    """Per-event cross-region cost ledger

    Goods lines per (supplier, receiver, item, unit) with quantities and their agreed values in fen (null and
    flagged `unvalued` without an agreed value), and per (payer = receiver, payee = supplier) pair what the receiver
    bears, what the supplier writes off, what is in transit and other costs. Drills only with `status`.
    `?format=csv` returns the goods lines as CSV (UTF-8 with BOM)."""
    ref, status = args.get("event"), args["status"]
    page, per_page, events = args["page"], args["per_page"], None
    if ref is None and args.get("format") != "csv":  # every event: one page of events (the CSV has them all)
        events, events_total = queries.cost_ledger_events(engine(), envelope_status=status, page=page,
                                                          per_page=per_page)
    ledger = queries.cost_ledger(engine(), event=ref, envelope_status=status, events=events)
    if events is None:
        events_total = len(ledger["events"])
    lines = [{"event_ref": ev["event_ref"], **ln} for ev in ledger["events"] for ln in ev["lines"]]
    pairs = [{"event_ref": ev["event_ref"], **p} for ev in ledger["events"] for p in ev["pairs"]]
    if ref is not None and not lines and not pairs and not _event_known(ref, status):
        abort(404, message=f"no disaster event {ref} ({status})")
    user = current_user()
    if user is not None and user.role == "region_operator":
        mine = user.region
        lines = [ln for ln in lines if mine in (ln["supplier_region"], ln["receiver_region"])]
        pairs = [p for p in pairs if mine in (p["payer_region"], p["payee_region"])]
        if ref is not None and not lines and not pairs and ref.split(":", 1)[0] != mine:
            abort(403, message="region not involved in this event / 本地区未参与该事件")
    if args.get("format") == "csv":
        name = "relief_cost_ledger" + ("_" + ref.replace(":", "_") if ref else "")
        return csv_response(name, lines, LINE_COLUMNS)
    return {"envelope_status": status, "event": ref, "items": lines, "pairs": pairs, "total": len(lines),
            "events_total": events_total, "page": page, "per_page": per_page, "generated_at": now_iso()}
