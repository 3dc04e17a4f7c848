"""Beijing's native JSON (Chinese field names, 元, 京-xx district numbers) → canonical messages."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.beijing.config import DISTRICTS, TIERS
from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import RowError, bad
from adapters.core.mapping import (
    CodeMap,
    as_list,
    as_object,
    collect,
    drop_none,
    get,
    indicators,
    label,
    native_date,
    native_time,
    text_field,
)
from adapters.core.spec import Canonical, MapContext

DISTRICT = CodeMap("Beijing district number", "北京区划编号", DISTRICTS)
TIER = CodeMap("depot tier", "仓库级别", TIERS)

#: 灾情报告 indicators: native name, canonical path, converter (money 元 → 万元; areas are 公顷 already).
INDICATORS = [
    ("受灾人口", "people.affected", u.count), ("因灾死亡", "people.deaths", u.count),
    ("因灾失踪", "people.missing", u.count), ("因灾受伤", "people.injured", u.count),
    ("其中重伤", "people.injured_severe", u.count), ("紧急避险转移", "people.evacuated", u.count),
    ("紧急转移安置", "people.relocated_cumulative", u.count), ("紧急转移安置实时", "people.relocated_current", u.count),
    ("其中集中安置", "people.relocated_centralised", u.count), ("其中分散安置", "people.relocated_dispersed", u.count),
    ("集中安置点", "people.shelter_sites", u.count),
    ("需紧急生活救助", "people.need_emergency_aid_cumulative", u.count),
    ("倒塌房屋", "housing.collapsed.rooms", u.count), ("倒塌住房", "housing.collapsed.dwelling_rooms", u.count),
    ("倒塌住房户数", "housing.collapsed.dwelling_households", u.count),
    ("严重损坏房屋", "housing.severely_damaged.rooms", u.count),
    ("一般损坏房屋", "housing.generally_damaged.rooms", u.count),
    ("农作物受灾面积", "agriculture.crops_affected_ha", u.hectares),
    ("农作物成灾面积", "agriculture.crops_damaged_ha", u.hectares),
    ("农作物绝收面积", "agriculture.crops_lost_ha", u.hectares),
    ("死亡牲畜", "agriculture.livestock_deaths", u.count),
    ("损毁道路", "infrastructure.roads_km", u.km), ("损毁电力线路", "infrastructure.power_lines_km", u.km),
    ("受损学校", "infrastructure.schools", u.count),
    ("直接经济损失", "losses.total", u.yuan_to_wanyuan),
]
GROUPS = ("人员情况", "房屋情况", "农作物", "基础设施", "经济损失")


def _flat(doc: Mapping) -> dict:
    out = {k: v for k, v in doc.items() if k not in GROUPS}
    for g in GROUPS:
        if isinstance(doc.get(g), Mapping):
            out.update(doc[g])
    return out


def disaster_report(doc: Mapping, ctx: MapContext) -> Canonical:
    """灾情报告 → disaster.report (totals, 分区数据 per district, 死亡失踪人员 as person_refs)."""
    if not isinstance(doc, Mapping):
        raise bad("$", "a 灾情报告 must be a JSON object", "灾情报告应为 JSON 对象")
    districts, persons = collect(lambda: as_list(doc.get("分区数据"), "分区数据"),
                                 lambda: as_list(doc.get("死亡失踪人员"), "死亡失踪人员"))
    dtype, stage, unit, totals = collect(
        lambda: cat.DISASTER_TYPES(get(doc, "灾害类型", "disaster_type"), label("灾害类型", "disaster_type")),
        lambda: cat.STAGES(get(doc, "报告阶段", "stage"), label("报告阶段", "stage")),
        lambda: DISTRICT(get(doc, "填报单位", "reporting_unit_code"), label("填报单位", "reporting_unit_code")),
        lambda: indicators(_flat(doc), INDICATORS))
    payload = {
        "event_id": text_field(doc, "灾情编号", "event_id"),
        "disaster_type": dtype, "stage": stage, "reporting_unit_code": unit,
        "started_on": native_date(get(doc, "发生日期", "started_on"), label("发生日期", "started_on")),
        "revision": u.count(get(doc, "报告次数", "revision"), label("报告次数", "revision")),
        "data_as_of": native_time(get(doc, "统计截止时间", "data_as_of"), label("统计截止时间", "data_as_of")),
        "totals": totals,
    }
    if doc.get("灾害子类"):
        payload["sub_type"] = cat.SUB_TYPES(doc["灾害子类"], label("灾害子类", "sub_type"))
    if doc.get("台风编号"):
        payload["typhoon_number"] = str(doc["台风编号"])
    payload.update(breakdown(districts, persons, unit, ctx))
    if doc.get("灾情描述"):
        payload["narrative"] = str(doc["灾情描述"])
    return Canonical("disaster.report", payload)


def breakdown(districts: list, persons: list, unit: str, ctx: MapContext) -> dict:
    """分区数据 → counties and 死亡失踪人员 → name_list (person_refs held by ``unit``), as a report or a correction
    carries them."""
    out: dict = {}
    counties = []
    for i, d in enumerate(districts):
        try:
            d = as_object(d, "$")  # renamed 分区数据[i] below like every other problem of the entry
            counties.append({"county_code": DISTRICT(get(d, "区划", "county_code"), label("区划", "county_code")),
                             "indicators": indicators(_flat(d), INDICATORS)})
        except RowError as exc:
            raise RowError([type(p)(f"分区数据[{i}]" + ("" if p.field == "$" else f".{p.field}"), p.reason, p.reason_zh)
                            for p in exc.problems]) from None
    if counties:
        out["counties"] = counties
    if persons:
        refs: dict[str, list] = {"deaths": [], "missing": []}
        for i, p in enumerate(persons):
            where = f"死亡失踪人员[{i}]"
            p = as_object(p, where)
            bucket = {"死亡": "deaths", "失踪": "missing"}.get(str(p.get("类别", "")))
            if bucket is None:
                raise bad(f"{where}.类别", "must be 死亡 or 失踪", "类别应为“死亡”或“失踪”")
            refs[bucket].append(ctx.persons.ref(p.get("身份证号"), label(f"{where}.身份证号", "person_ref")))
        out["name_list"] = {"held_by_unit_code": unit, **refs}
    return out


def stock_snapshot(doc: Mapping, ctx: MapContext) -> Canonical:
    """库存快照 → relief.stock_snapshot."""
    doc = as_object(doc, "$")
    lines = []
    problems = []
    for i, ln in enumerate(as_list(doc.get("物资明细"), "物资明细")):
        w = f"物资明细[{i}]"
        try:
            ln = as_object(ln, w)
            item, mode, on_hand, reserved, damaged = collect(
                lambda ln=ln, w=w: cat.RELIEF_ITEMS(get(ln, "物资名称"), f"{w}.物资名称 (item_code)"),
                lambda ln=ln, w=w: cat.STORAGE_MODES(get(ln, "储备方式"), f"{w}.储备方式 (storage_mode)"),
                lambda ln=ln, w=w: u.count(get(ln, "库存数量"), f"{w}.库存数量 (on_hand)"),
                lambda ln=ln, w=w: u.count(ln.get("预留数量", 0), f"{w}.预留数量 (reserved)"),
                lambda ln=ln, w=w: u.count(ln.get("损坏数量", 0), f"{w}.损坏数量 (damaged)"))
        except RowError as exc:
            problems.extend(exc.problems)
            continue
        lines.append(drop_none({"item_code": item, "spec": ln.get("规格") or None, "unit": str(get(ln, "计量单位")),
                                "batch": ln.get("批次") or None, "storage_mode": mode, "on_hand": on_hand,
                                "reserved": reserved, "damaged": damaged}))
    if problems:
        raise RowError(problems)
    depot = drop_none({"depot_id": text_field(doc, "仓库编号", "depot.depot_id"), "name": doc.get("仓库名称"),
                       "tier": TIER(get(doc, "仓库级别", "depot.tier"), label("仓库级别", "depot.tier")),
                       "unit_code": DISTRICT(get(doc, "所在区", "depot.unit_code"), label("所在区", "depot.unit_code"))})
    return Canonical("relief.stock_snapshot", {
        "depot": depot, "as_of": native_time(get(doc, "盘点时间", "as_of"), label("盘点时间", "as_of")), "lines": lines})


def map_disaster_report(doc: Mapping) -> Canonical:
    """One 灾情报告 without a mapping context (no name list): kept for single-document callers and the e2e test."""
    from adapters.beijing.config import CONFIG
    from adapters.core.persons import Persons

    return disaster_report(doc, MapContext("bj", Persons(None), CONFIG))
