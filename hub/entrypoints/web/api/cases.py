"""Household-economy verifications and urgent-assistance referrals: status and overdue queues."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.entrypoints.web.api.common import REGION, add_list
from hub.entrypoints.web.readmodel import REFERRALS, VERIFICATIONS

blp = Blueprint("cases", __name__, url_prefix="/api/v1", description="核对与救急难转办 verifications and referrals")


class VerificationSchema(Schema):
    request_id = fields.Str(required=True)
    region = fields.Str(required=True)
    status = fields.Str(required=True)
    due_on = fields.Str(allow_none=True)
    expected = fields.Int(required=True)
    answered = fields.Int(required=True)
    missing = fields.Int(required=True)
    overdue = fields.Bool(required=True)
    result_status = fields.Str(allow_none=True)
    result_sent_at = fields.Str(allow_none=True)
    updated_at = fields.Str(allow_none=True)
    assistance_type = fields.Str(allow_none=True)
    target_regions = fields.List(fields.Str(), allow_none=True)
    submitted_at = fields.Str(allow_none=True)
    response_deadline = fields.Str(allow_none=True)


class ReferralSchema(Schema):
    referral_id = fields.Str(required=True)
    from_region = fields.Str(allow_none=True)
    to_region = fields.Str(allow_none=True)
    state = fields.Str(allow_none=True)
    sent_at = fields.Str(allow_none=True)
    acknowledge_by = fields.Str(allow_none=True)
    acknowledged_at = fields.Str(allow_none=True)
    flags = fields.List(fields.Raw(), required=True)
    overdue = fields.Bool(required=True)
    updated_at = fields.Str(allow_none=True)


add_list(blp, "/verifications", VERIFICATIONS, VerificationSchema, "cases", {
    "region": REGION, "target_region": REGION,
    "status": fields.Str(validate=validate.OneOf(["open", "complete", "overdue"])),
    "assistance_type": fields.Str(validate=validate.Length(max=40)), "overdue": fields.Bool(),
}, summary="Verification requests: status, answers, deadlines")
add_list(blp, "/referrals", REFERRALS, ReferralSchema, "cases", {
    "from_region": REGION, "to_region": REGION,
    "state": fields.Str(validate=validate.OneOf(["sent", "accepted", "rejected", "in_progress", "closed"])),
    "overdue": fields.Bool(),
}, summary="Urgent-assistance referrals: state and acknowledgement deadlines")
