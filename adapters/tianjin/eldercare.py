"""Tianjin's 钱随人走 exports besides claims: as payer (登记 of Tianjin elders in Beijing/Hebei facilities, 补贴标准,
补贴支付) and as payee (结算确认, 结算异议 of the hub's monthly statements).  Money 元 → 分 exactly."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core import catalogues as cat
from adapters.core.errors import bad
from adapters.core.mapping import CodeMap, label
from adapters.core.spec import MapContext
from adapters.tianjin.columns import DATE, FEN, PERSON, TIME, Col, Table, listof, plain
from adapters.tianjin.places import DISTRICT, PLACE, TJ_UNIT
from schemas import refdata
from schemas.person import InvalidIdNumber, normalise_id_number

DISPUTE_REASONS = CodeMap("dispute reason", "异议原因", {"金额不符": "amount", "漏列明细": "missing_line",
                                                        "错误拒付": "rejected_wrongly", "拒付有误": "rejected_wrongly",
                                                        "重复": "duplicate", "重复结算": "duplicate", "其他": "other"})


def _enrolment(payload: dict, row: Mapping, ctx: MapContext) -> dict:
    """Birth month from the ID number (the number itself goes no further); the facility's region from its code."""
    try:
        n = normalise_id_number(str(row.get("身份证号")))
    except InvalidIdNumber as exc:  # already refused by the person_ref column; kept for a direct caller
        raise bad(label("身份证号", "birth_month"), exc.reason, exc.reason_zh) from None
    region = refdata.region_of(payload["facility"]["unit_code"])
    if region is None:
        raise bad(label("机构所在地", "facility_region"), "the facility is not in Beijing, Tianjin or Hebei",
                  "机构不在京津冀")
    return {**payload, "birth_month": f"{n[6:10]}-{n[10:12]}", "facility_region": region}


ENROLMENT = Table(
    "eldercare.enrolment", finish=_enrolment,
    head=(Col("登记编号", "enrolment_id"), Col("身份证号", "elder_ref", PERSON),
          Col("户籍区", "home_district_code", plain(DISTRICT)), Col("机构编号", "facility.facility_id"),
          Col("机构名称", "facility.name"), Col("机构所在地", "facility.unit_code", plain(PLACE)),
          Col("入住日期", "admitted_on", DATE), Col("离院日期", "discharged_on", DATE, required=False),
          Col("能力等级", "assessment.grade", plain(cat.GRADES)), Col("评估日期", "assessment.assessed_on", DATE),
          Col("评估有效期至", "assessment.valid_until", DATE),
          Col("补贴项目", "subsidy_types", listof(cat.SUBSIDY_TYPES))))


def _open_ended(payload: dict, row: Mapping, ctx: MapContext) -> dict:
    for rate in payload["rates"]:
        rate.setdefault("effective_to", None)  # a blank 失效日期 is a rate still in force (explicit null)
    return payload


ENTITLEMENT = Table(
    "eldercare.entitlement_table", group="标准表编号", lines_path="rates", finish=_open_ended,
    head=(Col("标准表编号", "table_id"), Col("发布单位", "payer_code", plain(TJ_UNIT)),
          Col("发布时间", "published_at", TIME)),
    lines=(Col("补贴项目", "subsidy_type", plain(cat.SUBSIDY_TYPES)), Col("月标准（元）", "rate_fen", FEN),
           Col("生效日期", "effective_from", DATE), Col("失效日期", "effective_to", DATE, required=False)))

CONFIRMATION = Table(
    "eldercare.confirmation",
    head=(Col("结算单号", "statement_id"), Col("确认时间", "confirmed_at", TIME),
          Col("确认金额（元）", "confirmed_fen", FEN)))

DISPUTE = Table(
    "eldercare.dispute", group="异议编号",
    head=(Col("结算单号", "statement_id"), Col("异议编号", "dispute_id"), Col("提出时间", "raised_at", TIME),
          Col("异议说明", "note", required=False)),
    lines=(Col("申报单号", "claim_id"), Col("明细编号", "line_id", required=False),
           Col("异议原因", "reason_code", plain(DISPUTE_REASONS)),
           Col("应付金额（元）", "expected_fen", FEN, required=False), Col("明细说明", "note", required=False)))

PAYMENT = Table(
    "eldercare.payment",
    head=(Col("支付编号", "payment_id"), Col("结算单号", "statement_id"), Col("付款单位", "payer_code", plain(TJ_UNIT)),
          Col("支付时间", "paid_at", TIME), Col("支付金额（元）", "amount_fen", FEN), Col("银行流水号", "bank_reference")))
