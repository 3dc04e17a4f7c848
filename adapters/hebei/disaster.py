"""Hebei's 灾情统计 XML export (12-digit codes, areas in 公顷, losses in 万元) → disaster.report, and its
更正 (<Correction>, after the 核报) and 撤销 (<Cancel>) exports → disaster.correction / disaster.cancel.

A cumulative figure that fell since the previous report carries its stated reason as
``<Decreases><Decrease indicator="Affected">核实重复统计…</Decrease></Decreases>`` (native indicator names).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import Problem, RowError, bad
from adapters.core.mapping import collect, indicators, label, native_date, native_time
from adapters.core.spec import Canonical, MapContext
from adapters.core.xmlsource import all_named, local, text
from adapters.hebei import convert as cv
from adapters.hebei.codes import division
from adapters.hebei.xmlmap import Doc, F

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
                   "ReportingUnit", "Totals", "County", "Victims", "Decreases", "Narrative"}
CORRECTION_ELEMENTS = {"EventNo", "Revision", "CorrectsRevision", "DataAsOf", "ReportingUnit", "Reason", "Totals",
                       "County", "Victims", "Decreases", "Narrative", "ReplyTo"}
_PATHS = {n: p for n, p, _ in INDICATORS}
#: canonical path → native element, so the contract's errors about a correction name the export's field
CORRECTION_FIELDS = {
    **{f"payload.totals.{p}": f"Totals/{n}" for n, p, _ in INDICATORS},
    **{f"payload.counties.indicators.{p}": f"County/{n}" for n, p, _ in INDICATORS},
    "payload.revision": "Revision", "payload.corrects_revision": "CorrectsRevision", "payload.reason": "Reason",
    "payload.data_as_of": "DataAsOf", "payload.event_id": "EventNo", "payload.name_list": "Victims",
    "payload.decreases.indicator": "Decreases/Decrease@indicator", "payload.decreases.reason": "Decreases/Decrease",
    "references": "ReplyTo",
}


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
    _known(elem, REPORT_ELEMENTS)
    dtype, stage, unit = collect(
        lambda: cat.DISASTER_TYPES(text(elem, "DisasterType"), label("DisasterType", "disaster_type")),
        lambda: cat.STAGES(text(elem, "Stage"), label("Stage", "stage")),
        lambda: division(text(elem, "ReportingUnit"), label("ReportingUnit", "reporting_unit_code")))
    payload = {"event_id": text(elem, "EventNo"), "disaster_type": dtype, "stage": stage,
               "revision": u.count(text(elem, "Revision"), label("Revision", "revision")),
               "started_on": native_date(text(elem, "StartDate"), label("StartDate", "started_on")),
               "data_as_of": native_time(text(elem, "DataAsOf"), label("DataAsOf", "data_as_of")),
               "reporting_unit_code": unit}
    snapshot = _snapshot(elem, ctx, unit)
    payload["totals"] = snapshot.pop("totals")
    if text(elem, "SubType", required=False):
        payload["sub_type"] = cat.SUB_TYPES(text(elem, "SubType"), label("SubType", "sub_type"))
    if text(elem, "TyphoonNo", required=False):
        payload["typhoon_number"] = text(elem, "TyphoonNo")
    payload.update(snapshot)
    return Canonical("disaster.report", payload)


def correction(elem: ET.Element, ctx: MapContext) -> Canonical:
    """One <Correction> (a full new snapshot after the 核报, with the reason) → disaster.correction.

    It references <ReplyTo> when the export names the corrected message, else this adapter's latest message
    about the event (a correction, else the report).
    """
    _known(elem, CORRECTION_ELEMENTS)
    event, unit, revision, corrects, as_of, reason = collect(
        lambda: text(elem, "EventNo"),
        lambda: division(text(elem, "ReportingUnit"), label("ReportingUnit", "name_list.held_by_unit_code")),
        lambda: u.count(text(elem, "Revision"), label("Revision", "revision")),
        lambda: u.count(text(elem, "CorrectsRevision"), label("CorrectsRevision", "corrects_revision")),
        lambda: native_time(text(elem, "DataAsOf"), label("DataAsOf", "data_as_of")),
        lambda: text(elem, "Reason"))
    payload = {"event_id": event, "revision": revision, "corrects_revision": corrects, "data_as_of": as_of,
               "reason": reason, **_snapshot(elem, ctx, unit)}
    refs = [(c.text or "").strip() for c in all_named(elem, "ReplyTo")]
    if not refs:
        previous = ctx.last_message_id("disaster.correction", event) or ctx.last_message_id("disaster.report", event)
        if previous is None:
            raise bad("ReplyTo (references)", f"no <ReplyTo> and no report of event {event} was sent by this adapter",
                      f"缺少 <ReplyTo>，本适配器也未报送过事件 {event}")
        refs = [previous]
    return Canonical("disaster.correction", payload, references=tuple(refs))


def _known(elem: ET.Element, names: set[str]) -> None:
    unknown = [local(c.tag) for c in elem if local(c.tag) not in names]
    if unknown:
        raise RowError([Problem(n, "unknown element", "未知元素") for n in unknown])


def _snapshot(elem: ET.Element, ctx: MapContext, unit: str) -> dict:
    """Totals, counties, the victims' pseudonyms, stated decreases and narrative (report and correction)."""
    payload: dict = {"totals": _figures(_one(elem, "Totals"), "Totals")}
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
    decreases = _one(elem, "Decreases", required=False)
    if decreases is not None:
        payload["decreases"] = _decreases(decreases)
    if text(elem, "Narrative", required=False):
        payload["narrative"] = text(elem, "Narrative")
    return payload


def _decreases(elem: ET.Element) -> list[dict]:
    """<Decrease indicator="Affected">reason</Decrease> → {"indicator": "people.affected", "reason": …}."""
    out, problems = [], []
    for i, d in enumerate(all_named(elem, "Decrease"), start=1):
        where = f"Decreases/Decrease[{i}]"
        name, reason = d.get("indicator", "").strip(), (d.text or "").strip()
        if name not in _PATHS:
            problems.append(Problem(f"{where}@indicator (decreases.indicator)", f"unknown indicator {name!r}",
                                    f"未知指标“{name}”"))
        if not reason:
            problems.append(Problem(f"{where} (decreases.reason)", "a decrease needs its stated reason",
                                    "指标减少须说明原因"))
        if name in _PATHS and reason:
            out.append({"indicator": _PATHS[name], "reason": reason})
    unknown = [local(c.tag) for c in elem if local(c.tag) != "Decrease"]
    problems.extend(Problem(f"Decreases/{n}", "unknown element", "未知元素") for n in unknown)
    if problems:
        raise RowError(problems)
    return out


def _one(elem: ET.Element, name: str, *, required: bool = True) -> ET.Element | None:
    found = all_named(elem, name)
    if not found and required:
        raise bad(name, "element is missing", "元素缺失")
    return found[0] if found else None


CANCEL = Doc("disaster.cancel", "Cancel", (
    F("EventNo", "event_id", cv.ident),
    F("ReasonCode", "reason_code", cv.choice("cancel reason", "撤销原因", {
        "重复报送": "duplicate", "误报": "entered_in_error", "非自然灾害": "not_a_disaster", "合并": "merged"})),
    F("MergedInto", "merged_into_event_id", cv.ident, required=False), F("Reason", "reason", cv.ident),
), own=(("disaster.correction", "event_id"), ("disaster.report", "event_id")), refs_required=True)
