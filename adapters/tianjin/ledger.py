"""Tianjin's 救灾物资库存台账 (stock ledger) export: one row = one ledger line = one relief.stock_movement.

Monthly ledgers of all depots run to hundreds of thousands of rows: they are streamed row by row.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import RowError
from adapters.core.mapping import CodeMap, collect, drop_none, get, label, native_time, text_field
from adapters.core.spec import Canonical, MapContext
from adapters.tianjin.config import TIERS
from adapters.tianjin.disaster import DISTRICT

TIER = CodeMap("depot tier", "仓库级别", TIERS)
REQUIRED = ("流水号", "仓库编号", "仓库级别", "所在区", "发生时间", "业务类型", "物资名称", "计量单位", "数量", "结存数量")
FIELDS = {"payload.movement_id": "流水号", "payload.quantity": "数量", "payload.balance_after": "结存数量",
          "payload.unit": "计量单位", "payload.counterparty_depot_id": "对方仓库编号", "payload.reason": "备注"}


# the error labels, made once (every row used to build them)
_L_TIER, _L_DISTRICT, _L_TIME = label("仓库级别", "depot.tier"), label("所在区", "depot.unit_code"), label("发生时间", "occurred_at")
_L_MOVEMENT, _L_ITEM = label("业务类型", "movement_type"), label("物资名称", "item_code")
_L_QTY, _L_BALANCE = label("数量", "quantity"), label("结存数量", "balance_after")


def ledger_row(row: Mapping, ctx: MapContext) -> Canonical:
    """One 台账 row → relief.stock_movement (数量 is signed only for 盘点调整)."""
    try:  # the good row, converted straight (ledgers run to hundreds of thousands of rows)
        return _movement(row, TIER(get(row, "仓库级别"), _L_TIER), DISTRICT(get(row, "所在区"), _L_DISTRICT),
                         native_time(get(row, "发生时间"), _L_TIME), cat.MOVEMENTS(get(row, "业务类型"), _L_MOVEMENT),
                         cat.RELIEF_ITEMS(get(row, "物资名称"), _L_ITEM), u.signed_int(get(row, "数量"), _L_QTY),
                         u.count(get(row, "结存数量"), _L_BALANCE))
    except RowError:
        return _ledger_row_checked(row)


def _ledger_row_checked(row: Mapping) -> Canonical:
    """A row with a problem: every bad field of it is reported at once."""
    values = collect(
        lambda: TIER(get(row, "仓库级别"), _L_TIER),
        lambda: DISTRICT(get(row, "所在区"), _L_DISTRICT),
        lambda: native_time(get(row, "发生时间"), _L_TIME),
        lambda: cat.MOVEMENTS(get(row, "业务类型"), _L_MOVEMENT),
        lambda: cat.RELIEF_ITEMS(get(row, "物资名称"), _L_ITEM),
        lambda: u.signed_int(get(row, "数量"), _L_QTY),
        lambda: u.count(get(row, "结存数量"), _L_BALANCE))
    return _movement(row, *values)


def _movement(row: Mapping, tier: object, unit_code: object, occurred: object, movement: object, item: object,  # noqa: PLR0913
              qty: object, balance: object) -> Canonical:
    return Canonical("relief.stock_movement", drop_none({
        "depot": drop_none({"depot_id": text_field(row, "仓库编号"), "name": row.get("仓库名称") or None,
                            "tier": tier, "unit_code": unit_code}),
        "movement_id": text_field(row, "流水号"), "movement_type": movement, "occurred_at": occurred,
        "item_code": item, "spec": row.get("规格型号") or None, "unit": text_field(row, "计量单位"),
        "batch": row.get("批次号") or None, "quantity": qty, "balance_after": balance,
        "counterparty_depot_id": row.get("对方仓库编号") or None, "dispatch_id": row.get("调拨单号") or None,
        "reason": row.get("备注") or None}))
