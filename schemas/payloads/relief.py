"""Relief materials (domain.md §2, 《京津冀救灾物资协同保障协议》): stock, ledger lines and cross-region support.

Quantities are integers in the catalogue unit of the item (``relief_items.json``); the unit is on
every line so a reader never guesses it, and rule ``relief.item_unit`` keeps it honest.
Shipped = received + in transit + discrepancy (rule ``relief.shipped_balance``).
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import fields as f
from schemas import refdata
from schemas.base import ContractSchema
from schemas.errors import FieldError
from schemas.payloads.common import Contact, EventRef
from schemas.rules import unique, violation

TIERS = ("central", "province", "prefecture", "county", "township")
STORAGE_MODES = ("physical", "agreement", "capacity")  # 实物 / 协议 / 产能储备
MOVEMENTS = ("inbound", "outbound", "transfer_in", "transfer_out", "scrap", "adjustment")
UNITS = sorted({u for i in refdata.RELIEF_ITEMS.values() for u in i.units})


def Item(**kw):
    return f.Catalogue("relief items", "救灾物资", refdata.RELIEF_ITEMS, **kw)


class Depot(ContractSchema):
    """A reserve depot: its id, tier (five-tier reserve) and GB/T 2260 code."""

    depot_id = f.Ident(required=True)
    name = f.Text(max_length=100)
    tier = f.Choice(TIERS, required=True)
    unit_code = f.DivisionCode(required=True)


class Place(ContractSchema):
    """A delivery place: county code and address."""

    unit_code = f.DivisionCode(required=True)
    address = f.Text(max_length=200, required=True)


class StockLine(ContractSchema):
    item_code = Item(required=True)
    spec = f.Text(max_length=100)
    unit = f.Choice(UNITS, required=True)
    batch = f.Str(max_length=64)
    storage_mode = f.Choice(STORAGE_MODES, required=True)
    on_hand = f.Count(required=True)
    reserved = f.Count(required=True)
    damaged = f.Count(required=True)


class StockSnapshot(ContractSchema):
    """A depot's stock at ``as_of`` (physical count = label = ledger)."""

    depot = f.Nested(Depot, required=True)
    as_of = f.Timestamp(required=True)
    lines = f.ListOf(f.Nested(StockLine), required=True, max_items=2000)


class StockMovement(ContractSchema):
    """One ledger line: inbound, outbound, transfer, scrap or adjustment (signed only for adjustment)."""

    depot = f.Nested(Depot, required=True)
    movement_id = f.Ident(required=True)
    movement_type = f.Choice(MOVEMENTS, required=True)
    occurred_at = f.Timestamp(required=True)
    item_code = Item(required=True)
    spec = f.Text(max_length=100)
    unit = f.Choice(UNITS, required=True)
    batch = f.Str(max_length=64)
    quantity = f.Int(minimum=None, nonzero=True, required=True)
    balance_after = f.Count(required=True)
    counterparty_depot_id = f.Ident()
    dispatch_id = f.Ident()
    reason = f.Text(max_length=500)


class RequestLine(ContractSchema):
    line_no = f.Int(minimum=1, maximum=9999, required=True)
    item_code = Item(required=True)
    spec = f.Text(max_length=100)
    unit = f.Choice(UNITS, required=True)
    quantity = f.Int(minimum=1, required=True)


class SupportRequest(ContractSchema):
    """The affected region asks the others for materials."""

    request_id = f.Ident(required=True)
    event_ref = f.Nested(EventRef)
    requesting_unit_code = f.DivisionCode(required=True)
    to_regions = f.ListOf(f.Region(), required=True, min_items=1, max_items=2)
    needed_by = f.Timestamp(required=True)
    delivery_place = f.Nested(Place, required=True)
    contact = f.Nested(Contact, required=True)
    lines = f.ListOf(f.Nested(RequestLine), required=True, min_items=1, max_items=200)
    note = f.Text(max_length=1000)


class CommitmentLine(RequestLine):
    from_depot_id = f.Ident(required=True)


class Commitment(ContractSchema):
    """A supporting region commits (part of) the request from named depots."""

    request_id = f.Ident(required=True)
    commitment_id = f.Ident(required=True)
    committing_region = f.Region(required=True)
    expected_dispatch_at = f.Timestamp(required=True)
    lines = f.ListOf(f.Nested(CommitmentLine), required=True, min_items=1, max_items=200)
    contact = f.Nested(Contact, required=True)


DECLINE_REASONS = ("no_stock", "own_emergency", "not_applicable", "other")


class Decline(ContractSchema):
    """A region declines a request, with a reason."""

    request_id = f.Ident(required=True)
    declining_region = f.Region(required=True)
    reason_code = f.Choice(DECLINE_REASONS, required=True)
    reason = f.Text(max_length=1000, required=True)


class Dispatch(ContractSchema):
    """The dispatch order: receiving unit and place, items, both contacts; phone orders confirmed in writing in 48 h."""

    dispatch_id = f.Ident(required=True)
    request_id = f.Ident(required=True)
    commitment_id = f.Ident(required=True)
    ordered_via = f.Choice(("written", "phone"), required=True)
    written_confirmation_due = f.Timestamp()
    receiving_unit_code = f.DivisionCode(required=True)
    receiving_place = f.Nested(Place, required=True)
    sender_contact = f.Nested(Contact, required=True)
    receiver_contact = f.Nested(Contact, required=True)
    departed_at = f.Timestamp(required=True)
    lines = f.ListOf(f.Nested(CommitmentLine), required=True, min_items=1, max_items=200)


class ReceiptLine(ContractSchema):
    line_no = f.Int(minimum=1, maximum=9999, required=True)
    item_code = Item(required=True)
    unit = f.Choice(UNITS, required=True)
    shipped = f.Count(required=True)
    received = f.Count(required=True)
    in_transit = f.Count(required=True)
    discrepancy = f.Count(required=True)
    discrepancy_reason = f.Text(max_length=500)


class Receipt(ContractSchema):
    """The receiver confirms what arrived, line by line, with discrepancies."""

    dispatch_id = f.Ident(required=True)
    request_id = f.Ident(required=True)
    received_at = f.Timestamp(required=True)
    receiving_unit_code = f.DivisionCode(required=True)
    lines = f.ListOf(f.Nested(ReceiptLine), required=True, min_items=1, max_items=200)


# ---------------------------------------------------------------- rules

def _unit_rule(line: dict, path: str) -> Iterator[FieldError]:
    item = refdata.RELIEF_ITEMS[line["item_code"]]
    if line["unit"] not in item.units:
        yield violation("relief.item_unit", f"{path}.unit",
                        f"{item.code} is counted in {'/'.join(item.units)}, not {line['unit']}.",
                        f"{item.zh}的计量单位为{'/'.join(item.units)}，不是{line['unit']}。")


def _lines(payload: dict) -> Iterator[FieldError]:
    lines = payload.get("lines") or []
    for i, line in enumerate(lines):
        yield from _unit_rule(line, f"payload.lines[{i}]")
    if lines and "line_no" in lines[0]:
        yield from unique("relief.unique_lines", lines, "line_no", "payload.lines")


def snapshot_rules(payload: dict) -> Iterator[FieldError]:
    yield from _lines(payload)
    for i, line in enumerate(payload["lines"]):
        if line["reserved"] + line["damaged"] > line["on_hand"]:
            yield violation("relief.stock_balance", f"payload.lines[{i}].on_hand",
                            "reserved + damaged exceeds on_hand.", "已预留数与损坏数之和超过库存数。")


def movement_rules(payload: dict) -> Iterator[FieldError]:
    yield from _unit_rule(payload, "payload")
    kind, qty = payload["movement_type"], payload["quantity"]
    if kind != "adjustment" and qty < 0:
        yield violation("relief.movement_sign", "payload.quantity",
                        "Only an adjustment may have a negative quantity.", "只有盘点调整的数量可以为负数。")
    if kind.startswith("transfer") and "counterparty_depot_id" not in payload:
        yield violation("relief.transfer_counterparty", "payload.counterparty_depot_id",
                        "A transfer names the other depot.", "调拨须注明对方仓库。")
    if kind in ("scrap", "adjustment") and "reason" not in payload:
        yield violation("relief.movement_reason", "payload.reason",
                        "Scrap and adjustment need a reason.", "报废和盘点调整须注明原因。")


def request_rules(payload: dict) -> Iterator[FieldError]:
    yield from _lines(payload)
    yield from unique("relief.unique_regions", [{"r": r} for r in payload["to_regions"]], "r", "payload.to_regions")


def dispatch_rules(payload: dict) -> Iterator[FieldError]:
    yield from _lines(payload)
    if (payload["ordered_via"] == "phone") != ("written_confirmation_due" in payload):
        yield violation("relief.phone_order", "payload.written_confirmation_due",
                        "A phone order needs written_confirmation_due (within 48 h); a written order has none.",
                        "电话调拨须在 48 小时内书面确认（填写 written_confirmation_due）；书面调拨不填。")


def receipt_rules(payload: dict) -> Iterator[FieldError]:
    yield from _lines(payload)
    for i, ln in enumerate(payload["lines"]):
        if ln["received"] + ln["in_transit"] + ln["discrepancy"] != ln["shipped"]:
            yield violation("relief.shipped_balance", f"payload.lines[{i}].shipped",
                            "shipped must equal received + in_transit + discrepancy.",
                            "发运数应等于实收数 + 在途数 + 差异数。")
        if ln["discrepancy"] > 0 and "discrepancy_reason" not in ln:
            yield violation("relief.discrepancy_reason", f"payload.lines[{i}].discrepancy_reason",
                            "A discrepancy needs a reason.", "存在差异时须说明原因。")
