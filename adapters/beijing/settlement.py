"""Beijing's eldercare money documents: 月度补贴申报 of Beijing facilities (elders of Tianjin/Hebei districts) and,
against the hub's statements, 结算确认 / 结算异议 (Beijing as payee) and 补贴支付 (Beijing as payer); money in 元."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.beijing.codes import BJ_DISTRICT, COUNT, DIVISION, MONTH, SUBSIDY, TIME, YUAN, choice, person
from adapters.beijing.fieldmap import Const, DocMap, F, Obj, Rows
from adapters.core.errors import Problem
from adapters.core.spec import MapContext


def _claim_totals(payload: dict, doc: Mapping, ctx: MapContext, problems: list[Problem]) -> None:
    # the platform may state 明细条数 / 申报总额（元）; when it does the contract checks them against the lines
    payload.setdefault("line_count", len(payload["lines"]))
    payload.setdefault("total_fen", sum(ln["amount_fen"] for ln in payload["lines"]))


#: 月度补贴申报: a Beijing facility claims a month of subsidies from the elders' home districts (老人姓名 stays here)
CLAIM = DocMap("eldercare.claim", (
    F("申报单号", "claim_id"),
    Obj("申报机构", "facility", (F("机构编号", "facility_id"), F("机构名称", "name"), F("所在区", "unit_code", BJ_DISTRICT))),
    Const("facility_region", "bj"), F("支付地区划代码", "payer_district_code", DIVISION), F("申报月份", "period", MONTH),
    Rows("明细", "lines", (
        F("明细编号", "line_id"), F("身份证号", "elder_ref", person), F("登记编号", "enrolment_id"),
        F("补贴项目", "subsidy_type", SUBSIDY), F("在院天数", "days_in_care", COUNT),
        F("申报金额（元）", "amount_fen", YUAN))),
    F("明细条数", "line_count", COUNT, required=False), F("申报总额（元）", "total_fen", YUAN, required=False),
), answers=None, finish=_claim_totals)

#: 结算确认: Beijing (payee) confirms a statement the hub issued
CONFIRMATION = DocMap("eldercare.confirmation", (
    F("结算单编号", "statement_id"), F("确认时间", "confirmed_at", TIME), F("确认金额（元）", "confirmed_fen", YUAN),
))

DISPUTE_REASONS = choice("dispute reason", "异议原因", {
    "金额有误": "amount", "漏列明细": "missing_line", "错误拒付": "rejected_wrongly", "重复": "duplicate",
    "其他": "other"})

#: 结算异议: Beijing (payee) disputes lines of a statement
DISPUTE = DocMap("eldercare.dispute", (
    F("结算单编号", "statement_id"), F("异议编号", "dispute_id"), F("提出时间", "raised_at", TIME),
    Rows("异议明细", "lines", (
        F("申报单号", "claim_id"), F("明细编号", "line_id", required=False),
        F("异议原因", "reason_code", DISPUTE_REASONS), F("应付金额（元）", "expected_fen", YUAN, required=False),
        F("说明", "note", required=False))),
    F("说明", "note", required=False),
))

#: 补贴支付: Beijing (payer district) reports a payment against a statement
PAYMENT = DocMap("eldercare.payment", (
    F("支付编号", "payment_id"), F("结算单编号", "statement_id"), F("付款单位", "payer_code", BJ_DISTRICT),
    F("支付时间", "paid_at", TIME), F("支付金额（元）", "amount_fen", YUAN), F("银行流水号", "bank_reference"),
))
