"""Tianjin's relief exports (救灾物资): 库存盘点, 支援请求, 支援承诺, 婉拒, 调拨单, 接收确认 — one column map each.

Tianjin asks for support when it is hit (support_request, then receipt of what arrives) and answers the requests
of Beijing and Hebei the hub routes to it (commitment or decline, then the dispatch order).
"""

from __future__ import annotations

from adapters.core import catalogues as cat
from adapters.core.mapping import CodeMap
from adapters.tianjin.columns import COUNT, MASKED, TIME, Col, Refs, Table, listof, plain
from adapters.tianjin.ledger import TIER
from adapters.tianjin.places import DISTRICT, PLACE, TJ_UNIT

ITEM, MODE = plain(cat.RELIEF_ITEMS), plain(cat.STORAGE_MODES)
DECLINE = CodeMap("decline reason", "婉拒原因", {"库存不足": "no_stock", "无库存": "no_stock", "本地应急": "own_emergency",
                                                "本地灾情": "own_emergency", "不适用": "not_applicable", "其他": "other"})
ORDERED_VIA = CodeMap("order channel", "下达方式", {"书面": "written", "书面通知": "written", "电话": "phone",
                                                    "电话通知": "phone"})


def contact(prefix: str = "", path: str = "contact") -> tuple[Col, ...]:
    """职务 / 姓名 (masked) / 电话 of a duty contact (``发货联系人`` … with a prefix)."""
    return (Col(f"{prefix}联系人职务", f"{path}.role"), Col(f"{prefix}联系人", f"{path}.masked_name", MASKED),
            Col(f"{prefix}联系电话", f"{path}.phone"))


ITEM_LINE = (Col("序号", "line_no", COUNT), Col("物资名称", "item_code", ITEM),
             Col("规格型号", "spec", required=False), Col("计量单位", "unit"))

STOCK_COUNT = Table(
    "relief.stock_snapshot", group="仓库编号",
    head=(Col("仓库编号", "depot.depot_id"), Col("仓库名称", "depot.name", required=False),
          Col("仓库级别", "depot.tier", plain(TIER)), Col("所在区", "depot.unit_code", plain(DISTRICT)),
          Col("盘点时间", "as_of", TIME)),
    lines=(Col("物资名称", "item_code", ITEM), Col("规格型号", "spec", required=False), Col("计量单位", "unit"),
           Col("批次号", "batch", required=False), Col("储备方式", "storage_mode", MODE),
           Col("实存数量", "on_hand", COUNT), Col("预留数量", "reserved", COUNT, required=False, default=0),
           Col("损坏数量", "damaged", COUNT, required=False, default=0)))


def _event_region(payload: dict, row, ctx) -> dict:  # noqa: ANN001
    if "event_ref" in payload:  # the request is about one of Tianjin's own disaster events
        payload["event_ref"] = {"region": "tj", **payload["event_ref"]}
    return payload


SUPPORT_REQUEST = Table(
    "relief.support_request", group="请求编号", finish=_event_region,
    head=(Col("请求编号", "request_id"), Col("关联灾情编号", "event_ref.event_id", required=False),
          Col("请求单位", "requesting_unit_code", plain(TJ_UNIT)), Col("请求地区", "to_regions", listof(cat.REGIONS)),
          Col("需求时间", "needed_by", TIME), Col("送达区", "delivery_place.unit_code", plain(DISTRICT)),
          Col("送达地址", "delivery_place.address"), *contact(), Col("备注", "note", required=False)),
    lines=(*ITEM_LINE, Col("需求数量", "quantity", COUNT)))

COMMITMENT = Table(
    "relief.commitment", group="承诺编号", fixed={"committing_region": "tj"},
    head=(Col("请求编号", "request_id"), Col("承诺编号", "commitment_id"),
          Col("预计发运时间", "expected_dispatch_at", TIME), *contact()),
    lines=(*ITEM_LINE, Col("承诺数量", "quantity", COUNT), Col("出库仓库编号", "from_depot_id")))

DECLINE_TABLE = Table(
    "relief.decline", fixed={"declining_region": "tj"},
    head=(Col("请求编号", "request_id"), Col("婉拒原因", "reason_code", plain(DECLINE)), Col("婉拒说明", "reason")))


def _receiving_place(payload: dict, row, ctx) -> dict:  # noqa: ANN001
    payload["receiving_place"] = {"unit_code": payload["receiving_unit_code"], **payload["receiving_place"]}
    return payload


DISPATCH = Table(
    "relief.dispatch", group="调拨单号", finish=_receiving_place, refs=Refs(("relief.commitment",), "request_id"),
    head=(Col("调拨单号", "dispatch_id"), Col("请求编号", "request_id"), Col("承诺编号", "commitment_id"),
          Col("下达方式", "ordered_via", plain(ORDERED_VIA)),
          Col("书面确认时限", "written_confirmation_due", TIME, required=False),
          Col("接收单位", "receiving_unit_code", plain(PLACE)), Col("接收地址", "receiving_place.address"),
          *contact("发货", "sender_contact"), *contact("收货", "receiver_contact"), Col("发运时间", "departed_at", TIME)),
    lines=(*ITEM_LINE, Col("数量", "quantity", COUNT), Col("出库仓库编号", "from_depot_id")))

RECEIPT = Table(
    "relief.receipt", group="调拨单号",
    head=(Col("调拨单号", "dispatch_id"), Col("请求编号", "request_id"), Col("接收时间", "received_at", TIME),
          Col("接收区", "receiving_unit_code", plain(DISTRICT))),
    lines=(Col("序号", "line_no", COUNT), Col("物资名称", "item_code", ITEM), Col("计量单位", "unit"),
           Col("发运数量", "shipped", COUNT), Col("实收数量", "received", COUNT),
           Col("在途数量", "in_transit", COUNT, required=False, default=0),
           Col("差异数量", "discrepancy", COUNT, required=False, default=0),
           Col("差异原因", "discrepancy_reason", required=False)))
