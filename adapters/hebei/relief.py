"""Hebei's 救灾物资 XML exports beyond the stock snapshot: ledger movements and the cross-region support cycle
(请求 → 承诺/婉拒 → 调拨单 → 接收确认), one element map per kind."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from adapters.core.errors import bad
from adapters.hebei import convert as c
from adapters.hebei.xmlmap import Const, Doc, F, Many, Obj

DEPOT = (F("@id", "depot_id", c.ident), F("@name", "name", c.ident, required=False),
         F("@tier", "tier", c.TIERS), F("@code", "unit_code", c.code))
CONTACT = (F("Role", "role", c.ident), F("Name", "masked_name", c.masked, required=False),
           F("Phone", "phone", c.ident))
PLACE = (F("@code", "unit_code", c.code), F("Address", "address", c.ident))
EVENT = (F("@region", "region", c.region), F("@eventNo", "event_id", c.ident))


def line(*extra: F) -> tuple:
    """A line of goods: 序号, 物资名称, 规格, 计量单位, 数量 (+ extras)."""
    return (F("@no", "line_no", c.count), F("@item", "item_code", c.ITEMS), F("@spec", "spec", c.ident, required=False),
            F("@unit", "unit", c.ident), F("@qty", "quantity", c.count), *extra)


#: what leaves the depot: the contract asks the reason of a scrap and of an adjustment (盘亏/盘盈)
NEEDS_REASON = {"scrap": "报废", "adjustment": "盘点调整"}


def _movement_check(p: dict, elem: ET.Element) -> None:
    kind, qty = p["movement_type"], p["quantity"]
    if kind != "adjustment" and qty < 0:
        raise bad("Quantity (quantity)", f"{qty} is negative: only 盘点调整 may decrease by a negative quantity "
                  "(出库/调出/报废 are positive quantities of their type)", f"数量 {qty} 为负数：仅盘点调整可为负数")
    if kind in NEEDS_REASON and "reason" not in p:
        raise bad("Reason (reason)", f"a {NEEDS_REASON[kind]} decreases the stock and needs its reason",
                  f"{NEEDS_REASON[kind]}须注明原因")


MOVEMENT = Doc("relief.stock_movement", "Movement", (
    Obj("Depot", "depot", DEPOT), F("@no", "movement_id", c.ident), F("Type", "movement_type", c.MOVEMENTS),
    F("Time", "occurred_at", c.time), F("Item", "item_code", c.ITEMS), F("Spec", "spec", c.ident, required=False),
    F("Unit", "unit", c.ident), F("Batch", "batch", c.ident, required=False), F("Quantity", "quantity", c.signed),
    F("Balance", "balance_after", c.count), F("Counterparty", "counterparty_depot_id", c.ident, required=False),
    F("DispatchNo", "dispatch_id", c.ident, required=False), F("Reason", "reason", c.ident, required=False),
), check=_movement_check)

SUPPORT_REQUEST = Doc("relief.support_request", "SupportRequest", (
    F("@no", "request_id", c.ident), Obj("Event", "event_ref", EVENT, required=False),
    F("RequestingUnit", "requesting_unit_code", c.code), Many("ToRegions/Region", "to_regions", c.region),
    F("NeededBy", "needed_by", c.time), Obj("DeliveryPlace", "delivery_place", PLACE),
    Obj("Contact", "contact", CONTACT), Many("Lines/Line", "lines", line()), F("Note", "note", c.ident, required=False),
))

COMMITMENT = Doc("relief.commitment", "Commitment", (
    F("@requestNo", "request_id", c.ident), F("@no", "commitment_id", c.ident), Const("committing_region", "he"),
    F("ExpectedDispatch", "expected_dispatch_at", c.time),
    Many("Lines/Line", "lines", line(F("@depot", "from_depot_id", c.ident))), Obj("Contact", "contact", CONTACT),
), refs_required=True)

DECLINE = Doc("relief.decline", "Decline", (
    F("@requestNo", "request_id", c.ident), Const("declining_region", "he"),
    F("ReasonCode", "reason_code", c.choice("decline reason", "婉拒原因", {
        "库存不足": "no_stock", "本地救灾": "own_emergency", "本省救灾": "own_emergency", "不适用": "not_applicable",
        "其他": "other"})),
    F("Reason", "reason", c.ident),
), refs_required=True)

DISPATCH = Doc("relief.dispatch", "Dispatch", (
    F("@no", "dispatch_id", c.ident), F("@requestNo", "request_id", c.ident),
    F("@commitmentNo", "commitment_id", c.ident),
    F("OrderedVia", "ordered_via", c.choice("order channel", "调拨方式", {"书面": "written", "电话": "phone"})),
    F("WrittenConfirmationDue", "written_confirmation_due", c.time, required=False),
    F("ReceivingUnit", "receiving_unit_code", c.any_code),
    Obj("ReceivingPlace", "receiving_place", (F("@code", "unit_code", c.any_code), F("Address", "address", c.ident))),
    Obj("SenderContact", "sender_contact", CONTACT), Obj("ReceiverContact", "receiver_contact", CONTACT),
    F("DepartedAt", "departed_at", c.time), Many("Lines/Line", "lines", line(F("@depot", "from_depot_id", c.ident))),
))

RECEIPT = Doc("relief.receipt", "Receipt", (
    F("@dispatchNo", "dispatch_id", c.ident), F("@requestNo", "request_id", c.ident),
    F("ReceivedAt", "received_at", c.time), F("ReceivingUnit", "receiving_unit_code", c.code),
    Many("Lines/Line", "lines", (
        F("@no", "line_no", c.count), F("@item", "item_code", c.ITEMS), F("@unit", "unit", c.ident),
        F("@shipped", "shipped", c.count), F("@received", "received", c.count),
        F("@inTransit", "in_transit", c.count), F("@discrepancy", "discrepancy", c.count),
        F("DiscrepancyReason", "discrepancy_reason", c.ident, required=False))),
))

DOCS = (MOVEMENT, SUPPORT_REQUEST, COMMITMENT, DECLINE, DISPATCH, RECEIPT)
