"""Hebei's systems drop XML exports (12-digit 统计用区划代码, 公顷, 万元) and CAP 1.2 alerts in the drop folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from adapters.core import catalogues as cat
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
    reverse,
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
    if p.get("decreases"):  # a cumulative figure that fell since the last report, with its stated reason
        dec = ET.SubElement(r, "Decreases")
        for d in p["decreases"]:
            ET.SubElement(dec, "Decrease", {"indicator": FIGURES[d["indicator"]]}).text = d["reason"]
    if p.get("narrative"):
        ET.SubElement(r, "Narrative").text = p["narrative"]
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


# -- the element-mapped exports (adapters/hebei/{relief,verification,referral,eldercare}.py): one record each
WZXT, HDZX, JJN, YLBT = ("http://yjgl.hebei.gov.cn/wzxt/2024", "http://mzt.hebei.gov.cn/hdzx/2024",
                         "http://mzt.hebei.gov.cn/jjn/2024", "http://mzt.hebei.gov.cn/ylbt/2024")
REGION_ZH = {"bj": "北京", "tj": "天津", "he": "河北"}
CHECK_ZH, RELATION_ZH, ASSIST_ZH = reverse(cat.CHECK_ITEMS), reverse(cat.RELATIONS), reverse(cat.ASSISTANCE)
OUTCOME_ZH = {"hit": "查得", "no_hit": "未查得", "error": "查询失败", "not_authorised": "未授权", "not_supported": "不支持"}
STEP_ZH = {"contacted": "已联系", "verification_started": "启动核对", "assistance_granted": "已给予救助",
           "placement_arranged": "已安置", "other": "其他"}
CLOSE_ZH = {"assisted": "已救助", "not_eligible": "不符合条件", "withdrawn": "申请撤回", "unreachable": "无法联系",
            "transferred": "已移交"}
DISPUTE_ZH = {"amount": "金额不符", "missing_line": "漏列明细", "rejected_wrongly": "错误拒付", "duplicate": "重复",
              "other": "其他"}


def _el(parent: ET.Element, tag: str, text: object = None, **attrs: object) -> ET.Element:
    e = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        e.text = str(text)
    return e


def _contact(parent: ET.Element, tag: str, c: dict) -> None:
    e = _el(parent, tag)
    _el(e, "Role", c["role"])
    _el(e, "Name", c["masked_name"])
    _el(e, "Phone", c["phone"])


def _yuan(parent: ET.Element, tag: str, fen: int | None) -> None:
    if fen is not None:
        _el(parent, tag, fen_to_yuan(fen))


def support_request(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("no", p["request_id"])
    if p.get("event_ref"):
        _el(r, "Event", region=REGION_ZH[p["event_ref"]["region"]], eventNo=p["event_ref"]["event_id"])
    _el(r, "RequestingUnit", code12(p["requesting_unit_code"]))
    to = _el(r, "ToRegions")
    for region in p["to_regions"]:
        _el(to, "Region", REGION_ZH[region])
    _el(r, "NeededBy", p["needed_by"])
    _el(_el(r, "DeliveryPlace", code=code12(p["delivery_place"]["unit_code"])), "Address", p["delivery_place"]["address"])
    _contact(r, "Contact", p["contact"])
    lines = _el(r, "Lines")
    for ln in p["lines"]:
        _el(lines, "Line", no=ln["line_no"], item=ITEM_ZH[ln["item_code"]], spec=ln.get("spec"), unit=ln["unit"],
            qty=ln["quantity"])
    if p.get("note"):
        _el(r, "Note", p["note"])


def receipt(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("dispatchNo", p["dispatch_id"])
    r.set("requestNo", p["request_id"])
    _el(r, "ReceivedAt", p["received_at"])
    _el(r, "ReceivingUnit", code12(p["receiving_unit_code"]))
    lines = _el(r, "Lines")
    for ln in p["lines"]:
        e = _el(lines, "Line", no=ln["line_no"], item=ITEM_ZH[ln["item_code"]], unit=ln["unit"], shipped=ln["shipped"],
                received=ln["received"], inTransit=ln["in_transit"], discrepancy=ln["discrepancy"])
        if ln.get("discrepancy_reason"):
            _el(e, "DiscrepancyReason", ln["discrepancy_reason"])


def verification_request(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("no", p["request_id"])
    dept = p["requesting_department"]
    _el(_el(r, "Department", code=code12(dept["unit_code"])), "Name", dept["name"])
    to = _el(r, "TargetRegions")
    for region in p["target_regions"]:
        _el(to, "Region", REGION_ZH[region])
    _el(r, "AssistanceType", ASSIST_ZH[p["assistance_type"]])
    _el(r, "Purpose", p["purpose"])
    subjects = _el(r, "Subjects")
    for sub in p["subjects"]:
        e = _el(subjects, "Subject", no=sub["subject_id"])
        _el(e, "IdNumber", ids[sub["person_ref"]["ref"]])
        _el(e, "Name", sub["masked_name"])
        _el(e, "IdType", "居民身份证")
        _el(e, "Relation", RELATION_ZH[sub["relation"]])
        _el(e, "Authorisation", no=sub["authorisation"]["document_id"], signedOn=sub["authorisation"]["signed_on"])
    items = _el(r, "Items")
    for item in p["items"]:
        _el(items, "Item", CHECK_ZH[item])
    _el(r, "IncomePeriod", **{"from": p["income_period"]["from_month"], "to": p["income_period"]["to_month"]})
    _el(r, "AssetDate", p["asset_date"])
    _el(r, "Deadline", p["response_deadline"])


def verification_response(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("no", p["report_no"])
    r.set("requestNo", p["request_id"])
    _el(r, "IssuedAt", p["issued_at"])
    results = _el(r, "Results")
    for res in p["results"]:
        sub = _el(results, "Subject", no=res["subject_id"])
        _el(sub, "IdNumber", ids[res["person_ref"]["ref"]])
        for it in res["items"]:
            e = _el(sub, "Item", item=CHECK_ZH[it["item"]], outcome=OUTCOME_ZH[it["outcome"]],
                    feedbackAt=it["feedback_at"])
            if it.get("summary"):
                sm, summary = _el(e, "Summary"), it["summary"]
                _yuan(sm, "MonthlyIncome", summary.get("monthly_income_fen"))
                _yuan(sm, "AnnualAmount", summary.get("annual_amount_fen"))
                for tag, key in (("Count", "count"), ("Status", "status"), ("AsOf", "as_of")):
                    if key in summary:
                        _el(sm, tag, summary[key])
                if "over_threshold" in summary:
                    _el(sm, "OverThreshold", "是" if summary["over_threshold"] else "否")
                _yuan(sm, "Threshold", summary.get("threshold_fen"))
            if it.get("error"):
                _el(e, "Error", it["error"])


def acceptance(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("referralNo", p["referral_id"])
    _el(r, "AcceptedAt", p["accepted_at"])
    _el(r, "HandlingUnit", code12(p["handling_unit_code"]))
    _contact(r, "Contact", p["contact"])
    if p.get("note"):
        _el(r, "Note", p["note"])


def progress(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("referralNo", p["referral_id"])
    _el(r, "StepAt", p["step_at"])
    _el(r, "Step", STEP_ZH[p["step"]])
    _yuan(r, "Amount", p.get("amount_fen"))
    if p.get("note"):
        _el(r, "Note", p["note"])


def closure(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("referralNo", p["referral_id"])
    _el(r, "ClosedAt", p["closed_at"])
    _el(r, "Outcome", CLOSE_ZH[p["outcome"]])
    _yuan(r, "TotalAssistance", p["total_assistance_fen"])
    if p.get("note"):
        _el(r, "Note", p["note"])


def confirmation(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("statementNo", p["statement_id"])
    _el(r, "ConfirmedAt", p["confirmed_at"])
    _yuan(r, "Amount", p["confirmed_fen"])


def dispute(r: ET.Element, p: dict, ids: Mapping[str, str]) -> None:
    r.set("no", p["dispute_id"])
    r.set("statementNo", p["statement_id"])
    _el(r, "RaisedAt", p["raised_at"])
    for ln in p["lines"]:
        e = _el(r, "Line", claimNo=ln["claim_id"], lineNo=ln.get("line_id"), reason=DISPUTE_ZH[ln["reason_code"]])
        _yuan(e, "Expected", ln.get("expected_fen"))
        if ln.get("note"):
            _el(e, "Note", ln["note"])
    if p.get("note"):
        _el(r, "Note", p["note"])


#: kind → (format, file-name stem, namespace, root element, record element, filler)
DOCS = {"relief.support_request": ("support_request", "support_request", WZXT, "SupportRequests", "SupportRequest",
                                   support_request),
        "relief.receipt": ("receipt", "receipt", WZXT, "Receipts", "Receipt", receipt),
        "verification.request": ("verification_request", "verify_request", HDZX, "CheckRequests", "CheckRequest",
                                 verification_request),
        "verification.response": ("verification_response", "verify_report", HDZX, "CheckReports", "CheckReport",
                                  verification_response),
        "referral.acceptance": ("referral_acceptance", "referral_accept", JJN, "Acceptances", "Acceptance", acceptance),
        "referral.progress": ("referral_progress", "referral_progress", JJN, "ProgressReports", "Progress", progress),
        "referral.closure": ("referral_closure", "referral_close", JJN, "Closures", "Closure", closure),
        "eldercare.confirmation": ("confirmation", "confirmation", YLBT, "Confirmations", "Confirmation", confirmation),
        "eldercare.dispute": ("dispute", "dispute", YLBT, "Disputes", "Dispute", dispute)}


def doc_xml(step: Step, ids: Mapping[str, str], references: tuple[str, ...]) -> bytes:
    _, _, ns, root_tag, tag, fill = DOCS[step.kind]
    root = ET.Element(root_tag, {"xmlns": ns})
    r = ET.SubElement(root, tag)
    for ref in references:  # the platform message answered (the adapter's deliveries)
        _el(r, "ReplyTo", ref)
    fill(r, step.payload, ids)
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
    if step.kind in DOCS:
        fmt, stem = DOCS[step.kind][:2]
        return Native("file", fmt, doc_xml(step, ids, references), f"{stem}_{name}.xml")
    return None
