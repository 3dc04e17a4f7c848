"""Beijing's platform pushes JSON with Chinese field names: 元, 公顷, districts numbered 京-00 … 京-16."""

from __future__ import annotations

import json
from collections.abc import Mapping

from adapters.beijing.config import DISTRICTS, TIERS
from adapters.beijing.fieldmap import ANSWERS
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
MOVEMENT_ZH = reverse(cat.MOVEMENTS)
OUTCOME_ZH = {"hit": "查得", "no_hit": "未查得", "error": "查询出错", "not_authorised": "未授权", "not_supported": "不支持"}
ORDER_ZH = {"written": "书面", "phone": "电话"}
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


def _division(code: str) -> str:
    """A place in Beijing by its 京-xx number, elsewhere by the 6-digit code (adapters/beijing/codes.py DIVISION)."""
    return JING.get(code, code)


def _contact(c: dict) -> dict:
    return {"职务": c["role"], "姓名": c["masked_name"], "电话": c["phone"]}


def _place(pl: dict) -> dict:
    return {"区划": _division(pl["unit_code"]), "详细地址": pl["address"]}


def _lines(lines: list[dict]) -> list[dict]:
    return [{"序号": ln["line_no"], "物资名称": ITEM_ZH[ln["item_code"]], "计量单位": ln["unit"], "数量": ln["quantity"],
             **({"出库仓库": ln["from_depot_id"]} if ln.get("from_depot_id") else {})} for ln in lines]


def commitment(p: dict, ids: Mapping[str, str]) -> dict:
    return {"请求编号": p["request_id"], "承诺编号": p["commitment_id"], "预计发运时间": p["expected_dispatch_at"],
            "物资明细": _lines(p["lines"]), "联系人": _contact(p["contact"])}


def dispatch(p: dict, ids: Mapping[str, str]) -> dict:
    doc = {"调拨单号": p["dispatch_id"], "请求编号": p["request_id"], "承诺编号": p["commitment_id"],
           "调拨方式": ORDER_ZH[p["ordered_via"]], "接收单位": _division(p["receiving_unit_code"]),
           "接收地点": _place(p["receiving_place"]), "发货联系人": _contact(p["sender_contact"]),
           "收货联系人": _contact(p["receiver_contact"]), "发车时间": p["departed_at"], "物资明细": _lines(p["lines"])}
    if p.get("written_confirmation_due"):
        doc["书面确认期限"] = p["written_confirmation_due"]
    return doc


def stock_movement(p: dict, ids: Mapping[str, str]) -> dict:
    d = p["depot"]
    doc = {"台账编号": p["movement_id"], "仓库编号": d["depot_id"], "仓库名称": d.get("name"), "仓库级别": TIER_ZH[d["tier"]],
           "所在区": JING[d["unit_code"]], "业务类型": MOVEMENT_ZH[p["movement_type"]], "发生时间": p["occurred_at"],
           "物资名称": ITEM_ZH[p["item_code"]], "计量单位": p["unit"], "批次": p.get("batch"), "数量": p["quantity"],
           "结存数量": p["balance_after"], "对方仓库编号": p.get("counterparty_depot_id"),
           "调拨单号": p.get("dispatch_id"), "事由": p.get("reason")}
    return {k: v for k, v in doc.items() if v is not None}


def _summary(s: dict) -> dict:
    names = {"monthly_income_fen": "月收入（元）", "annual_amount_fen": "年度金额（元）", "threshold_fen": "阈值（元）",
             "count": "数量", "status": "状态", "as_of": "截至日期"}
    out = {names[k]: fen_to_yuan(v) if k.endswith("_fen") else v for k, v in s.items() if k in names}
    if "over_threshold" in s:
        out["是否超过阈值"] = "是" if s["over_threshold"] else "否"
    return out


def verification_response(p: dict, ids: Mapping[str, str]) -> dict:
    return {"请求编号": p["request_id"], "报告编号": p["report_no"], "出具时间": p["issued_at"],
            "核对结果": [{"对象编号": r["subject_id"], "证件号码": ids[r["person_ref"]["ref"]], "项目结果": [
                {"核对项目": CHECK_ZH[i["item"]], "结论": OUTCOME_ZH[i["outcome"]], "反馈时间": i["feedback_at"],
                 **({"摘要": _summary(i["summary"])} if i.get("summary") else {}),
                 **({"错误说明": i["error"]} if i.get("error") else {})} for i in r["items"]]}
                for r in p["results"]]}


def payment(p: dict, ids: Mapping[str, str]) -> dict:
    return {"支付编号": p["payment_id"], "结算单编号": p["statement_id"], "付款单位": JING[p["payer_code"]],
            "支付时间": p["paid_at"], "支付金额（元）": fen_to_yuan(p["amount_fen"]), "银行流水号": p["bank_reference"]}


RENDERERS = {"disaster.report": ("disaster_report", disaster_report),
             "relief.stock_snapshot": ("stock_snapshot", stock_snapshot),
             "relief.stock_movement": ("stock_movement", stock_movement),
             "relief.commitment": ("commitment", commitment),
             "relief.dispatch": ("dispatch", dispatch),
             "eldercare.enrolment": ("eldercare_enrolment", enrolment),
             "eldercare.entitlement_table": ("entitlement_table", entitlement_table),
             "eldercare.payment": ("subsidy_payment", payment),
             "verification.request": ("verification_request", verification_request),
             "verification.response": ("verification_response", verification_response)}


def render(step: Step, ids: Mapping[str, str], references: tuple[str, ...] = ()) -> Native | None:
    if step.kind not in RENDERERS:
        return None
    fmt, fn = RENDERERS[step.kind]
    doc = fn(step.payload, ids)
    if references:  # the hub message answered, as the platform got it from GET /deliveries
        doc[ANSWERS] = references[0] if len(references) == 1 else list(references)
    if step.native.get("corrupt") == "district":  # a native fault: a district number the platform does not have
        doc["填报单位"] = "京-99"
    return Native("http", fmt, json.dumps(doc, ensure_ascii=False).encode())
