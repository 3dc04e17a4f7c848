"""The registry of message kinds: payload schema, rules, direction, senders and partition key of each.

``KINDS`` is the single list every other part of the system codes against (topics, ACLs, the hub's
router, the generators of JSON Schema and AsyncAPI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from marshmallow import Schema

from schemas.payloads import disaster, eldercare, heartbeat, hub, referral, relief, verification
from schemas.refdata import REGIONS
from schemas.rules import Rule

FAMILIES = ("disaster", "relief", "verification", "referral", "eldercare", "heartbeat", "hub")
KNOWN_MAJORS: dict[int, int] = {1: 0}  # major → highest minor this code knows


@dataclass(frozen=True)
class KindSpec:
    """Everything known about one message kind."""

    kind: str
    family: str
    payload_schema: type[Schema]
    key: Callable[[dict], str]
    title_zh: str
    title_en: str
    rules: tuple[Rule, ...] = ()
    requires_references: bool = False
    version: str = "1.0"
    senders: tuple[str, ...] = field(default=REGIONS)
    key_doc: str = ""

    @property
    def direction(self) -> str:
        """``region`` for region → hub kinds, ``hub`` for hub → region kinds."""
        return "hub" if self.family == "hub" else "region"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def partition_key(self, payload: dict) -> str:
        """The entity the message is about (event id, depot id, request id, claim id …): per-entity order holds."""
        return self.key(payload)

    def topic(self, region: str, prefix: str = "jjj") -> str:
        """The topic a message of this kind goes to: ``jjj.<sender>.<family>``, ``jjj.to.<r>`` or ``jjj.hub.status``."""
        if self.kind == "hub.status_change":
            return f"{prefix}.hub.status"
        if self.family == "hub":
            return f"{prefix}.to.{region}"
        return f"{prefix}.{region}.{self.family}"


def _k(name: str) -> Callable[[dict], str]:
    def key(p: dict) -> str:
        return str(p[name])

    key.__doc__ = f"payload.{name}"
    return key


def _spec(kind: str, schema: type[Schema], key: Callable[[dict], str], zh: str, en: str, *rules: Rule,
          refs: bool = False) -> KindSpec:
    family = kind.split(".")[0]
    senders = ("hub",) if family == "hub" else REGIONS
    return KindSpec(kind, family, schema, key, zh, en, tuple(rules), refs, senders=senders, key_doc=key.__doc__ or "")


def _depot(p: dict) -> str:
    """payload.depot.depot_id"""
    return str(p["depot"]["depot_id"])


def _receipt_key(p: dict) -> str:
    """payload.entity_key (the original message's partition key) or else payload.for_message_id"""
    return str(p.get("entity_key") or p["for_message_id"])


def _status_key(p: dict) -> str:
    """payload.entity_type + ":" + payload.entity_id"""
    return f"{p['entity_type']}:{p['entity_id']}"

_SPECS = [
    _spec("disaster.report", disaster.DisasterReport, _k("event_id"), "灾情报告（初报/续报/核报）",
          "disaster report (initial/update/final)", disaster.report_rules),
    _spec("disaster.correction", disaster.DisasterCorrection, _k("event_id"), "灾情更正", "disaster report correction",
          disaster.correction_rules, refs=True),
    _spec("disaster.cancel", disaster.DisasterCancel, _k("event_id"), "灾情撤销", "disaster event cancellation",
          disaster.cancel_rules, refs=True),
    _spec("relief.stock_snapshot", relief.StockSnapshot, _depot, "库存快照", "stock snapshot", relief.snapshot_rules),
    _spec("relief.stock_movement", relief.StockMovement, _depot, "库存变动（台账）", "stock movement (ledger line)",
          relief.movement_rules),
    _spec("relief.support_request", relief.SupportRequest, _k("request_id"), "物资支援请求", "relief support request",
          relief.request_rules),
    _spec("relief.commitment", relief.Commitment, _k("request_id"), "支援承诺", "support commitment", relief._lines,
          refs=True),
    _spec("relief.decline", relief.Decline, _k("request_id"), "支援婉拒", "support declined", refs=True),
    _spec("relief.dispatch", relief.Dispatch, _k("request_id"), "调拨单", "dispatch order", relief.dispatch_rules),
    _spec("relief.receipt", relief.Receipt, _k("request_id"), "接收确认", "receipt confirmation", relief.receipt_rules),
    _spec("verification.request", verification.VerificationRequest, _k("request_id"), "经济状况核对请求",
          "economic-status verification request", verification.request_rules),
    _spec("verification.response", verification.VerificationResponse, _k("request_id"), "经济状况核对结果",
          "economic-status verification response", verification.response_rules, refs=True),
    _spec("referral.referral", referral.Referral, _k("referral_id"), "救急难转办", "urgent-assistance referral",
          referral.referral_rules),
    _spec("referral.acceptance", referral.Acceptance, _k("referral_id"), "转办受理", "referral accepted", refs=True),
    _spec("referral.rejection", referral.Rejection, _k("referral_id"), "转办退回", "referral rejected", refs=True),
    _spec("referral.progress", referral.Progress, _k("referral_id"), "转办进展", "referral progress", refs=True),
    _spec("referral.closure", referral.Closure, _k("referral_id"), "转办办结", "referral closed", refs=True),
    _spec("eldercare.enrolment", eldercare.Enrolment, _k("enrolment_id"), "异地养老登记", "eldercare enrolment",
          eldercare.enrolment_rules),
    _spec("eldercare.entitlement_table", eldercare.EntitlementTable, _k("payer_code"), "补贴标准表",
          "subsidy entitlement table", eldercare.entitlement_rules),
    _spec("eldercare.claim", eldercare.Claim, _k("claim_id"), "月度补贴申报", "monthly subsidy claim",
          eldercare.claim_rules),
    _spec("eldercare.adjudication", eldercare.Adjudication, _k("claim_id"), "申报审核结果", "claim adjudication",
          eldercare.adjudication_rules, refs=True),
    _spec("eldercare.statement", eldercare.Statement, _k("statement_id"), "结算单", "settlement statement",
          eldercare.statement_rules),
    _spec("eldercare.confirmation", eldercare.Confirmation, _k("statement_id"), "结算确认", "statement confirmation",
          refs=True),
    _spec("eldercare.dispute", eldercare.Dispute, _k("statement_id"), "结算异议", "statement dispute", refs=True),
    _spec("eldercare.payment", eldercare.Payment, _k("statement_id"), "补贴支付", "subsidy payment", refs=True),
    _spec("heartbeat.heartbeat", heartbeat.Heartbeat, _k("adapter_id"), "适配器心跳", "adapter heartbeat"),
    _spec("hub.receipt", hub.Receipt, _receipt_key, "回执", "receipt",
          hub.receipt_rules),
    _spec("hub.routed_request", hub.RoutedRequest, _k("entity_id"), "转发请求", "routed request", hub.routed_rules),
    _spec("hub.aggregated_response", hub.AggregatedResponse, _k("request_id"), "汇总答复", "aggregated response",
          hub.aggregated_rules),
    _spec("hub.statement_notice", hub.StatementNotice, _k("statement_id"), "结算通知", "statement notice",
          hub.notice_rules),
    _spec("hub.status_change", hub.StatusChange, _status_key, "状态变更",
          "shared status change"),
]

KINDS: dict[str, KindSpec] = {s.kind: s for s in _SPECS}
ROUTABLE_KINDS: tuple[str, ...] = tuple(k for k, s in KINDS.items() if s.direction == "region" and s.family != "heartbeat")
