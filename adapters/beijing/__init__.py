"""Beijing: the platform pushes JSON with Chinese field names over HTTP (or is polled); money in 元; districts 京-xx."""

from __future__ import annotations

from pathlib import Path

from adapters.beijing import disaster, eldercare, mapping, referral, relief, settlement, verification
from adapters.beijing.config import CONFIG
from adapters.beijing.fieldmap import DocMap
from adapters.core import generic
from adapters.core.mapping import field_names, per_record
from adapters.core.readers import read_json
from adapters.core.spec import NativeFormat, RegionSpec


def _json(fh, source: str, path: Path):  # noqa: ANN001, ANN202
    return read_json(fh, source, lines=path.suffix.lower() in (".jsonl", ".ndjson"))


def _fmt(name: str, kind: str, fn, patterns: tuple[str, ...], description: str, fields=None) -> NativeFormat:  # noqa: ANN001
    return NativeFormat(name, (kind,), _json, per_record(fn), patterns, description, http=True, fields=fields or {})


def _doc(name: str, doc: DocMap, description: str, *aliases: str) -> NativeFormat:
    """A format described by a field map: file names ``<name>*.json`` (or ``.jsonl``) and the platform's own
    (``referral`` takes ``referral.json`` and dated ``referral_2026….json``, not ``referral_acceptance.json``)."""
    stem = (f"{name}.json*", f"{name}_2*.json*") if name == "referral" else (f"{name}*.json*",)
    patterns = stem + tuple(f"{n}*.json*" for n in aliases)
    return _fmt(name, doc.kind, doc, patterns, description, doc.fields())


#: kept for the platform's older integrations (and the demo); every kind here now has a native format too
CANONICAL_KINDS = ("relief.commitment", "relief.decline", "relief.dispatch", "relief.stock_movement",
                   "verification.response", "referral.referral", "eldercare.payment")

REGION = RegionSpec(
    code="bj", package="beijing", name_zh="北京市", system_id=CONFIG["system_id"], config=CONFIG,
    intake_port=CONFIG["intake_port"],
    formats={f.name: f for f in (
        _fmt("disaster_report", "disaster.report", mapping.disaster_report, ("disaster_report*.json*", "灾情报告*.json*"),
             "灾情报告 JSON", field_names(mapping.INDICATORS, "payload.totals")),
        _fmt("stock_snapshot", "relief.stock_snapshot", mapping.stock_snapshot, ("stock_snapshot*.json*",),
             "库存快照 JSON"),
        _fmt("eldercare_enrolment", "eldercare.enrolment", eldercare.enrolment, ("eldercare_enrolment*.json*",),
             "异地养老登记 JSON"),
        _fmt("entitlement_table", "eldercare.entitlement_table", eldercare.entitlement_table,
             ("entitlement_table*.json*",), "补贴标准表 JSON"),
        _fmt("verification_request", "verification.request", verification.verification_request,
             ("verification_request*.json*",), "经济状况核对请求 JSON"),
        _fmt("disaster_correction", "disaster.correction", disaster.correction, ("disaster_correction*.json*",
             "灾情更正*.json*"), "灾情更正（核报后更正）JSON", disaster.CORRECTION_FIELDS),
        _doc("disaster_cancel", disaster.CANCEL, "灾情撤销 JSON", "灾情撤销"),
        _doc("stock_movement", relief.STOCK_MOVEMENT, "物资台账（出入库、调拨、报废、盘点调整）JSON / JSON Lines",
             "物资台账"),
        _doc("support_request", relief.SUPPORT_REQUEST, "物资支援请求 JSON", "支援请求"),
        _doc("commitment", relief.COMMITMENT, "支援承诺 JSON", "支援承诺"),
        _doc("decline", relief.DECLINE, "支援婉拒 JSON", "支援婉拒"),
        _doc("dispatch", relief.DISPATCH, "调拨单 JSON", "调拨单"),
        _doc("receipt", relief.RECEIPT, "物资接收确认 JSON", "接收确认"),
        _doc("verification_response", verification.VERIFICATION_RESPONSE, "经济状况核对结果 JSON", "核对结果"),
        _doc("referral", referral.REFERRAL, "救急难转办 JSON", "救急难转办"),
        _doc("referral_acceptance", referral.ACCEPTANCE, "转办受理 JSON", "转办受理"),
        _doc("referral_rejection", referral.REJECTION, "转办退回 JSON", "转办退回"),
        _doc("referral_progress", referral.PROGRESS, "转办进展 JSON", "转办进展"),
        _doc("referral_closure", referral.CLOSURE, "转办办结 JSON", "转办办结"),
        _doc("eldercare_claim", settlement.CLAIM, "异地养老月度补贴申报 JSON（北京机构）", "补贴申报"),
        _doc("statement_confirmation", settlement.CONFIRMATION, "结算确认 JSON", "结算确认"),
        _doc("statement_dispute", settlement.DISPUTE, "结算异议 JSON", "结算异议"),
        _doc("subsidy_payment", settlement.PAYMENT, "补贴支付 JSON", "补贴支付"),
        # generic fallback (adapters/README.md), kept for older integrations: canonical bodies, persons as 身份证号
        NativeFormat("canonical", CANONICAL_KINDS, _json, generic.mapper(CANONICAL_KINDS), ("canonical*.json*",),
                     "通用 JSON（规范消息体，人员以身份证号给出）", http=True),
    )},
)

