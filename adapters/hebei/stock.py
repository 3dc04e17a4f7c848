"""Hebei's 救灾物资库存 XML (one <Depot> per depot, items as attributes) → relief.stock_snapshot."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import RowError
from adapters.core.mapping import CodeMap, collect, drop_none, get, native_time
from adapters.core.spec import Canonical, MapContext
from adapters.core.xmlsource import all_named
from adapters.hebei.codes import division
from adapters.hebei.config import TIERS

TIER = CodeMap("depot tier", "仓库级别", TIERS)


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


def depot(elem: ET.Element, ctx: MapContext) -> Canonical:
    """One <Depot id= tier= code= asOf=> with <Item>s → relief.stock_snapshot."""
    a = elem.attrib
    tier, unit, as_of = collect(lambda: TIER(get(a, "tier"), "@tier (depot.tier)"),
                                lambda: division(get(a, "code"), "@code (depot.unit_code)"),
                                lambda: native_time(get(a, "asOf"), "@asOf (as_of)"))
    lines, problems = [], []
    for i, item in enumerate(all_named(elem, "Item"), start=1):
        try:
            lines.append(_line(item, f"Item[{i}]"))
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    return Canonical("relief.stock_snapshot", {
        "depot": drop_none({"depot_id": str(get(a, "id", "depot.depot_id")), "name": a.get("name") or None,
                            "tier": tier, "unit_code": unit}),
        "as_of": as_of, "lines": lines})
