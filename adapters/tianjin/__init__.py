"""Tianjin: scheduled CSV (GBK / UTF-8 BOM) and .xlsx exports dropped in a folder; 亩 and 元; districts by name."""

from __future__ import annotations

from adapters.core import generic
from adapters.core.mapping import field_names, per_record
from adapters.core.readers import read_json
from adapters.core.spec import NativeFormat, RegionSpec
from adapters.tianjin import changes, claims, disaster, eldercare, ledger, referrals, relief, verification
from adapters.tianjin.columns import Table, mapper
from adapters.tianjin.config import CONFIG
from adapters.tianjin.readers import table

CANONICAL_KINDS = ("relief.stock_snapshot", "relief.commitment", "relief.decline", "relief.dispatch",
                   "verification.response", "referral.referral", "eldercare.confirmation", "eldercare.dispute")


def _patterns(*stems: str) -> tuple[str, ...]:
    """``stem*.csv`` and ``stem*.xlsx`` for each file-name stem (English and Chinese)."""
    return tuple(f"{s}*.{ext}" for s in stems for ext in ("csv", "xlsx"))


def _tabular(name: str, t: Table, stems: tuple[str, ...], description: str) -> NativeFormat:
    """A format declared by one column map (adapters/tianjin/columns.py)."""
    return NativeFormat(name, (t.kind,), table(t.required), mapper(t), _patterns(*stems), description, fields=t.fields)


#: one column map per kind: format name, table, file-name stems, description (NOT the hub-only kinds
#: eldercare.adjudication / eldercare.statement / hub.*, nor heartbeat.heartbeat, which the adapter makes itself)
TABULAR = [
    ("correction", changes.CORRECTION, ("correction", "灾情更正"), "灾情更正（核报后更正，完整数据）CSV/xlsx"),
    ("cancel", changes.CANCEL, ("cancel", "灾情撤销"), "灾情撤销 CSV/xlsx"),
    ("stock_count", relief.STOCK_COUNT, ("stock_count", "库存盘点"), "救灾物资库存盘点表（按仓库编号分组）CSV/xlsx"),
    ("support_request", relief.SUPPORT_REQUEST, ("support_request", "支援请求"), "物资支援请求（按请求编号分组）CSV/xlsx"),
    ("commitment", relief.COMMITMENT, ("commitment", "支援承诺"), "支援承诺（按承诺编号分组）CSV/xlsx"),
    ("decline", relief.DECLINE_TABLE, ("decline", "支援婉拒"), "支援婉拒 CSV/xlsx"),
    ("dispatch", relief.DISPATCH, ("dispatch", "调拨单"), "调拨单（按调拨单号分组）CSV/xlsx"),
    ("receipt", relief.RECEIPT, ("receipt", "接收确认"), "物资接收确认（按调拨单号分组）CSV/xlsx"),
    ("verification_request", verification.REQUEST, ("verification_request", "核对请求"),
     "经济状况核对请求（每行一个核对对象，按请求编号分组）CSV/xlsx"),
    ("verification_response", verification.RESPONSE, ("verification_response", "核对结果"),
     "经济状况核对结果（每行一个对象的一个项目，按报告编号分组）CSV/xlsx"),
    ("referral", referrals.REFERRAL, ("referrals", "救急难转办"), "救急难转办 CSV/xlsx"),
    ("enrolment", eldercare.ENROLMENT, ("enrolment", "异地养老登记"), "异地养老登记 CSV/xlsx"),
    ("entitlement_table", eldercare.ENTITLEMENT, ("entitlement", "补贴标准"), "养老补贴标准表（按标准表编号分组）CSV/xlsx"),
    ("confirmation", eldercare.CONFIRMATION, ("confirmation", "结算确认"), "结算确认 CSV/xlsx"),
    ("dispute", eldercare.DISPUTE, ("dispute", "结算异议"), "结算异议（按异议编号分组）CSV/xlsx"),
    ("payment", eldercare.PAYMENT, ("payment", "补贴支付"), "补贴支付 CSV/xlsx"),
]

REGION = RegionSpec(
    code="tj", package="tianjin", name_zh="天津市", system_id=CONFIG["system_id"], config=CONFIG,
    intake_port=CONFIG["intake_port"],
    formats={f.name: f for f in (
        NativeFormat("disaster", ("disaster.report",), table(disaster.REQUIRED), per_record(disaster.disaster_row, independent=True),
                     ("disaster*.csv", "disaster*.xlsx", "灾情统计*.csv", "灾情统计*.xlsx", "灾情报告*.csv",
                      "灾情报告*.xlsx"), "灾情统计表 CSV/xlsx",
                     fields=field_names(disaster.INDICATORS, "payload.totals")),
        NativeFormat("ledger", ("relief.stock_movement",), table(ledger.REQUIRED), per_record(ledger.ledger_row, independent=True),
                     ("ledger*.csv", "ledger*.xlsx", "库存台账*.csv", "库存台账*.xlsx"), "救灾物资库存台账 CSV/xlsx",
                     fields=ledger.FIELDS),
        NativeFormat("claims", ("eldercare.claim",), table(claims.REQUIRED), claims.claims,
                     ("claims*.csv", "claims*.xlsx", "养老补贴申报*.csv", "养老补贴申报*.xlsx"),
                     "养老补贴申报明细 CSV/xlsx (grouped by 申报单号)", fields=claims.FIELDS),
        *(_tabular(*row) for row in TABULAR),
        NativeFormat("referral_steps", tuple(referrals.STEP_TABLES), table(referrals.STEPS_REQUIRED),
                     referrals.STEPS_MAPPER, _patterns("referral_steps", "转办办理"),
                     "救急难转办办理记录（办理类型：受理/退回/进展/办结）CSV/xlsx", fields=referrals.STEPS_FIELDS),
        # generic fallback (adapters/README.md): any kind without a native export, dropped as canonical*.json
        NativeFormat("canonical", CANONICAL_KINDS, lambda fh, source, path: read_json(fh, source),
                     generic.mapper(CANONICAL_KINDS), ("canonical*.json",),
                     "通用 JSON（规范消息体，人员以身份证号给出）", http=True),
    )},
)
