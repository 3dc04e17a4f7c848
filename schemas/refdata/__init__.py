"""Reference data shipped inside the package: GB/T 2260 divisions, disaster types, relief items, subsidy types.

Files are read once with :mod:`importlib.resources` and cached; nothing here reads outside the package.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

Region = Literal["bj", "tj", "he"]
REGIONS: tuple[str, ...] = ("bj", "tj", "he")
REGION_UNIT_CODES: dict[str, str] = {"bj": "110000", "tj": "120000", "he": "130000"}
HUB_UNIT_CODE = "000000"
_PREFIX_REGION = {"11": "bj", "12": "tj", "13": "he"}
REGION_NAMES_ZH = {"bj": "北京市", "tj": "天津市", "he": "河北省", "hub": "交换平台"}


@dataclass(frozen=True)
class Division:
    """One administrative division: ``level`` is province / prefecture / county."""

    code: str
    name: str
    level: str
    parent: str | None
    gbt2260: bool
    current: bool = True


def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def _json(name: str) -> dict:
    return json.loads(_text(name))


@cache
def _current() -> MappingProxyType:
    rows = csv.DictReader(io.StringIO(_text("divisions.csv")))
    out = {r["code"]: Division(r["code"], r["name"], r["level"], r["parent_code"] or None, r["gbt2260"] == "Y")
           for r in rows}
    return MappingProxyType(out)


def _level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


@cache
def _retired() -> MappingProxyType:
    out: dict[str, Division] = {}
    for line in _text("retired_codes.txt").splitlines():
        if line.startswith("# current codes"):
            break  # the rest lists current codes whose name changed: not retired
        if not line.strip() or line.startswith("#"):
            continue
        code, names = line.split(" ", 1)
        last_name = names.split(";")[-1].strip().split("[")[0]
        parent = code[:4] + "00" if _level_of(code) == "county" else code[:2] + "0000"
        out[code] = Division(code, last_name, _level_of(code), parent, True, current=False)
    return MappingProxyType(out)


def division(code: str) -> Division | None:
    """The current division with this code, else the retired one (``current=False``), else None."""
    return _current().get(code) or _retired().get(code)


def is_current_code(code: str) -> bool:
    """True for a code in the 2023 list (including statistical ``gbt2260=N`` codes)."""
    return code in _current()


def is_retired_code(code: str) -> bool:
    """True for a retired code: still valid as the address part of an ID number (domain.md)."""
    return code in _retired() and code not in _current()


def region_of(code: str) -> str | None:
    """``bj``/``tj``/``he`` for a known (current or retired) code of the three regions, else None."""
    if division(code) is None:
        return None
    return _PREFIX_REGION.get(code[:2])


def codes(levels: tuple[str, ...] = ("province", "prefecture", "county")) -> frozenset[str]:
    """Current codes at the given levels."""
    return frozenset(c for c, d in _current().items() if d.level in levels)


def county_codes(region: str) -> list[str]:
    """Current county-level codes of one region, sorted."""
    return sorted(c for c, d in _current().items() if d.level == "county" and _PREFIX_REGION.get(c[:2]) == region)


def is_within(code: str, ancestor: str) -> bool:
    """True when ``code`` is ``ancestor`` or lies under it (by the parent chain)."""
    seen = code
    while seen:
        if seen == ancestor:
            return True
        d = division(seen)
        seen = d.parent if d else None
    return False


@dataclass(frozen=True)
class DisasterType:
    """A level-1 disaster type with its GB/T 28921 code and sub-types (code → (zh, en, gbt28921))."""

    code: str
    zh: str
    en: str
    gbt28921: str
    sub_types: MappingProxyType
    needs_typhoon_number: bool = False


@dataclass(frozen=True)
class ReliefItem:
    """A relief item: catalogue code, Chinese name and the units it may be counted in."""

    code: str
    zh: str
    en: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class SubsidyRate:
    """One effective-dated monthly rate in fen (``effective_to`` inclusive, None = open)."""

    effective_from: str
    effective_to: str | None
    rate_fen: int


@dataclass(frozen=True)
class SubsidyType:
    """An eldercare subsidy type with its default payer and effective-dated rates."""

    code: str
    zh: str
    en: str
    basis: str
    payer: str
    rates: tuple[SubsidyRate, ...]

    def rate_on(self, day: str) -> int | None:
        """The rate in fen for an ISO date, or None if no rate is in force."""
        for r in self.rates:
            if r.effective_from <= day and (r.effective_to is None or day <= r.effective_to):
                return r.rate_fen
        return None


def _disaster_types() -> MappingProxyType:
    out = {}
    for t in _json("disaster_types.json")["types"]:
        subs = {s["code"]: (s["zh"], s["en"], s.get("gbt28921", t["gbt28921"])) for s in t["sub_types"]}
        out[t["code"]] = DisasterType(t["code"], t["zh"], t["en"], t["gbt28921"], MappingProxyType(subs),
                                      t.get("needs_typhoon_number", False))
    return MappingProxyType(out)


def _relief_items() -> MappingProxyType:
    return MappingProxyType({i["code"]: ReliefItem(i["code"], i["zh"], i["en"], tuple(i["units"]))
                             for i in _json("relief_items.json")["items"]})


def _subsidy_types() -> MappingProxyType:
    return MappingProxyType({
        s["code"]: SubsidyType(s["code"], s["zh"], s["en"], s["basis"], s["payer"],
                               tuple(SubsidyRate(r["effective_from"], r["effective_to"], r["rate_fen"])
                                     for r in s["rates"]))
        for s in _json("subsidy_types.json")["types"]})


DISASTER_TYPES: MappingProxyType = _disaster_types()
RELIEF_ITEMS: MappingProxyType = _relief_items()
SUBSIDY_TYPES: MappingProxyType = _subsidy_types()
