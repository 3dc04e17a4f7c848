"""Hub → region messages (contracts.md topics ``jjj.to.<r>`` and ``jjj.hub.status``).

Every message from a region gets exactly one ``hub.receipt``: accepted, or rejected with a numeric
code, a reason in both languages, the field paths and, for 420, the rule id.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import fields as f
from schemas.base import ContractSchema
from schemas.codes import ReceiptCode
from schemas.errors import FieldError
from schemas.rules import violation

ENTITY_TYPES = ("disaster_event", "support_request", "dispatch", "verification_request", "referral",
                "enrolment", "claim", "statement", "adapter")
NOTICE_TYPES = ("issued", "balanced", "differences", "confirmed", "disputed", "paid", "overdue")
RESPONSE_OUTCOMES = ("answered", "declined", "timed_out", "pending")


class Receipt(ContractSchema):
    """The answer to one region message."""

    for_message_id = f.Str(max_length=64, required=True)
    for_kind = f.Str(max_length=64, allow_none=True, required=True)
    outcome = f.Choice(("accepted", "rejected"), required=True)
    code = f.Int(minimum=100, maximum=599, required=True)
    reason = f.Text(max_length=2000, allow_none=True, required=True)
    reason_zh = f.Text(max_length=2000, allow_none=True, required=True)
    paths = f.ListOf(f.Str(max_length=300), required=True, max_items=100)
    rule = f.Str(max_length=80, allow_none=True, required=True)
    entity_key = f.Str(max_length=200, allow_none=True)
    received_at = f.Timestamp(required=True)


class RoutedRequest(ContractSchema):
    """A region's message forwarded to the region it is addressed to; ``payload`` is the original payload."""

    original_message_id = f.MessageId(required=True)
    original_kind = f.Str(max_length=64, required=True)
    from_region = f.Region(required=True)
    to_region = f.Region(required=True)
    entity_id = f.Ident(required=True)
    payload = f.AnyObject(required=True)


class RegionResponse(ContractSchema):
    from_region = f.Region(required=True)
    outcome = f.Choice(RESPONSE_OUTCOMES, required=True)
    message_id = f.MessageId(allow_none=True, required=True)
    received_at = f.Timestamp(allow_none=True, required=True)
    payload = f.AnyObject(allow_none=True, required=True)


class AggregatedResponse(ContractSchema):
    """All regions' answers to one request (verification or support), complete or at the deadline."""

    request_id = f.Ident(required=True)
    original_kind = f.Choice(("verification.request", "relief.support_request"), required=True)
    deadline = f.Timestamp(required=True)
    complete = f.Bool(required=True)
    responses = f.ListOf(f.Nested(RegionResponse), required=True, min_items=1, max_items=3)


class Difference(ContractSchema):
    claim_id = f.Ident(required=True)
    line_id = f.Ident()
    payer_fen = f.Fen(required=True)
    payee_fen = f.Fen(required=True)


class StatementNotice(ContractSchema):
    """A statement was issued, balanced, differs, was confirmed, disputed, paid or is overdue."""

    statement_id = f.Ident(required=True)
    notice_type = f.Choice(NOTICE_TYPES, required=True)
    payer_code = f.DivisionCode(required=True)
    payee_region = f.Region(required=True)
    period = f.Month(required=True)
    claim_count = f.Count(required=True)
    claimed_fen = f.Fen(required=True)
    accepted_fen = f.Fen(required=True)
    differences = f.ListOf(f.Nested(Difference), max_items=10_000)
    due_on = f.Date()


class StatusChange(ContractSchema):
    """A shared-status change of an entity (for dashboards and every region)."""

    entity_type = f.Choice(ENTITY_TYPES, required=True)
    entity_id = f.Ident(required=True)
    region = f.Region(required=True)
    from_state = f.Str(max_length=40, allow_none=True, required=True)
    to_state = f.Str(max_length=40, required=True)
    changed_at = f.Timestamp(required=True)
    cause_message_id = f.MessageId()
    reason = f.Text(max_length=1000)


def receipt_rules(p: dict) -> Iterator[FieldError]:
    codes = {int(c) for c in ReceiptCode}
    if p["code"] not in codes:
        yield violation("hub.receipt_code", "payload.code", f"{p['code']} is not a receipt code.", f"{p['code']} 不是回执代码。")
        return
    accepted = ReceiptCode(p["code"]).accepted
    if (p["outcome"] == "accepted") != accepted:
        yield violation("hub.receipt_outcome", "payload.outcome",
                        f"Outcome {p['outcome']} does not match code {p['code']}.", f"回执结果与代码 {p['code']} 不一致。")
    if p["outcome"] == "rejected" and not (p["reason"] and p["reason_zh"]):
        yield violation("hub.receipt_reason", "payload.reason", "A rejection needs a reason in English and Chinese.",
                        "拒收回执须附中英文原因。")
    if p["code"] == ReceiptCode.BUSINESS_RULE and not p["rule"]:
        yield violation("hub.receipt_rule", "payload.rule", "A 420 receipt names the broken rule.", "420 回执须注明违反的规则。")


def routed_rules(p: dict) -> Iterator[FieldError]:
    from schemas.validate import payload_errors  # late: the registry imports this module

    if p["from_region"] == p["to_region"]:
        yield violation("hub.routed_regions", "payload.to_region", "A routed request goes to another region.",
                        "转发请求的接收地区不能是发送地区。")
    yield from payload_errors(p["original_kind"], p["payload"], "payload.payload", rule="hub.routed_payload")


def aggregated_rules(p: dict) -> Iterator[FieldError]:
    from schemas.validate import payload_errors

    answer_kind = {"verification.request": "verification.response", "relief.support_request": None}[p["original_kind"]]
    regions = [r["from_region"] for r in p["responses"]]
    if len(set(regions)) != len(regions):
        yield violation("hub.aggregated_regions", "payload.responses", "One response per region.", "每个地区只能有一个答复。")
    for i, r in enumerate(p["responses"]):
        if (r["outcome"] in ("answered", "declined")) != (r["message_id"] is not None):
            yield violation("hub.aggregated_message", f"payload.responses[{i}].message_id",
                            "Answered and declined responses name their message; others do not.",
                            "已答复或已拒绝的答复须注明消息标识，其他不填。")
        if answer_kind and r["outcome"] == "answered" and r["payload"] is not None:
            yield from payload_errors(answer_kind, r["payload"], f"payload.responses[{i}].payload",
                                      rule="hub.aggregated_payload")
    if p["complete"] and any(r["outcome"] == "pending" for r in p["responses"]):
        yield violation("hub.aggregated_complete", "payload.complete", "A complete response has no pending region.",
                        "汇总答复标记为完成时不能有待答复地区。")


def notice_rules(p: dict) -> Iterator[FieldError]:
    if (p["notice_type"] == "differences") != bool(p.get("differences")):
        yield violation("hub.notice_differences", "payload.differences",
                        "A differences notice lists the differing lines; other notices list none.",
                        "差异通知须列出差异明细，其他通知不列。")
