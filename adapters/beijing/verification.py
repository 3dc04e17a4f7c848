"""Beijing's 经济状况核对请求 (requests for Tianjin/Hebei records about Beijing applicants) → verification.request."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.beijing.codes import COUNT, DATE, FLAG, TIME, YUAN, choice, person, region_of_adapter
from adapters.beijing.fieldmap import Const, DocMap, F, Obj, Rows, plain
from adapters.beijing.mapping import DISTRICT
from adapters.core import catalogues as cat
from adapters.core.errors import RowError
from adapters.core.mapping import (
    as_list,
    as_object,
    collect,
    get,
    label,
    native_date,
    native_month,
    native_time,
    text_field,
)
from adapters.core.spec import Canonical, MapContext


def _subject(s: Mapping, i: int, ctx: MapContext) -> dict:
    w = f"核对对象[{i}]"
    ref, masked, id_type, relation, signed = collect(
        lambda: ctx.persons.ref(get(s, "证件号码"), f"{w}.证件号码 (person_ref)"),
        lambda: ctx.persons.masked(get(s, "姓名"), f"{w}.姓名 (masked_name)"),
        lambda: cat.ID_TYPES(s.get("证件类型", "居民身份证"), f"{w}.证件类型 (id_type)"),
        lambda: cat.RELATIONS(get(s, "与申请人关系"), f"{w}.与申请人关系 (relation)"),
        lambda: native_date(get(s, "授权日期"), f"{w}.授权日期 (authorisation.signed_on)"))
    return {"subject_id": str(get(s, "对象编号")), "person_ref": ref, "masked_name": masked, "id_type": id_type,
            "relation": relation, "authorisation": {"document_id": str(get(s, "授权书编号")), "signed_on": signed}}


def verification_request(doc: Mapping, ctx: MapContext) -> Canonical:
    """核对请求 → verification.request: subjects as person_refs and masked names, each with its authorisation."""
    doc = as_object(doc, "$")
    dept = doc.get("申请部门") if isinstance(doc.get("申请部门"), Mapping) else {}
    subjects, problems = [], []
    lists = {}
    for key, canonical in (("核对对象", "subjects"), ("核对项目", "items"), ("核对地区", "target_regions")):
        try:
            lists[key] = as_list(doc.get(key), label(key, canonical))
        except RowError as exc:
            problems.extend(exc.problems)
            lists[key] = []
    for i, s in enumerate(lists["核对对象"]):
        try:
            subjects.append(_subject(as_object(s, f"核对对象[{i}]"), i, ctx))
        except RowError as exc:
            problems.extend(exc.problems)
    items, targets = [], []
    for i, name in enumerate(lists["核对项目"]):
        try:
            items.append(cat.CHECK_ITEMS(name, label(f"核对项目[{i}]", "items")))
        except RowError as exc:
            problems.extend(exc.problems)
    for i, name in enumerate(lists["核对地区"]):
        try:
            targets.append(cat.REGIONS(name, label(f"核对地区[{i}]", "target_regions")))
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    period = doc.get("收入期间") if isinstance(doc.get("收入期间"), Mapping) else {}
    return Canonical("verification.request", {
        "request_id": text_field(doc, "请求编号", "request_id"),
        "requesting_department": {"unit_code": DISTRICT(get(dept, "区划"), label("申请部门.区划", "unit_code")),
                                  "name": text_field(dept, "名称", "requesting_department.name")},
        "target_regions": targets,
        "assistance_type": cat.ASSISTANCE(get(doc, "救助类型"), label("救助类型", "assistance_type")),
        "purpose": text_field(doc, "用途", "purpose"),
        "subjects": subjects, "items": items,
        "income_period": {"from_month": native_month(get(period, "起"), label("收入期间.起", "from_month")),
                          "to_month": native_month(get(period, "止"), label("收入期间.止", "to_month"))},
        "asset_date": native_date(get(doc, "资产基准日"), label("资产基准日", "asset_date")),
        "response_deadline": native_time(get(doc, "答复期限"), label("答复期限", "response_deadline")),
    }, correlation_id=text_field(doc, "请求编号"))


# ---------------------------------------------------------------- 核对结果: Beijing answers another region's request

OUTCOMES = choice("verification outcome", "核对结论", {
    "查得": "hit", "有记录": "hit", "未查得": "no_hit", "无记录": "no_hit", "查询出错": "error",
    "未授权": "not_authorised", "不支持": "not_supported", "不支持该项目": "not_supported"})
#: 摘要: money in 元; deposits only as 是否超过阈值 against 阈值（元）, never a balance
SUMMARY = (F("月收入（元）", "monthly_income_fen", YUAN, required=False),
           F("年度金额（元）", "annual_amount_fen", YUAN, required=False),
           F("数量", "count", COUNT, required=False),
           F("状态", "status", required=False), F("截至日期", "as_of", DATE, required=False),
           F("是否超过阈值", "over_threshold", FLAG, required=False),
           F("阈值（元）", "threshold_fen", YUAN, required=False))

VERIFICATION_RESPONSE = DocMap("verification.response", (
    F("请求编号", "request_id"), Const("responding_region", region_of_adapter), F("报告编号", "report_no"),
    F("出具时间", "issued_at", TIME),
    Rows("核对结果", "results", (
        F("对象编号", "subject_id"), F("证件号码", "person_ref", person),
        Rows("项目结果", "items", (
            F("核对项目", "item", plain(cat.CHECK_ITEMS)), F("结论", "outcome", OUTCOMES),
            F("反馈时间", "feedback_at", TIME), Obj("摘要", "summary", SUMMARY, required=False),
            F("错误说明", "error", required=False))))),
), correlation="request_id")
