"""Tianjin's 灾情统计表 export: one row per report of one district's event; areas 亩 → 公顷, losses 元 → 万元."""

from __future__ import annotations

import re
from collections.abc import Mapping

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import bad
from adapters.core.mapping import collect, get, indicators, label, native_date, native_time, text_field
from adapters.core.spec import Canonical, MapContext

DISTRICT = cat.division_by_name("12")

INDICATORS = [
    ("受灾人口", "people.affected", u.count), ("死亡人口", "people.deaths", u.count),
    ("失踪人口", "people.missing", u.count), ("受伤人口", "people.injured", u.count),
    ("紧急转移安置人口", "people.relocated_cumulative", u.count),
    ("集中安置人口", "people.relocated_centralised", u.count), ("分散安置人口", "people.relocated_dispersed", u.count),
    ("倒塌房屋（间）", "housing.collapsed.rooms", u.count),
    ("严重损坏房屋（间）", "housing.severely_damaged.rooms", u.count),
    ("一般损坏房屋（间）", "housing.generally_damaged.rooms", u.count),
    ("农作物受灾面积（亩）", "agriculture.crops_affected_ha", u.mu_to_hectares),
    ("农作物成灾面积（亩）", "agriculture.crops_damaged_ha", u.mu_to_hectares),
    ("农作物绝收面积（亩）", "agriculture.crops_lost_ha", u.mu_to_hectares),
    ("直接经济损失（元）", "losses.total", u.yuan_to_wanyuan),
]
REQUIRED = ("灾情编号", "灾种", "发生日期", "报告类型", "报告序号", "统计截至", "填报区")


def _ids(row: Mapping, column: str, ctx: MapContext) -> list[dict]:
    raw = str(row.get(column) or "")
    return [ctx.persons.ref(x, label(f"{column}[{i}]", "name_list"))
            for i, x in enumerate(p.strip() for p in raw.replace("；", ";").split(";") if p.strip())]


INDICATOR_PATHS = {native: path for native, path, _ in INDICATORS}


def decreases(row: Mapping, column: str = "核减说明") -> list[dict]:
    """``受灾人口：重复统计核减；农作物受灾面积（亩）：复核核减`` → the stated reasons of fallen cumulative figures."""
    out = []
    for i, part in enumerate(p.strip() for p in re.split(r"[;；\n]", str(row.get(column) or "")) if p.strip()):
        name, sep, reason = _pair(part)
        if not sep or name.strip() not in INDICATOR_PATHS or not reason.strip():
            raise bad(label(f"{column}[{i}]", "decreases"), f"{part!r} is not '<figure column>：<reason>' with a "
                      "figure column of the export", f"“{part}”应为“指标列名：核减原因”")
        out.append({"indicator": INDICATOR_PATHS[name.strip()], "reason": reason.strip()})
    return out


def _pair(part: str) -> tuple[str, str, str]:
    m = re.match(r"^([^:：]*)([:：])(.*)$", part)
    return (m[1], m[2], m[3]) if m else (part, "", "")


def disaster_row(row: Mapping, ctx: MapContext) -> Canonical:
    """One 灾情统计表 row → disaster.report (the district is the reporting unit; ID numbers → name list refs)."""
    dtype, stage, unit, totals, deaths, missing = collect(
        lambda: cat.DISASTER_TYPES(get(row, "灾种", "disaster_type"), label("灾种", "disaster_type")),
        lambda: cat.STAGES(get(row, "报告类型", "stage"), label("报告类型", "stage")),
        lambda: DISTRICT(get(row, "填报区", "reporting_unit_code"), label("填报区", "reporting_unit_code")),
        lambda: indicators(row, INDICATORS),
        lambda: _ids(row, "死亡人员身份证号", ctx), lambda: _ids(row, "失踪人员身份证号", ctx))
    payload = {
        "event_id": text_field(row, "灾情编号", "event_id"), "disaster_type": dtype, "stage": stage,
        "revision": u.count(get(row, "报告序号"), label("报告序号", "revision")),
        "started_on": native_date(get(row, "发生日期"), label("发生日期", "started_on")),
        "data_as_of": native_time(get(row, "统计截至"), label("统计截至", "data_as_of")),
        "reporting_unit_code": unit, "totals": totals,
    }
    if row.get("灾种子类"):
        payload["sub_type"] = cat.SUB_TYPES(row["灾种子类"], label("灾种子类", "sub_type"))
    if row.get("台风编号"):
        payload["typhoon_number"] = str(row["台风编号"]).zfill(4)
    if deaths or missing:
        payload["name_list"] = {"held_by_unit_code": unit, "deaths": deaths, "missing": missing}
    if row.get("核减说明"):
        payload["decreases"] = decreases(row)
    if row.get("情况说明"):
        payload["narrative"] = str(row["情况说明"])
    return Canonical("disaster.report", payload)
