"""Tianjin: scheduled CSV (GBK / UTF-8 BOM) and .xlsx exports dropped in a folder; 亩 and 元; districts by name."""

from __future__ import annotations

from adapters.core import generic
from adapters.core.mapping import field_names, per_record
from adapters.core.readers import read_json
from adapters.core.spec import NativeFormat, RegionSpec
from adapters.tianjin import claims, disaster, ledger
from adapters.tianjin.config import CONFIG
from adapters.tianjin.readers import table

CANONICAL_KINDS = ("relief.stock_snapshot", "relief.commitment", "relief.decline", "relief.dispatch",
                   "verification.response", "referral.referral", "eldercare.confirmation", "eldercare.dispute")

REGION = RegionSpec(
    code="tj", package="tianjin", name_zh="天津市", system_id=CONFIG["system_id"], config=CONFIG,
    intake_port=CONFIG["intake_port"],
    formats={f.name: f for f in (
        NativeFormat("disaster", ("disaster.report",), table(disaster.REQUIRED), per_record(disaster.disaster_row),
                     ("disaster*.csv", "disaster*.xlsx", "灾情*.csv", "灾情*.xlsx"), "灾情统计表 CSV/xlsx",
                     fields=field_names(disaster.INDICATORS, "payload.totals")),
        NativeFormat("ledger", ("relief.stock_movement",), table(ledger.REQUIRED), per_record(ledger.ledger_row),
                     ("ledger*.csv", "ledger*.xlsx", "库存台账*.csv", "库存台账*.xlsx"), "救灾物资库存台账 CSV/xlsx",
                     fields=ledger.FIELDS),
        NativeFormat("claims", ("eldercare.claim",), table(claims.REQUIRED), claims.claims,
                     ("claims*.csv", "claims*.xlsx", "养老补贴申报*.csv", "养老补贴申报*.xlsx"),
                     "养老补贴申报明细 CSV/xlsx (grouped by 申报单号)", fields=claims.FIELDS),
        # generic fallback (adapters/README.md): kinds without a native export yet, dropped as canonical*.json
        NativeFormat("canonical", CANONICAL_KINDS, lambda fh, source, path: read_json(fh, source),
                     generic.mapper(CANONICAL_KINDS), ("canonical*.json",),
                     "通用 JSON（规范消息体，人员以身份证号给出）", http=True),
    )},
)
