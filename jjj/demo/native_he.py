"""Hebei's systems drop XML exports (12-digit 统计用区划代码, 公顷, 万元) and CAP 1.2 alerts in the drop folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from adapters.hebei.config import CAP_EVENTS, TIERS
from adapters.hebei.disaster import INDICATORS
from jjj.demo.native_common import (
    DISASTER_ZH,
    ITEM_ZH,
    MODE_ZH,
    STAGE_ZH,
    SUB_TYPE_ZH,
    SUBSIDY_ZH,
    Native,
    county_name,
    fen_to_yuan,
    slug,
)
from jjj.demo.timeline import Step

TIER_ZH = {code: zh for zh, code in reversed(TIERS.items())}
FIGURES = {path: name for name, path, _ in INDICATORS}
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
#: CAP <parameter> names of the early-warning system (adapters/hebei/cap.py PARAMETERS)
CAP_PARAMETERS = {"people.affected": "受灾人口", "people.deaths": "因灾死亡", "people.missing": "因灾失踪",
                  "people.injured": "因灾受伤", "people.evacuated": "紧急避险转移",
                  "people.relocated_cumulative": "紧急转移安置", "people.relocated_centralised": "其中集中安置",
                  "people.relocated_dispersed": "其中分散安置", "housing.collapsed.rooms": "倒塌房屋",
                  "agriculture.crops_affected_ha": "农作物受灾面积（公顷）", "losses.total": "直接经济损失（万元）"}


def code12(code: str) -> str:
    return code + "000000"


def _leaves(ind: dict) -> dict[str, object]:
    out = {}
    for group, values in ind.items():
        for k, v in values.items():
            for leaf, value in ({f"{k}.{kk}": vv for kk, vv in v.items()} if isinstance(v, dict) else {k: v}).items():
                out[f"{group}.{leaf}"] = value
    return out


def _figures(parent: ET.Element, ind: dict) -> None:
    for path, value in _leaves(ind).items():
        if path in FIGURES:
            el = ET.SubElement(parent, FIGURES[path])
            el.text = str(value)
            if FIGURES[path] == "Loss":
                el.set("unit", "万元")


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def disaster_xml(p: dict, ids: Mapping[str, str]) -> bytes:
    root = ET.Element("ZqReports", {"xmlns": "http://yjgl.hebei.gov.cn/zqtj/2024"})
    r = ET.SubElement(root, "Report")
    for tag, value in (("EventNo", p["event_id"]), ("DisasterType", DISASTER_ZH[p["disaster_type"]]),
                       ("SubType", SUB_TYPE_ZH.get(p.get("sub_type"))), ("Stage", STAGE_ZH[p["stage"]]),
                       ("Revision", p["revision"]), ("StartDate", p["started_on"]), ("DataAsOf", p["data_as_of"]),
                       ("ReportingUnit", code12(p["reporting_unit_code"]))):
        if value is not None:
            ET.SubElement(r, tag).text = str(value)
    _figures(ET.SubElement(r, "Totals"), p["totals"])
    for c in p.get("counties", []):
        _figures(ET.SubElement(r, "County", {"code": code12(c["county_code"])}), c["indicators"])
    names = p.get("name_list") or {}
    if names.get("deaths") or names.get("missing"):
        v = ET.SubElement(r, "Victims")
        for status, bucket in (("死亡", "deaths"), ("失踪", "missing")):
            for ref in names.get(bucket, []):
                ET.SubElement(v, "Victim", {"status": status, "idNumber": ids[ref["ref"]]})
    narrative = p.get("narrative", "")
    for d in p.get("decreases", []):  # the export has no field for it: the statistician writes it in the narrative
        narrative += f"（{d['reason']}）"
    if narrative:
        ET.SubElement(r, "Narrative").text = narrative
    return _xml(root)


def cap_alert(p: dict, *, certainty: str = "Observed") -> bytes:
    """The early-warning system's CAP 1.2 alert of an observed event (its first figures: the 初报)."""
    event = next(name for name, (t, sub) in CAP_EVENTS.items() if (t, sub) == (p["disaster_type"], p.get("sub_type")))
    a = ET.Element("alert", {"xmlns": CAP_NS})
    sent = p["data_as_of"]
    for tag, value in (("identifier", p["event_id"]), ("sender", f"{p['reporting_unit_code']}@hebyj.gov.cn"),
                       ("sent", sent), ("status", "Actual"), ("msgType", "Alert"), ("scope", "Public")):
        ET.SubElement(a, tag).text = value
    info = ET.SubElement(a, "info")
    for tag, value in (("language", "zh-CN"), ("category", "Geo"), ("event", event), ("responseType", "Evacuate"),
                       ("urgency", "Immediate"), ("severity", "Extreme"), ("certainty", certainty),
                       ("effective", sent), ("onset", f"{p['started_on']}T20:00:00+08:00"),
                       ("senderName", f"{county_name(p['reporting_unit_code'])}应急管理局"),
                       ("headline", f"{county_name(p['reporting_unit_code'])}发生{event}灾害"),
                       ("description", p.get("narrative", ""))):
        ET.SubElement(info, tag).text = value
    for path, value in _leaves(p["totals"]).items():
        if path in CAP_PARAMETERS:
            par = ET.SubElement(info, "parameter")
            ET.SubElement(par, "valueName").text = CAP_PARAMETERS[path]
            ET.SubElement(par, "value").text = str(value)
    area = ET.SubElement(info, "area")
    ET.SubElement(area, "areaDesc").text = county_name(p["reporting_unit_code"])
    geo = ET.SubElement(area, "geocode")
    ET.SubElement(geo, "valueName").text = "GB/T 2260"
    ET.SubElement(geo, "value").text = p["reporting_unit_code"]
    return _xml(a)


def stock_xml(p: dict) -> bytes:
    d = p["depot"]
    root = ET.Element("StockReport", {"xmlns": "http://yjgl.hebei.gov.cn/wzcb/2024", "generated": p["as_of"]})
    dep = ET.SubElement(root, "Depot", {"id": d["depot_id"], "name": d.get("name", ""), "tier": TIER_ZH[d["tier"]],
                                        "code": code12(d["unit_code"]), "asOf": p["as_of"]})
    for ln in p["lines"]:
        attrs = {"name": ITEM_ZH[ln["item_code"]], "unit": ln["unit"], "batch": ln.get("batch", ""),
                 "mode": MODE_ZH[ln["storage_mode"]], "onHand": str(ln["on_hand"]),
                 "reserved": str(ln.get("reserved", 0)), "damaged": str(ln.get("damaged", 0))}
        ET.SubElement(dep, "Item", {k: v for k, v in attrs.items() if v != ""})
    return _xml(root)


def claims_xml(p: dict, ids: Mapping[str, str]) -> bytes:
    root = ET.Element("ClaimBatch", {"xmlns": "http://mzt.hebei.gov.cn/ylbt/2024"})
    f = p["facility"]
    claim = ET.SubElement(root, "Claim", {"no": p["claim_id"], "period": p["period"], "facilityId": f["facility_id"],
                                          "facilityName": f["name"], "county": code12(f["unit_code"]),
                                          "payer": p["payer_district_code"]})
    for ln in p["lines"]:
        ET.SubElement(claim, "Line", {"no": ln["line_id"], "idNumber": ids[ln["elder_ref"]["ref"]],
                                      "enrolment": ln["enrolment_id"], "subsidy": SUBSIDY_ZH[ln["subsidy_type"]],
                                      "days": str(ln["days_in_care"]), "amount": fen_to_yuan(ln["amount_fen"])})
    return _xml(root)


def render(step: Step, ids: Mapping[str, str], references: tuple[str, ...] = ()) -> Native | None:
    name = slug(step.step_id)
    if step.kind == "disaster.report" and step.native.get("cap"):
        certainty = "Likely" if step.native.get("corrupt") == "forecast" else "Observed"
        return Native("cap", "cap", cap_alert(step.payload, certainty=certainty), f"cap_{name}.cap.xml")
    if step.kind == "disaster.report":
        return Native("file", "disaster", disaster_xml(step.payload, ids), f"disaster_{name}.xml")
    if step.kind == "relief.stock_snapshot":
        return Native("file", "stock", stock_xml(step.payload), f"stock_{name}.xml")
    if step.kind == "eldercare.claim":
        return Native("file", "claims", claims_xml(step.payload, ids), f"claims_{name}.xml")
    return None
