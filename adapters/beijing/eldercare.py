"""Beijing as the elder's home district: 异地养老登记 (enrolments) and 补贴标准 (entitlement tables), money in 元."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.beijing.mapping import DISTRICT
from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import RowError
from adapters.core.mapping import as_list, as_object, collect, get, label, native_date, native_time, text_field
from adapters.core.spec import Canonical, MapContext
from schemas.person import normalise_id_number

#: Facilities outside Beijing are named by their GB/T 2260 county code (the other region's own code).
FACILITY_REGION = cat.REGIONS


def enrolment(doc: Mapping, ctx: MapContext) -> Canonical:
    """异地养老登记 → eldercare.enrolment (身份证号 → elder_ref and birth month; the name never leaves)."""
    doc = as_object(doc, "$")
    fac = doc.get("入住机构") if isinstance(doc.get("入住机构"), Mapping) else {}
    ass = doc.get("能力评估") if isinstance(doc.get("能力评估"), Mapping) else {}
    id_field = label("身份证号", "elder_ref")
    elder_ref, home, region, grade = collect(
        lambda: ctx.persons.ref(get(doc, "身份证号", "elder_ref"), id_field),
        lambda: DISTRICT(get(doc, "户籍区", "home_district_code"), label("户籍区", "home_district_code")),
        lambda: FACILITY_REGION(get(doc, "机构所在省市", "facility_region"), label("机构所在省市", "facility_region")),
        lambda: cat.GRADES(get(ass, "等级", "assessment.grade"), label("能力评估.等级", "assessment.grade")))
    types = []
    problems = []
    try:
        names = as_list(doc.get("补贴项目"), label("补贴项目", "subsidy_types"))
    except RowError as exc:
        problems.extend(exc.problems)
        names = []
    for i, name in enumerate(names):
        try:
            types.append(cat.SUBSIDY_TYPES(name, label(f"补贴项目[{i}]", "subsidy_types")))
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    id_number = normalise_id_number(str(doc["身份证号"]))
    discharged = doc.get("离院日期")
    return Canonical("eldercare.enrolment", {
        "enrolment_id": text_field(doc, "登记编号", "enrolment_id"),
        "elder_ref": elder_ref,
        "birth_month": f"{id_number[6:10]}-{id_number[10:12]}",
        "home_district_code": home,
        "facility": {"facility_id": text_field(fac, "机构编号", "facility.facility_id"),
                     "name": text_field(fac, "机构名称", "facility.name"),
                     "unit_code": text_field(fac, "所在地代码", "facility.unit_code")},
        "facility_region": region,
        "admitted_on": native_date(get(doc, "入住日期", "admitted_on"), label("入住日期", "admitted_on")),
        "discharged_on": native_date(discharged, label("离院日期", "discharged_on")) if discharged else None,
        "assessment": {"grade": grade,
                       "assessed_on": native_date(get(ass, "评估日期"), label("能力评估.评估日期", "assessed_on")),
                       "valid_until": native_date(get(ass, "有效期至"), label("能力评估.有效期至", "valid_until"))},
        "subsidy_types": types,
    })


def entitlement_table(doc: Mapping, ctx: MapContext) -> Canonical:
    """补贴标准表 (月标准 in 元) → eldercare.entitlement_table (rates in 分, effective-dated)."""
    doc = as_object(doc, "$")
    rates, problems = [], []
    for i, r in enumerate(as_list(doc.get("标准"), label("标准", "rates"))):
        w = f"标准[{i}]"
        try:
            r = as_object(r, w)
            code, fen, start = collect(
                lambda r=r, w=w: cat.SUBSIDY_TYPES(get(r, "补贴项目"), f"{w}.补贴项目 (subsidy_type)"),
                lambda r=r, w=w: u.yuan_to_fen(get(r, "月标准（元）"), f"{w}.月标准（元） (rate_fen)"),
                lambda r=r, w=w: native_date(get(r, "生效日期"), f"{w}.生效日期 (effective_from)"))
            end = r.get("失效日期")
            rates.append({"subsidy_type": code, "rate_fen": fen, "effective_from": start,
                          "effective_to": native_date(end, f"{w}.失效日期 (effective_to)") if end else None})
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    return Canonical("eldercare.entitlement_table", {
        "table_id": text_field(doc, "标准表编号", "table_id"),
        "payer_code": DISTRICT(get(doc, "发布单位", "payer_code"), label("发布单位", "payer_code")),
        "published_at": native_time(get(doc, "发布时间", "published_at"), label("发布时间", "published_at")),
        "rates": rates})
