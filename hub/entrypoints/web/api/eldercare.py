"""Portable eldercare: claims, adjudications, statements per district and period; confirm / dispute; Excel export.

District settlement officers see and act only on their own district (payer district) — lists are scoped, and a
statement of another district answers 403.
"""

from __future__ import annotations

from flask import Response, current_app
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from hub.entrypoints.web import actions, readmodel_views
from hub.entrypoints.web.api.common import (
    CODE6,
    IDENT,
    IDENT_RE,
    PERIOD,
    REGION,
    add_list,
    engine,
    user_scope_district,
    user_scope_region,
)
from hub.entrypoints.web.auth import current_user, require
from hub.entrypoints.web.notices import NOTICES
from hub.entrypoints.web.readmodel import AD, ADJUDICATIONS, CL, CLAIMS, ST, STATEMENTS
from hub.entrypoints.web.xlsx import statement_workbook

blp = Blueprint("eldercare", __name__, url_prefix="/api/v1/eldercare", description="跨区域养老 portable eldercare")


class ClaimSchema(Schema):
    claim_id = fields.Str(required=True)
    payer_district = fields.Str(required=True)
    period = fields.Str(required=True)
    facility_id = fields.Str(required=True)
    facility_region = fields.Str(required=True)
    line_count = fields.Int(required=True)
    claimed_fen = fields.Int(required=True)
    submitted_at = fields.Str(allow_none=True)


class AdjudicationSchema(Schema):
    line_id = fields.Str(required=True)
    claim_id = fields.Str(required=True)
    period = fields.Str(required=True)
    payer_district = fields.Str(required=True)
    facility_id = fields.Str(required=True)
    facility_region = fields.Str(required=True)
    subsidy_type = fields.Str(required=True)
    claimed_fen = fields.Int(required=True)
    accepted = fields.Bool(required=True)
    reasons = fields.List(fields.Raw(), required=True)
    payable_fen = fields.Int(required=True)
    rate_fen = fields.Int(allow_none=True)
    statement_id = fields.Str(allow_none=True)
    updated_at = fields.Str(allow_none=True)


class StatementSchema(Schema):
    statement_id = fields.Str(required=True)
    period = fields.Str(required=True)
    payer_district = fields.Str(required=True)
    payer_region = fields.Str(required=True)
    payee_region = fields.Str(required=True)
    facility_id = fields.Str(required=True)
    subsidy_type = fields.Str(required=True)
    total_fen = fields.Int(required=True)
    line_count = fields.Int(required=True)
    issued_at = fields.Str(allow_none=True)
    status = fields.Str(required=True)
    paid_fen = fields.Int(required=True)
    withheld_fen = fields.Int(required=True)


class StatementLineSchema(Schema):
    line_id = fields.Str(required=True)
    elder = fields.Str(required=True, metadata={"description": "tail of the keyed pseudonym only"})
    amount_fen = fields.Int(required=True)
    adjusts = fields.Str(allow_none=True)


class StatementDetailSchema(StatementSchema):
    lines = fields.List(fields.Nested(StatementLineSchema), required=True)
    events = fields.List(fields.Dict(), required=True)
    generated_at = fields.Str(required=True)


class ActionResultSchema(Schema):
    statement_id = fields.Str(required=True)
    status = fields.Str(required=True)
    at = fields.Str(required=True)


class DisputeArgs(Schema):
    line_ids = fields.List(fields.Str(validate=validate.Length(min=1, max=64)), required=True,
                           validate=validate.Length(min=1, max=5000))
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


add_list(blp, "/claims", CLAIMS, ClaimSchema, "eldercare",
         {"payer_district": CODE6, "period": PERIOD, "facility_region": REGION, "facility": IDENT},
         summary="Claims (per claim: lines and amount claimed)", scope=user_scope_district(CL.c.payer_district))
add_list(blp, "/adjudications", ADJUDICATIONS, AdjudicationSchema, "eldercare",
         {"payer_district": CODE6, "period": PERIOD, "accepted": fields.Bool(), "claim_id": IDENT,
          "facility_region": REGION},
         summary="The hub's decision on each claim line", scope=user_scope_district(AD.c.payer_district))
add_list(blp, "/statements", STATEMENTS, StatementSchema, "eldercare",
         {"payer_district": CODE6, "period": PERIOD, "payee_region": REGION, "payer_region": REGION,
          "status": fields.Str(validate=validate.OneOf(["issued", "confirmed", "disputed", "settled"]))},
         summary="Settlement statements per district and period", scope=user_scope_district(ST.c.payer_district))


class NoticeSchema(Schema):
    message_id = fields.Str(required=True)
    statement_id = fields.Str(required=True)
    notice_type = fields.Str(required=True, metadata={"description": "issued, balanced, differences, confirmed, "
                                                                      "disputed, paid or overdue"})
    period = fields.Str(required=True)
    payer_code = fields.Str(required=True)
    payee_region = fields.Str(required=True)
    facility_id = fields.Str(required=True)
    claim_count = fields.Int(required=True)
    claimed_fen = fields.Int(required=True)
    accepted_fen = fields.Int(required=True)
    differences = fields.Int(required=True, metadata={"description": "number of differing lines listed"})
    due_on = fields.Str(allow_none=True)
    queued_at = fields.Str(required=True)
    delivered_at = fields.Str(allow_none=True, metadata={"description": "when the broker acknowledged it"})
    status = fields.Str(required=True, metadata={"description": "the statement's status now"})


add_list(blp, "/notices", NOTICES, NoticeSchema, "payee",
         {"statement_id": IDENT, "period": PERIOD, "payee_region": REGION, "facility": IDENT},
         summary="Statement notices sent to the payee region (payee side of settlement)",
         scope=user_scope_region(ST.c.payee_region))


def _visible_statement(statement_id: str) -> dict:
    if not IDENT_RE.match(statement_id):
        abort(404, message=f"no statement {statement_id}")
    st = readmodel_views.statement(engine(), statement_id)
    if st is None:
        abort(404, message=f"no statement {statement_id}")
    user = current_user()
    if user.role == "district_officer" and st["payer_district"] != user.district:
        abort(403, message="not your district's statement / 非本区县结算单")
    return st


@blp.route("/statements/<statement_id>", methods=["GET"])
@blp.response(200, StatementDetailSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@require("eldercare")
def get_statement(statement_id: str):  # noqa: ANN201
    """One statement with its lines and what happened to it."""
    return _visible_statement(statement_id)


@blp.route("/statements/<statement_id>.xlsx", methods=["GET"])
@blp.response(200, description="Excel workbook (statement and lines)",
              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@require("eldercare")
def get_statement_xlsx(statement_id: str):  # noqa: ANN201
    """The statement as an Excel workbook."""
    st = _visible_statement(statement_id)
    return Response(statement_workbook(st), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{st["statement_id"]}.xlsx"'})


def _act(fn, *args):  # noqa: ANN001, ANN002, ANN202
    try:
        return fn(engine(), current_user(), *args, prefix=current_app.extensions["jjj.settings"].topic_prefix)
    except actions.ActionRefused as exc:
        abort(exc.status, message=exc.message)


@blp.route("/statements/<statement_id>/confirm", methods=["POST"])
@blp.response(200, ActionResultSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@require("eldercare")
def confirm_statement(statement_id: str):  # noqa: ANN201
    """Confirm a statement (its payer district's settlement officer only)."""
    return _act(actions.confirm, statement_id)


@blp.route("/statements/<statement_id>/dispute", methods=["POST"])
@blp.arguments(DisputeArgs)
@blp.response(200, ActionResultSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@require("eldercare")
def dispute_statement(args, statement_id: str):  # noqa: ANN001, ANN201
    """Dispute lines of a statement, with a reason (its payer district's settlement officer only)."""
    return _act(actions.dispute, statement_id, args["line_ids"], args["reason"])
