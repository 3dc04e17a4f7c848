"""Beijing's platform pushes JSON with Chinese field names: 元, 公顷, districts numbered 京-00 … 京-16."""

from __future__ import annotations

import json
from collections.abc import Mapping

from adapters.beijing.config import DISTRICTS, TIERS
from adapters.beijing.mapping import INDICATORS
from adapters.core import catalogues as cat
from jjj.demo.native_common import (
    DISASTER_ZH,
    ITEM_ZH,
    MODE_ZH,
    REGION_ZH,
    STAGE_ZH,
    SUB_TYPE_ZH,
    SUBSIDY_ZH,
    Native,
    fen_to_yuan,
    reverse,
    wan_to_yuan,
)
from jjj.demo.timeline import Step

JING = {code: number for number, code in DISTRICTS.items()}
TIER_ZH = {code: zh for zh, code in reversed(TIERS.items())}
GRADE_ZH, RELATION_ZH, CHECK_ZH, ASSIST_ZH = (reverse(cat.GRADES), reverse(cat.RELATIONS), reverse(cat.CHECK_ITEMS),
                                              reverse(cat.ASSISTANCE))
#: canonical indicator path → the platform's field (adapters/beijing/mapping.py INDICATORS)
FIELDS = {path: name for name, path, _ in INDICATORS}


def _figures(ind: dict) -> dict:
    out: dict = {}
    for group, values in ind.items():
        for k, v in values.items():
            leaves = {f"{k}.{kk}": vv for kk, vv in v.items()} if isinstance(v, dict) else {k: v}
            for leaf, value in leaves.items():
                name = FIELDS.get(f"{group}.{leaf}")
                if name is not None:
                    out[name] = wan_to_yuan(value) if name == "直接经济损失" else value
    return out


def disaster_report(p: dict, ids: Mapping[str, str]) -> dict:
    doc = {"灾情编号": p["event_id"], "灾害类型": DISASTER_ZH[p["disaster_type"]],
           "灾害子类": SUB_TYPE_ZH.get(p.get("sub_type"), None), "报告阶段": STAGE_ZH[p["stage"]],
           "报告次数": p["revision"], "填报单位": JING[p["reporting_unit_code"]], "发生日期": p["started_on"],
           "统计截止时间": p["data_as_of"], **_figures(p["totals"]),
           "分区数据": [{"区划": JING[c["county_code"]], **_figures(c["indicators"])} for c in p.get("counties", [])]}
    names = p.get("name_list") or {}
    victims = [{"类别": "死亡", "身份证号": ids[r["ref"]]} for r in names.get("deaths", [])]
    victims += [{"类别": "失踪", "身份证号": ids[r["ref"]]} for r in names.get("missing", [])]
    if victims:
        doc["死亡失踪人员"] = victims
    if p.get("narrative"):
        doc["灾情描述"] = p["narrative"]
    return {k: v for k, v in doc.items() if v is not None}


def stock_snapshot(p: dict, ids: Mapping[str, str]) -> dict:
    d = p["depot"]
    return {"仓库编号": d["depot_id"], "仓库名称": d.get("name"), "仓库级别": TIER_ZH[d["tier"]],
            "所在区": JING[d["unit_code"]], "盘点时间": p["as_of"],
            "物资明细": [{"物资名称": ITEM_ZH[ln["item_code"]], "计量单位": ln["unit"], "批次": ln.get("batch"),
                      "储备方式": MODE_ZH[ln["storage_mode"]], "库存数量": ln["on_hand"],
                      "预留数量": ln.get("reserved", 0), "损坏数量": ln.get("damaged", 0)} for ln in p["lines"]]}


def enrolment(p: dict, ids: Mapping[str, str]) -> dict:
    a = p["assessment"]
    doc = {"登记编号": p["enrolment_id"], "身份证号": ids[p["elder_ref"]["ref"]],
           "户籍区": JING[p["home_district_code"]], "机构所在省市": REGION_ZH[p["facility_region"]],
           "入住机构": {"机构编号": p["facility"]["facility_id"], "机构名称": p["facility"]["name"],
                    "所在地代码": p["facility"]["unit_code"]},
           "入住日期": p["admitted_on"],
           "能力评估": {"等级": GRADE_ZH[a["grade"]], "评估日期": a["assessed_on"], "有效期至": a["valid_until"]},
           "补贴项目": [SUBSIDY_ZH[t] for t in p["subsidy_types"]]}
    if p.get("discharged_on"):
        doc["离院日期"] = p["discharged_on"]
    return doc


def entitlement_table(p: dict, ids: Mapping[str, str]) -> dict:
    return {"标准表编号": p["table_id"], "发布单位": JING[p["payer_code"]], "发布时间": p["published_at"],
            "标准": [{"补贴项目": SUBSIDY_ZH[r["subsidy_type"]], "月标准（元）": fen_to_yuan(r["rate_fen"]),
                    "生效日期": r["effective_from"], **({"失效日期": r["effective_to"]} if r.get("effective_to") else {})}
                   for r in p["rates"]]}


def verification_request(p: dict, ids: Mapping[str, str]) -> dict:
    dept = p["requesting_department"]
    return {"请求编号": p["request_id"], "申请部门": {"区划": JING[dept["unit_code"]], "名称": dept["name"]},
            "核对地区": [REGION_ZH[r] for r in p["target_regions"]], "救助类型": ASSIST_ZH[p["assistance_type"]],
            "用途": p["purpose"],
            "核对对象": [{"对象编号": s["subject_id"], "证件号码": ids[s["person_ref"]["ref"]], "姓名": s["masked_name"],
                      "证件类型": "居民身份证", "与申请人关系": RELATION_ZH[s["relation"]],
                      "授权书编号": s["authorisation"]["document_id"], "授权日期": s["authorisation"]["signed_on"]}
                     for s in p["subjects"]],
            "核对项目": [CHECK_ZH[i] for i in p["items"]],
            "收入期间": {"起": p["income_period"]["from_month"], "止": p["income_period"]["to_month"]},
            "资产基准日": p["asset_date"], "答复期限": p["response_deadline"]}


RENDERERS = {"disaster.report": ("disaster_report", disaster_report),
             "relief.stock_snapshot": ("stock_snapshot", stock_snapshot),
             "eldercare.enrolment": ("eldercare_enrolment", enrolment),
             "eldercare.entitlement_table": ("entitlement_table", entitlement_table),
             "verification.request": ("verification_request", verification_request)}


def render(step: Step, ids: Mapping[str, str]) -> Native | None:
    if step.kind not in RENDERERS:
        return None
    fmt, fn = RENDERERS[step.kind]
    doc = fn(step.payload, ids)
    if step.native.get("corrupt") == "district":  # a native fault: a district number the platform does not have
        doc["填报单位"] = "京-99"
    return Native("http", fmt, json.dumps(doc, ensure_ascii=False).encode())
