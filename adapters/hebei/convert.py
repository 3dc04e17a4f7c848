"""Field converters of Hebei's XML element maps (``(value, where, ctx) -> canonical value``).

Money: 元 by default; an amount element may say ``unit="万元"`` (the finance side's unit) and is converted
exactly (1 万元 = 1,000,000 分: more than six decimals of 万元 is a fraction of a fen and is refused).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import bad
from adapters.core.mapping import CodeMap, native_date, native_month, native_time
from adapters.core.spec import MapContext
from adapters.hebei import config
from adapters.hebei.codes import division
from adapters.hebei.xmlmap import Conv, wrap
from schemas import refdata

FEN_PER_WANYUAN = 1_000_000
SCALE6 = Decimal("0.000001")

count = wrap(u.count)
signed = wrap(u.signed_int)
time = wrap(native_time)
date = wrap(native_date)
month = wrap(native_month)
wanyuan = wrap(u.wanyuan)
region = wrap(cat.REGIONS)


def ident(v: object, where: str, ctx: MapContext) -> str:
    return str(v)


def code(v: object, where: str, ctx: MapContext) -> str:
    """A 12-digit 统计用区划代码 (or a 6-digit code) of a Hebei prefecture or county → GB/T 2260."""
    return division(v, where)


def county(v: object, where: str, ctx: MapContext) -> str:
    return division(v, where, county=True)


def any_code(v: object, where: str, ctx: MapContext) -> str:
    """A division of any of the three regions (a Beijing payer, a Tianjin unit): 12 or 6 digits."""
    s = str(v).strip()
    if len(s) == 12 and s.isdigit() and s[6:] == "000000":
        s = s[:6]
    if s.startswith("13"):
        return division(s, where)
    if len(s) != 6 or not refdata.is_current_code(s):
        raise bad(where, f"unknown division code {v!r}", f"未知的区划代码“{v}”")
    return s


def choice(what: str, what_zh: str, table: dict[str, str]) -> Conv:
    return wrap(CodeMap(what, what_zh, table))


def person(v: object, where: str, ctx: MapContext) -> dict:
    """身份证号 → person_ref at the edge (the number itself never leaves the adapter)."""
    return ctx.persons.ref(str(v), where)


def masked(v: object, where: str, ctx: MapContext) -> str:
    return ctx.persons.masked(str(v), where)


def birth_month(v: object, where: str, ctx: MapContext) -> str:
    """The birth month from an ID number already checked by ``person`` (digits 7–12: YYYYMM)."""
    s = str(v).strip()
    return f"{s[6:10]}-{s[10:12]}"


def yes_no(v: object, where: str, ctx: MapContext) -> bool:
    table = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False}
    if str(v).lower() not in table:
        raise bad(where, f"{v!r} is not 是/否", f"“{v}”应为“是”或“否”")
    return table[str(v).lower()]


def money(default_unit: str = "元") -> Conv:
    """An amount element (``<Amount unit="万元">``) → integer fen, exactly."""

    def conv(elem: ET.Element, where: str, ctx: MapContext) -> int:
        unit = elem.get("unit", default_unit) if isinstance(elem, ET.Element) else default_unit
        value = (elem.text or "").strip() if isinstance(elem, ET.Element) else elem
        if unit == "元":
            return u.yuan_to_fen(value, where)
        if unit != "万元":
            raise bad(where, f"unit must be 元 or 万元, not {unit}", f"金额单位应为元或万元，不是{unit}")
        d = u.number(value, where)
        if d < 0:
            raise bad(where, f"amount {d} 万元 is negative", f"金额 {d} 万元为负数")
        if d != d.quantize(SCALE6):
            raise bad(where, f"{d} 万元 has more than six decimals (less than one fen)",
                      f"{d} 万元的小数位超过六位（不足一分）")
        return int(d * FEN_PER_WANYUAN)

    return conv


TIERS = choice("depot tier", "仓库级别", config.TIERS)
ITEMS = wrap(cat.RELIEF_ITEMS)
MOVEMENTS = wrap(cat.MOVEMENTS)
