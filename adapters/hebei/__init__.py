"""Hebei: XML exports (12-digit 统计用区划代码, 万元) and CAP 1.2 alerts from the early-warning system."""

from __future__ import annotations

from pathlib import Path

from adapters.core import generic
from adapters.core.mapping import field_names, per_record
from adapters.core.readers import read_json
from adapters.core.spec import NativeFormat, RegionSpec
from adapters.core.xmlsource import iter_elements
from adapters.hebei import cap, claims, disaster, eldercare, referral, relief, stock, verification
from adapters.hebei.config import CONFIG
from adapters.hebei.xmlmap import Doc, field_map, mapper


def xml(record_tag: str):  # noqa: ANN201
    """A reader yielding each ``record_tag`` element of an XML export (streamed, any size)."""

    def reader(fh, source: str, path: Path):  # noqa: ANN001, ANN202
        return iter_elements(fh, source, record_tag)

    return reader


def native(name: str, doc: Doc, patterns: tuple[str, ...], description: str) -> NativeFormat:
    """A format declared by one element map (adapters/hebei/xmlmap.py): one <tag> element → one message."""
    return NativeFormat(name, (doc.kind,), xml(doc.tag), per_record(mapper(doc)), patterns,
                        f"{description} (<{doc.tag}>)", fields=field_map(doc.fields))


#: (format, element map, file-name patterns, description): every other kind Hebei sends, one XML export each
MAPPED = (
    ("cancel", disaster.CANCEL, ("cancel_*.xml", "事件撤销*.xml"), "灾情撤销 XML"),
    ("movement", relief.MOVEMENT, ("movement*.xml", "出入库*.xml"), "物资出入库台账 XML"),
    ("support_request", relief.SUPPORT_REQUEST, ("support_request*.xml", "支援请求*.xml"), "物资支援请求 XML"),
    ("commitment", relief.COMMITMENT, ("commitment*.xml", "支援承诺*.xml"), "支援承诺 XML"),
    ("decline", relief.DECLINE, ("decline*.xml", "支援婉拒*.xml"), "支援婉拒 XML"),
    ("dispatch", relief.DISPATCH, ("dispatch*.xml", "调拨单*.xml"), "物资调拨单 XML"),
    ("receipt", relief.RECEIPT, ("receipt*.xml", "接收确认*.xml"), "物资接收确认 XML"),
    ("verification_request", verification.REQUEST, ("verify_request*.xml", "核对请求*.xml"), "经济状况核对请求 XML"),
    ("verification_response", verification.RESPONSE, ("verify_report*.xml", "核对报告*.xml"), "经济状况核对报告 XML"),
    ("referral", referral.REFERRAL, ("referral_case*.xml", "救急难转办*.xml"), "救急难转办 XML"),
    ("referral_acceptance", referral.ACCEPTANCE, ("referral_accept*.xml", "转办受理*.xml"), "转办受理 XML"),
    ("referral_rejection", referral.REJECTION, ("referral_reject*.xml", "转办退回*.xml"), "转办退回 XML"),
    ("referral_progress", referral.PROGRESS, ("referral_progress*.xml", "转办进展*.xml"), "转办进展 XML"),
    ("referral_closure", referral.CLOSURE, ("referral_close*.xml", "转办办结*.xml"), "转办办结 XML"),
    ("enrolment", eldercare.ENROLMENT, ("enrolment*.xml", "异地养老登记*.xml"), "异地养老登记 XML"),
    ("entitlement_table", eldercare.ENTITLEMENT_TABLE, ("rates*.xml", "补贴标准*.xml"), "养老补贴标准表 XML"),
    ("confirmation", eldercare.CONFIRMATION, ("confirmation*.xml", "结算确认*.xml"), "结算单确认 XML"),
    ("dispute", eldercare.DISPUTE, ("dispute*.xml", "结算异议*.xml"), "结算单异议 XML"),
    ("payment", eldercare.PAYMENT, ("payment*.xml", "补贴支付*.xml"), "补贴支付 XML（金额万元或元）"),
)

CANONICAL_KINDS = ("relief.support_request", "relief.receipt", "verification.request", "verification.response",
                   "referral.acceptance", "referral.rejection", "referral.progress", "referral.closure",
                   "eldercare.confirmation", "eldercare.dispute")

REGION = RegionSpec(
    code="he", package="hebei", name_zh="河北省", system_id=CONFIG["system_id"], config=CONFIG,
    intake_port=CONFIG["intake_port"],
    formats={f.name: f for f in (
        NativeFormat("disaster", ("disaster.report",), xml("Report"), per_record(disaster.report),
                     ("disaster*.xml", "灾情*.xml"), "灾情统计 XML",
                     fields=field_names(disaster.INDICATORS, "payload.totals")),
        NativeFormat("cap", ("disaster.report", "disaster.cancel"), xml("alert"), per_record(cap.alert),
                     ("*.cap", "*.cap.xml", "cap*.xml"), "CAP 1.2 预警信息 (observed → 初报; Cancel → cancel)",
                     fields=field_names(cap.PARAMETERS, "payload.totals")),
        NativeFormat("correction", ("disaster.correction",), xml("Correction"), per_record(disaster.correction),
                     ("correction*.xml", "核报更正*.xml"), "灾情更正 XML (核报后的完整新快照与原因)",
                     fields=disaster.CORRECTION_FIELDS),
        NativeFormat("stock", ("relief.stock_snapshot", "relief.stock_movement"), stock.records,
                     per_record(stock.record), ("stock*.xml", "库存*.xml"),
                     "救灾物资库存 XML (<Decrease> with its reason → stock movement)"),
        NativeFormat("claims", ("eldercare.claim",), xml("Claim"), claims.claims, ("claims*.xml", "养老补贴申报*.xml"),
                     "养老补贴申报 XML (one <Claim> per facility, payer and month)", fields=claims.FIELDS),
        *(native(name, doc, patterns, description) for name, doc, patterns, description in MAPPED),
        # generic fallback (adapters/README.md): kinds without a native export yet, dropped as canonical*.json
        NativeFormat("canonical", CANONICAL_KINDS, lambda fh, source, path: read_json(fh, source),
                     generic.mapper(CANONICAL_KINDS), ("canonical*.json",),
                     "通用 JSON（规范消息体，人员以身份证号给出）", http=True),
    )},
)
