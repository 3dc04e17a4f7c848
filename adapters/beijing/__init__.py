"""Beijing: the platform pushes JSON with Chinese field names over HTTP (or is polled); money in 元; districts 京-xx."""

from __future__ import annotations

from pathlib import Path

from adapters.beijing import eldercare, mapping, verification
from adapters.beijing.config import CONFIG
from adapters.core import generic
from adapters.core.mapping import field_names, per_record
from adapters.core.readers import read_json
from adapters.core.spec import NativeFormat, RegionSpec


def _json(fh, source: str, path: Path):  # noqa: ANN001, ANN202
    return read_json(fh, source, lines=path.suffix.lower() in (".jsonl", ".ndjson"))


def _fmt(name: str, kind: str, fn, patterns: tuple[str, ...], description: str, fields=None) -> NativeFormat:  # noqa: ANN001
    return NativeFormat(name, (kind,), _json, per_record(fn), patterns, description, http=True, fields=fields or {})


CANONICAL_KINDS = ("relief.commitment", "relief.decline", "relief.dispatch", "relief.stock_movement",
                   "verification.response", "referral.referral", "eldercare.payment")

REGION = RegionSpec(
    code="bj", package="beijing", name_zh="北京市", system_id=CONFIG["system_id"], config=CONFIG,
    intake_port=CONFIG["intake_port"],
    formats={f.name: f for f in (
        _fmt("disaster_report", "disaster.report", mapping.disaster_report, ("disaster_report*.json*", "灾情*.json*"),
             "灾情报告 JSON", field_names(mapping.INDICATORS, "payload.totals")),
        _fmt("stock_snapshot", "relief.stock_snapshot", mapping.stock_snapshot, ("stock_snapshot*.json*",),
             "库存快照 JSON"),
        _fmt("eldercare_enrolment", "eldercare.enrolment", eldercare.enrolment, ("eldercare_enrolment*.json*",),
             "异地养老登记 JSON"),
        _fmt("entitlement_table", "eldercare.entitlement_table", eldercare.entitlement_table,
             ("entitlement_table*.json*",), "补贴标准表 JSON"),
        _fmt("verification_request", "verification.request", verification.verification_request,
             ("verification_request*.json*",), "经济状况核对请求 JSON"),
        # generic fallback (adapters/README.md): kinds the platform has no native export for yet
        NativeFormat("canonical", CANONICAL_KINDS, _json, generic.mapper(CANONICAL_KINDS), ("canonical*.json*",),
                     "通用 JSON（规范消息体，人员以身份证号给出）", http=True),
    )},
)

