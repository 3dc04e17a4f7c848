"""Hebei's 救灾物资库存 XML (one <Depot> per depot, items as attributes) → relief.stock_snapshot.

Stock that went down since the last report carries its reason: an <Item> may hold
``<Decrease no= type= time= qty= [to=] [balance=]>reason</Decrease>`` (type 出库, 调出, 报废 or 盘亏), each sent as
a ``relief.stock_movement`` with that reason before the snapshot (the contract keeps reasons on ledger lines).
The balance after the decrease is the item's ``onHand`` unless ``balance`` says otherwise.  Each decrease is a
record of its own (``/StockReport/Depot[1]/Item[1]/Decrease[1]``), numbered before its depot, so a resumed import
never loses half of a depot's messages and a bad decrease is rejected without holding back the snapshot.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import Problem, RowError, bad
from adapters.core.mapping import CodeMap, collect, drop_none, get, native_time
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext
from adapters.core.xmlsource import all_named, iter_elements
from adapters.hebei.codes import division
from adapters.hebei.config import TIERS

TIER = CodeMap("depot tier", "仓库级别", TIERS)
#: decrease type → (movement type, sign of the quantity): 盘亏 is an adjustment by a negative quantity
DECREASES = {"出库": ("outbound", 1), "调出": ("transfer_out", 1), "报废": ("scrap", 1), "盘亏": ("adjustment", -1)}
DECREASE_ATTRS = {"no", "type", "time", "qty", "to", "balance"}
DECREASE_TYPE = CodeMap("decrease type", "减少类型", {k: k for k in DECREASES})


def _line(item: ET.Element, where: str) -> dict:
    a = item.attrib
    code, mode, on_hand, reserved, damaged = collect(
        lambda: cat.RELIEF_ITEMS(get(a, "name"), f"{where}@name (item_code)"),
        lambda: cat.STORAGE_MODES(get(a, "mode"), f"{where}@mode (storage_mode)"),
        lambda: u.count(get(a, "onHand"), f"{where}@onHand (on_hand)"),
        lambda: u.count(a.get("reserved", "0"), f"{where}@reserved (reserved)"),
        lambda: u.count(a.get("damaged", "0"), f"{where}@damaged (damaged)"))
    return drop_none({"item_code": code, "spec": a.get("spec") or None, "unit": str(get(a, "unit", "unit")),
                      "batch": a.get("batch") or None, "storage_mode": mode, "on_hand": on_hand,
                      "reserved": reserved, "damaged": damaged})


def _decrease(d: ET.Element, line: dict, where: str) -> dict:
    """One <Decrease> of an item → the movement fields (depot added by the caller); the reason is required."""
    a = d.attrib
    problems = [Problem(f"{where}@{k}", "unknown attribute", "未知属性") for k in a if k not in DECREASE_ATTRS]
    try:
        kind, at, qty, balance = collect(
            lambda: DECREASE_TYPE(get(a, "type"), f"{where}@type (movement_type)"),
            lambda: native_time(get(a, "time"), f"{where}@time (occurred_at)"),
            lambda: u.count(get(a, "qty"), f"{where}@qty (quantity)"),
            lambda: u.count(a.get("balance", line["on_hand"]), f"{where}@balance (balance_after)"))
    except RowError as exc:
        problems.extend(exc.problems)
    reason = (d.text or "").strip()
    if not reason:
        problems.append(Problem(f"{where} (reason)", "a decrease of the stock needs its reason", "库存减少须说明原因"))
    if problems:
        raise RowError(problems)
    movement, sign = DECREASES[kind]
    if movement == "transfer_out" and not a.get("to", "").strip():
        raise bad(f"{where}@to (counterparty_depot_id)", "a 调出 names the receiving depot", "调出须注明调入仓库")
    return drop_none({"movement_id": str(get(a, "no", f"{where}@no (movement_id)")), "movement_type": movement,
                      "occurred_at": at, "item_code": line["item_code"], "spec": line.get("spec"), "unit": line["unit"],
                      "batch": line.get("batch"), "quantity": sign * qty, "balance_after": balance,
                      "counterparty_depot_id": a.get("to", "").strip() or None, "reason": reason})


def records(fh, source: str, path) -> Iterator[Record]:  # noqa: ANN001
    """Each <Depot> streamed; its items' <Decrease>s come first, each as its own record (renumbered ordinals)."""
    n = 0
    for rec in iter_elements(fh, source, "Depot"):
        for i, item in enumerate(all_named(rec.data, "Item"), start=1):
            for j, d in enumerate(all_named(item, "Decrease"), start=1):
                n += 1
                yield Record(source, f"{rec.location}/Item[{i}]/Decrease[{j}]", (rec.data, item, i, d, j),
                             ET.tostring(d, encoding="unicode"), n)
        n += 1
        yield Record(source, rec.location, rec.data, rec.original, n)


def _depot_head(a: dict) -> tuple[dict, str]:
    tier, unit, as_of = collect(lambda: TIER(get(a, "tier"), "@tier (depot.tier)"),
                                lambda: division(get(a, "code"), "@code (depot.unit_code)"),
                                lambda: native_time(get(a, "asOf"), "@asOf (as_of)"))
    return drop_none({"depot_id": str(get(a, "id", "depot.depot_id")), "name": a.get("name") or None,
                      "tier": tier, "unit_code": unit}), as_of


def record(data: ET.Element | tuple, ctx: MapContext) -> Canonical:
    """A <Decrease> → relief.stock_movement; a <Depot> with its <Item>s → relief.stock_snapshot."""
    if isinstance(data, tuple):
        elem, item, i, d, j = data
        dep, _ = _depot_head(elem.attrib)
        line = _line(item, f"Item[{i}]")
        return Canonical("relief.stock_movement", {"depot": dep, **_decrease(d, line, f"Item[{i}]/Decrease[{j}]")})
    return depot(data, ctx)


def depot(elem: ET.Element, ctx: MapContext) -> Canonical:
    """One <Depot id= tier= code= asOf=> with <Item>s → relief.stock_snapshot."""
    dep, as_of = _depot_head(elem.attrib)
    lines, problems = [], []
    for i, item in enumerate(all_named(elem, "Item"), start=1):
        try:
            lines.append(_line(item, f"Item[{i}]"))
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    return Canonical("relief.stock_snapshot", {"depot": dep, "as_of": as_of, "lines": lines})
