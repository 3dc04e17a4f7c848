"""Tianjin's 经济状况核对 exports: requests about Tianjin applicants, and answers to Beijing's and Hebei's requests.

Request: one row per subject (对象), grouped by 请求编号; names are masked and ID numbers become person_refs.
Response (核对结果): one row per subject and item, grouped by 报告编号; money 元 → 分; deposits only as a flag.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core import catalogues as cat
from adapters.core.errors import bad
from adapters.core.mapping import CodeMap
from adapters.core.spec import MapContext
from adapters.tianjin.columns import (
    COUNT,
    DATE,
    FEN,
    MASKED,
    MONTH,
    PERSON,
    TIME,
    Col,
    Table,
    flag,
    listof,
    plain,
)
from adapters.tianjin.places import TJ_UNIT

OUTCOMES = CodeMap("query outcome", "查询结果", {"命中": "hit", "有记录": "hit", "未命中": "no_hit", "无记录": "no_hit",
                                                "查询出错": "error", "出错": "error", "未授权": "not_authorised",
                                                "不支持": "not_supported"})

REQUEST = Table(
    "verification.request", group="请求编号", lines_path="subjects",
    head=(Col("请求编号", "request_id"), Col("申请单位", "requesting_department.unit_code", plain(TJ_UNIT)),
          Col("申请部门", "requesting_department.name"), Col("核对地区", "target_regions", listof(cat.REGIONS)),
          Col("救助类型", "assistance_type", plain(cat.ASSISTANCE)), Col("核对事由", "purpose"),
          Col("核对项目", "items", listof(cat.CHECK_ITEMS)), Col("收入起始月份", "income_period.from_month", MONTH),
          Col("收入截止月份", "income_period.to_month", MONTH), Col("资产基准日", "asset_date", DATE),
          Col("答复时限", "response_deadline", TIME)),
    lines=(Col("对象编号", "subject_id"), Col("身份证号", "person_ref", PERSON), Col("姓名", "masked_name", MASKED),
           Col("证件类型", "id_type", plain(cat.ID_TYPES), required=False, default="resident_id"),
           Col("与申请人关系", "relation", plain(cat.RELATIONS)), Col("授权书编号", "authorisation.document_id"),
           Col("授权日期", "authorisation.signed_on", DATE)))


def _by_subject(payload: dict, row: Mapping, ctx: MapContext) -> dict:
    """Rows (one per subject and item) → results[subject].items, in the order subjects first appear."""
    results: dict[str, dict] = {}
    for r in payload["results"]:
        subject = results.setdefault(r["subject_id"], {"subject_id": r["subject_id"], "person_ref": r["person_ref"],
                                                       "items": []})
        if subject["person_ref"] != r["person_ref"]:
            raise bad("身份证号 (results.person_ref)", f"subject {r['subject_id']} has different ID numbers on its rows",
                      f"核对对象 {r['subject_id']} 各行的身份证号不一致")
        subject["items"].append({k: v for k, v in r.items() if k not in ("subject_id", "person_ref")})
    payload["results"] = list(results.values())
    return payload


RESPONSE = Table(
    "verification.response", group="报告编号", lines_path="results", fixed={"responding_region": "tj"},
    finish=_by_subject,
    head=(Col("请求编号", "request_id"), Col("报告编号", "report_no"), Col("出具时间", "issued_at", TIME)),
    lines=(Col("对象编号", "subject_id"), Col("身份证号", "person_ref", PERSON),
           Col("核对项目", "item", plain(cat.CHECK_ITEMS)), Col("查询结果", "outcome", plain(OUTCOMES)),
           Col("反馈时间", "feedback_at", TIME), Col("月收入（元）", "summary.monthly_income_fen", FEN, required=False),
           Col("年度金额（元）", "summary.annual_amount_fen", FEN, required=False),
           Col("数量", "summary.count", COUNT, required=False), Col("状态", "summary.status", required=False),
           Col("截至日期", "summary.as_of", DATE, required=False),
           Col("是否超过阈值", "summary.over_threshold", flag, required=False),
           Col("阈值（元）", "summary.threshold_fen", FEN, required=False),
           Col("错误说明", "error", required=False)))
