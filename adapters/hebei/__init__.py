"""Hebei: XML exports (12-digit 统计用区划代码, 万元) and CAP 1.2 alerts from the early-warning system."""

from __future__ import annotations

from pathlib import Path

from adapters.core import generic
from adapters.core.mapping import field_names, per_record
from adapters.core.readers import read_json
from adapters.core.spec import NativeFormat, RegionSpec
from adapters.core.xmlsource import iter_elements
from adapters.hebei import cap, claims, disaster, stock
from adapters.hebei.config import CONFIG


def xml(record_tag: str):  # noqa: ANN201
    """A reader yielding each ``record_tag`` element of an XML export (streamed, any size)."""

    def reader(fh, source: str, path: Path):  # noqa: ANN001, ANN202
        return iter_elements(fh, source, record_tag)

    return reader


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
        NativeFormat("stock", ("relief.stock_snapshot",), xml("Depot"), per_record(stock.depot),
                     ("stock*.xml", "库存*.xml"), "救灾物资库存 XML"),
        NativeFormat("claims", ("eldercare.claim",), xml("Claim"), claims.claims, ("claims*.xml", "养老补贴申报*.xml"),
                     "养老补贴申报 XML (one <Claim> per facility, payer and month)", fields=claims.FIELDS),
        # generic fallback (adapters/README.md): kinds without a native export yet, dropped as canonical*.json
        NativeFormat("canonical", CANONICAL_KINDS, lambda fh, source, path: read_json(fh, source),
                     generic.mapper(CANONICAL_KINDS), ("canonical*.json",),
                     "通用 JSON（规范消息体，人员以身份证号给出）", http=True),
    )},
)
