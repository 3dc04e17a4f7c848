"""Converters and code tables the Beijing field maps share: districts, regions, 元, persons, contacts, choices."""

from __future__ import annotations

import re

from adapters.beijing.fieldmap import TEXT, Conv, F, plain
from adapters.beijing.mapping import DISTRICT
from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import bad
from adapters.core.mapping import CodeMap, native_date, native_month, native_time
from adapters.core.spec import MapContext

DATE, TIME, MONTH = plain(native_date), plain(native_time), plain(native_month)
COUNT, SIGNED, YUAN = plain(u.count), plain(u.signed_int), plain(u.yuan_to_fen)
BJ_DISTRICT = plain(DISTRICT)             # 京-xx → GB/T 2260
REGION = plain(cat.REGIONS)               # 天津 → tj
ITEM = plain(cat.RELIEF_ITEMS)
SUBSIDY = plain(cat.SUBSIDY_TYPES)


def _division(value: object, where: str) -> str:
    """A division of any region: Beijing's own 京-xx number, or the 6-digit GB/T 2260 code another region uses."""
    text = str(value).strip()
    if text.startswith("京-"):
        return DISTRICT(text, where)
    if not re.fullmatch(r"[0-9]{6}", text):
        raise bad(where, f"{text!r} is neither a 京-xx district number nor a 6-digit division code",
                  f"“{text}”既不是京-xx 区划编号，也不是 6 位行政区划代码")
    return text


DIVISION = plain(_division)


def person(value: object, where: str, ctx: MapContext) -> dict:
    """身份证号 → person_ref (HMAC under the shared key); a bad check digit is a located error."""
    return ctx.persons.ref(value, where)


def masked(value: object, where: str, ctx: MapContext) -> str:
    """姓名 → 张*明 (a name already masked by the platform passes as it is)."""
    return ctx.persons.masked(value, where)


def _flag(value: object, where: str) -> bool:
    table = {"是": True, "否": False, True: True, False: False}
    if not isinstance(value, str | bool) or value not in table:
        raise bad(where, f"{value!r} is not 是 or 否", f"“{value}”应为“是”或“否”")
    return table[value]  # type: ignore[index]


FLAG = plain(_flag)


def choice(what: str, what_zh: str, table: dict[str, str]) -> Conv:
    """A closed list of the platform's Chinese terms → the contract's codes."""
    return plain(CodeMap(what, what_zh, table))


def region_of_adapter(ctx: MapContext) -> str:
    """The sending region itself (committing_region, declining_region, responding_region …)."""
    return ctx.region


#: 联系人 {职务, 姓名, 电话} → contact {role, masked_name, phone}: the name is masked here, at the edge.
CONTACT = (F("职务", "role"), F("姓名", "masked_name", masked), F("电话", "phone"))
#: 地点 {区划, 详细地址} → {unit_code, address}
PLACE = (F("区划", "unit_code", DIVISION), F("详细地址", "address"))

__all__ = ["BJ_DISTRICT", "CONTACT", "COUNT", "DATE", "DIVISION", "FLAG", "ITEM", "MONTH", "PLACE", "REGION",
           "SIGNED", "SUBSIDY", "TEXT", "TIME", "YUAN", "choice", "masked", "person", "region_of_adapter"]
