"""Hebei's 灾情统计 XML export (12-digit codes, areas in 公顷, losses in 万元) → disaster.report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import Problem, RowError, bad
from adapters.core.mapping import collect, indicators, label, native_date, native_time
from adapters.core.spec import Canonical, MapContext
from adapters.core.xmlsource import all_named, local, text
from adapters.hebei.codes import division

INDICATORS = [
    ("Affected", "people.affected", u.count), ("Deaths", "people.deaths", u.count),
    ("Missing", "people.missing", u.count), ("Injured", "people.injured", u.count),
    ("Evacuated", "people.evacuated", u.count), ("Relocated", "people.relocated_cumulative", u.count),
    ("RelocatedCentralised", "people.relocated_centralised", u.count),
    ("RelocatedDispersed", "people.relocated_dispersed", u.count),
    ("CollapsedRooms", "housing.collapsed.rooms", u.count),
    ("SeverelyDamagedRooms", "housing.severely_damaged.rooms", u.count),
    ("GenerallyDamagedRooms", "housing.generally_damaged.rooms", u.count),
    ("CropAffectedHa", "agriculture.crops_affected_ha", u.hectares),
    ("CropDamagedHa", "agriculture.crops_damaged_ha", u.hectares),
    ("CropLostHa", "agriculture.crops_lost_ha", u.hectares),
    ("LivestockDeaths", "agriculture.livestock_deaths", u.count),
    ("RoadsKm", "infrastructure.roads_km", u.km), ("PowerLinesKm", "infrastructure.power_lines_km", u.km),
    ("Loss", "losses.total", u.wanyuan),
]
_KNOWN_FIGURES = {n for n, _, _ in INDICATORS}
REPORT_ELEMENTS = {"EventNo", "DisasterType", "SubType", "TyphoonNo", "Stage", "Revision", "StartDate", "DataAsOf",
                   "ReportingUnit", "Totals", "County", "Victims", "Narrative"}


def _figures(elem: ET.Element, where: str) -> dict:
    values, problems = {}, []
    for c in elem:
        name = local(c.tag)
        if name not in _KNOWN_FIGURES:
            problems.append(Problem(f"{where}/{name}", "unknown element", "未知元素"))
            continue
        if name == "Loss" and c.get("unit", "万元") != "万元":
            problems.append(Problem(f"{where}/Loss@unit", f"unit must be 万元, not {c.get('unit')}", "单位应为万元"))
            continue
        values[name] = (c.text or "").strip()
    if problems:
        raise RowError(problems)
    try:
        return indicators(values, [(n, p, lambda v, f, conv=conv, w=where: conv(v, f"{w}/{f}"))
                                   for n, p, conv in INDICATORS])
    except RowError as exc:
        raise RowError([Problem(p.field.split(" (")[0], p.reason, p.reason_zh) for p in exc.problems]) from None


def report(elem: ET.Element, ctx: MapContext) -> Canonical:
    """One <Report> → disaster.report; unknown elements are refused by name (a changed export is caught)."""
    unknown = [local(c.tag) for c in elem if local(c.tag) not in REPORT_ELEMENTS]
    if unknown:
        raise RowError([Problem(n, "unknown element", "未知元素") for n in unknown])
    dtype, stage, unit, totals = collect(
        lambda: cat.DISASTER_TYPES(text(elem, "DisasterType"), label("DisasterType", "disaster_type")),
        lambda: cat.STAGES(text(elem, "Stage"), label("Stage", "stage")),
        lambda: division(text(elem, "ReportingUnit"), label("ReportingUnit", "reporting_unit_code")),
        lambda: _figures(_one(elem, "Totals"), "Totals"))
    payload = {"event_id": text(elem, "EventNo"), "disaster_type": dtype, "stage": stage,
               "revision": u.count(text(elem, "Revision"), label("Revision", "revision")),
               "started_on": native_date(text(elem, "StartDate"), label("StartDate", "started_on")),
               "data_as_of": native_time(text(elem, "DataAsOf"), label("DataAsOf", "data_as_of")),
               "reporting_unit_code": unit, "totals": totals}
    if text(elem, "SubType", required=False):
        payload["sub_type"] = cat.SUB_TYPES(text(elem, "SubType"), label("SubType", "sub_type"))
    if text(elem, "TyphoonNo", required=False):
        payload["typhoon_number"] = text(elem, "TyphoonNo")
    counties = []
    for i, c in enumerate(all_named(elem, "County"), start=1):
        counties.append({"county_code": division(c.get("code"), f"County[{i}]@code", county=True),
                         "indicators": _figures(c, f"County[{i}]")})
    if counties:
        payload["counties"] = counties
    victims = _one(elem, "Victims", required=False)
    if victims is not None:
        refs: dict[str, list] = {"deaths": [], "missing": []}
        for i, v in enumerate(all_named(victims, "Victim"), start=1):
            bucket = {"死亡": "deaths", "失踪": "missing"}.get(v.get("status", ""))
            if bucket is None:
                raise bad(f"Victims/Victim[{i}]@status", "must be 死亡 or 失踪", "应为“死亡”或“失踪”")
            refs[bucket].append(ctx.persons.ref(v.get("idNumber"), f"Victims/Victim[{i}]@idNumber (person_ref)"))
        payload["name_list"] = {"held_by_unit_code": unit, **refs}
    if text(elem, "Narrative", required=False):
        payload["narrative"] = text(elem, "Narrative")
    return Canonical("disaster.report", payload)


def _one(elem: ET.Element, name: str, *, required: bool = True) -> ET.Element | None:
    found = all_named(elem, name)
    if not found and required:
        raise bad(name, "element is missing", "元素缺失")
    return found[0] if found else None
