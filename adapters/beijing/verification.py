"""Beijing's 经济状况核对请求 (requests for Tianjin/Hebei records about Beijing applicants) → verification.request."""

from __future__ import annotations

from collections.abc import Mapping

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
