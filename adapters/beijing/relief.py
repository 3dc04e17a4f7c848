"""Beijing's relief-materials documents (物资台账, 支援请求, 承诺, 婉拒, 调拨单, 接收确认) as field maps."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.beijing.codes import (
    BJ_DISTRICT,
    CONTACT,
    COUNT,
    DIVISION,
    ITEM,
    PLACE,
    REGION,
    SIGNED,
    TIME,
    choice,
    region_of_adapter,
)
from adapters.beijing.config import TIERS
from adapters.beijing.fieldmap import Const, DocMap, F, Obj, Rows, each, plain
from adapters.core import catalogues as cat
from adapters.core.errors import Problem
from adapters.core.mapping import CodeMap, label
from adapters.core.spec import MapContext

TIER = plain(CodeMap("depot tier", "仓库级别", TIERS))


def _movement_sign(payload: dict, doc: Mapping, ctx: MapContext, problems: list[Problem]) -> None:
    # the ledger books 出库 / 调出 / 报废 as positive quantities; only 盘点调整 (盘亏) may be negative
    if payload["quantity"] < 0 and payload["movement_type"] != "adjustment":
        problems.append(Problem(label("数量", "quantity"), f"count {payload['quantity']} is negative (only 盘点调整 may be)",
                                f"数量 {payload['quantity']} 为负数（仅盘点调整可为负数）"))


#: 物资台账 (one ledger entry per document; the platform posts an array or JSON lines)
STOCK_MOVEMENT = DocMap("relief.stock_movement", (
    F("仓库编号", "depot.depot_id"), F("仓库名称", "depot.name", required=False),
    F("仓库级别", "depot.tier", TIER), F("所在区", "depot.unit_code", BJ_DISTRICT),
    F("台账编号", "movement_id"), F("业务类型", "movement_type", plain(cat.MOVEMENTS)),
    F("发生时间", "occurred_at", TIME), F("物资名称", "item_code", ITEM), F("规格", "spec", required=False),
    F("计量单位", "unit"), F("批次", "batch", required=False), F("数量", "quantity", SIGNED),
    F("结存数量", "balance_after", COUNT), F("对方仓库编号", "counterparty_depot_id", required=False),
    F("调拨单号", "dispatch_id", required=False), F("事由", "reason", required=False),
), answers=None, finish=_movement_sign)

REQUEST_LINE = (F("序号", "line_no", COUNT), F("物资名称", "item_code", ITEM), F("规格", "spec", required=False),
                F("计量单位", "unit"), F("数量", "quantity", COUNT))
COMMITTED_LINE = (*REQUEST_LINE, F("出库仓库", "from_depot_id"))

#: 物资支援请求: Beijing asks Tianjin / Hebei for materials
SUPPORT_REQUEST = DocMap("relief.support_request", (
    F("请求编号", "request_id"),
    Obj("关联灾情", "event_ref", (F("省市", "region", REGION), F("灾情编号", "event_id")), required=False),
    F("请求单位", "requesting_unit_code", BJ_DISTRICT), F("请求支援省市", "to_regions", each(REGION)),
    F("需求时间", "needed_by", TIME), Obj("送达地点", "delivery_place", PLACE), Obj("联系人", "contact", CONTACT),
    Rows("物资明细", "lines", REQUEST_LINE), F("备注", "note", required=False),
), answers=None)

#: 支援承诺: Beijing commits materials from named depots to another region's request
COMMITMENT = DocMap("relief.commitment", (
    F("请求编号", "request_id"), F("承诺编号", "commitment_id"), Const("committing_region", region_of_adapter),
    F("预计发运时间", "expected_dispatch_at", TIME), Rows("物资明细", "lines", COMMITTED_LINE),
    Obj("联系人", "contact", CONTACT),
))

DECLINE_REASONS = choice("decline reason", "婉拒原因", {
    "库存不足": "no_stock", "本地同时受灾": "own_emergency", "本地自用": "own_emergency",
    "不适用": "not_applicable", "其他": "other"})

#: 支援婉拒
DECLINE = DocMap("relief.decline", (
    F("请求编号", "request_id"), Const("declining_region", region_of_adapter),
    F("婉拒原因", "reason_code", DECLINE_REASONS), F("情况说明", "reason"),
))

ORDER_MODES = choice("order mode", "调拨方式", {"书面": "written", "书面调拨": "written", "电话": "phone",
                                                "电话调拨": "phone"})

#: 调拨单: what leaves Beijing's depots for the requesting region
DISPATCH = DocMap("relief.dispatch", (
    F("调拨单号", "dispatch_id"), F("请求编号", "request_id"), F("承诺编号", "commitment_id"),
    F("调拨方式", "ordered_via", ORDER_MODES), F("书面确认期限", "written_confirmation_due", TIME, required=False),
    F("接收单位", "receiving_unit_code", DIVISION), Obj("接收地点", "receiving_place", PLACE),
    Obj("发货联系人", "sender_contact", CONTACT), Obj("收货联系人", "receiver_contact", CONTACT),
    F("发车时间", "departed_at", TIME), Rows("物资明细", "lines", COMMITTED_LINE),
), answers=None)

#: 接收确认: what arrived in Beijing, line by line (shipped = received + in transit + discrepancy)
RECEIPT = DocMap("relief.receipt", (
    F("调拨单号", "dispatch_id"), F("请求编号", "request_id"), F("接收时间", "received_at", TIME),
    F("接收单位", "receiving_unit_code", BJ_DISTRICT),
    Rows("物资明细", "lines", (
        F("序号", "line_no", COUNT), F("物资名称", "item_code", ITEM), F("计量单位", "unit"),
        F("发运数量", "shipped", COUNT), F("实收数量", "received", COUNT), F("在途数量", "in_transit", COUNT, default=0),
        F("差异数量", "discrepancy", COUNT, default=0), F("差异原因", "discrepancy_reason", required=False))),
), answers=None)
