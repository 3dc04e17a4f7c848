"""Portable eldercare subsidies (钱随人走): twelve Beijing elders in Hebei and Tianjin facilities, June–August 2026.

Built in: a <15-day month (E09 admitted 2026-06-20), an expired capability assessment (E06, valid to
2026-06-30), and a duplicate (E10 claimed for August by two facilities: 燕郊 never recorded the discharge).
Beijing (the payer) publishes rates, enrols the elders and sends monthly statements per home district and payee
region; the payee regions confirm or dispute; Beijing pays. ``LINES`` records each claim line with the outcome the
rules must give it: the expected statement totals are computed from it.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from jjj.demo.people import Person, PersonFactory
from jjj.demo.timeline import Step, at, day_of, ts
from schemas import refdata

FACILITIES = {
    "HE-F-YJ01": ("he", "燕郊福泰康养中心", "131082"),
    "HE-F-YJ02": ("he", "燕郊颐和养老院", "131082"),
    "HE-F-ZZ01": ("he", "涿州松林养护院", "130681"),
    "HE-F-GBD01": ("he", "高碑店康宁护养院", "130684"),
    "HE-F-XH01": ("he", "香河运河颐养中心", "131024"),
    "TJ-F-WQ01": ("tj", "武清瑞景老年公寓", "120114"),
}
PERIODS = ("2026-06", "2026-07", "2026-08")


@dataclass(frozen=True)
class Elder:
    no: str
    district: str
    grade: str
    facility: str
    admitted: date
    valid_until: date = date(2027, 12, 31)


ELDERS = (
    Elder("E01", "110102", "able", "HE-F-YJ01", date(2025, 3, 12)),
    Elder("E02", "110102", "moderate", "HE-F-YJ01", date(2024, 11, 5)),
    Elder("E03", "110105", "severe", "HE-F-YJ02", date(2025, 6, 18)),
    Elder("E04", "110105", "able", "HE-F-ZZ01", date(2025, 9, 1)),
    Elder("E05", "110105", "mild", "HE-F-GBD01", date(2024, 4, 23)),
    Elder("E06", "110108", "moderate", "HE-F-XH01", date(2025, 1, 8), valid_until=date(2026, 6, 30)),
    Elder("E07", "110108", "able", "TJ-F-WQ01", date(2025, 5, 20)),
    Elder("E08", "110102", "severe", "TJ-F-WQ01", date(2024, 8, 2)),
    Elder("E09", "110105", "moderate", "TJ-F-WQ01", date(2026, 6, 20)),
    Elder("E10", "110105", "mild", "HE-F-YJ02", date(2025, 10, 9)),
)
#: E10's second enrolment: admitted to 涿州 on 2026-08-01 while 燕郊's record still shows her in care
SECOND_ENROLMENT = ("E10", "HE-F-ZZ01", date(2026, 8, 1))


def subsidy_types(e: Elder) -> list[str]:
    types = ["bed_operation_able" if e.grade == "able" else "bed_operation_disabled"]
    if e.grade != "able":
        types.append(f"care_{e.grade}")
    if e.district == "110102":
        types.append("district_topup_xicheng")
    return types


def rate(subsidy_type: str) -> int:
    return refdata.SUBSIDY_TYPES[subsidy_type].rate_on("2026-06-01")


@dataclass(frozen=True)
class Line:
    """One claim line and the outcome the rules must give it (``None`` = accepted at the full rate)."""

    claim_id: str
    line_id: str
    elder: str
    facility: str
    district: str
    period: str
    subsidy_type: str
    days: int
    amount_fen: int
    rejected_for: str | None


def _days(e: Elder, period: str, facility: str) -> int:
    y, m = map(int, period.split("-"))
    last = calendar.monthrange(y, m)[1]
    start = e.admitted if facility == e.facility else SECOND_ENROLMENT[2]
    if start > date(y, m, last):
        return 0
    return last - max(start, date(y, m, 1)).day + 1 if start.year == y and start.month == m else last


def lines() -> list[Line]:
    """Every claim line of the three months, in claim order."""
    out = []
    for period in PERIODS:
        stays = [(e, e.facility) for e in ELDERS]
        if period == "2026-08":
            stays.append((next(e for e in ELDERS if e.no == SECOND_ENROLMENT[0]), SECOND_ENROLMENT[1]))
        for e, facility in stays:
            days = _days(e, period, facility)
            if days == 0:
                continue
            claim_id = f"{facility}-{e.district}-{period}"
            reason = None
            if days < 15:
                reason = "under_15_days"
            elif period > e.valid_until.strftime("%Y-%m"):
                reason = "assessment_expired"
            elif e.no == SECOND_ENROLMENT[0] and period == "2026-08":
                reason = "duplicate"
            for i, st in enumerate(subsidy_types(e), 1):
                out.append(Line(claim_id, f"{claim_id}-{e.no}-L{i}", e.no, facility, e.district, period, st, days,
                                rate(st), reason))
    return out


def _facility(fid: str) -> dict:
    _, name, code = FACILITIES[fid]
    return {"facility_id": fid, "name": name, "unit_code": code}


def _claim_day(period: str) -> int:
    y, m = map(int, period.split("-"))
    return day_of(date(y + (m == 12), m % 12 + 1, 5))


def statement_groups() -> dict[tuple[str, str, str, str, str], list[Line]]:
    """(period, home district, payee region, facility, subsidy type) → its lines: one hub statement each
    (hub.domain.settlement: a statement covers one payer district, one payee facility and one subsidy type).
    Only periods with at least one accepted line get a statement."""
    groups: dict[tuple[str, str, str, str, str], list[Line]] = {}
    for ln in lines():
        groups.setdefault((ln.period, ln.district, FACILITIES[ln.facility][0], ln.facility, ln.subsidy_type),
                          []).append(ln)
    return {k: v for k, v in groups.items() if any(x.rejected_for is None for x in v)}


def statement_id(period: str, district: str, region: str, facility: str, subsidy_type: str) -> str:
    """The hub's statement id (``hub.services.settlement.statement_id``), derivable by payer and payee alike."""
    digest = hashlib.sha256(f"{facility}|{subsidy_type}".encode()).hexdigest()[:12]
    return f"ST-{period.replace('-', '')}-{district}-{region}-{digest}"


#: 燕郊颐和's August bed-operation statement (朝阳区) is disputed: the facility says E10's line, rejected as a duplicate,
#: belongs on it because E10 was still in its care (涿州's enrolment was entered early)
DISPUTED = ("2026-08", "110105", "he", "HE-F-YJ02", "bed_operation_disabled")


def steps(persons: PersonFactory, ref: Callable[[str], dict]) -> list[Step]:
    people: dict[str, Person] = {e.no: persons.person(e.district, date(1928, 1, 1), date(1946, 12, 31))
                                 for e in ELDERS}
    out = [Step("eldercare/rates/BJ-RT-2026-01", at(-42, 10), "bj", "eldercare.entitlement_table", {
        "table_id": "BJ-RT-2026-01", "payer_code": "110000", "published_at": ts(-42, 10),
        "rates": [{"subsidy_type": st.code, "rate_fen": rate(st.code), "effective_from": "2019-10-01",
                   "effective_to": None} for st in refdata.SUBSIDY_TYPES.values() if st.payer == "110000"]},
        "北京 发布补贴标准"),
        Step("eldercare/rates/XC-RT-2026-01", at(-42, 11), "bj", "eldercare.entitlement_table", {
            "table_id": "XC-RT-2026-01", "payer_code": "110102", "published_at": ts(-42, 11),
            "rates": [{"subsidy_type": "district_topup_xicheng", "rate_fen": rate("district_topup_xicheng"),
                       "effective_from": "2019-10-01", "effective_to": None}]}, "西城区 发布异地养老补贴标准")]
    stays = [(e, e.facility, e.admitted, -40) for e in ELDERS]
    e10 = next(e for e in ELDERS if e.no == SECOND_ENROLMENT[0])
    stays.append((e10, SECOND_ENROLMENT[1], SECOND_ENROLMENT[2], 4))
    for e, fid, admitted, day in stays:
        eid = f"EN-{e.district}-{e.no}-{fid}"
        out.append(Step(f"eldercare/enrolment/{eid}", at(max(day, day_of(admitted) + 2), 9), "bj", "eldercare.enrolment", {
            "enrolment_id": eid, "elder_ref": ref(people[e.no].id_number), "birth_month": people[e.no].birth_month,
            "home_district_code": e.district, "facility": _facility(fid), "facility_region": FACILITIES[fid][0],
            "admitted_on": admitted.isoformat(), "discharged_on": None,
            "assessment": {"grade": e.grade, "assessed_on": date(e.valid_until.year - 2, e.valid_until.month, 1).isoformat()
                           if e.valid_until.year < 2027 else "2025-12-10", "valid_until": e.valid_until.isoformat()},
            "subsidy_types": subsidy_types(e)}, f"北京 登记异地养老 {e.no} @ {FACILITIES[fid][1]}"))
    claims: dict[str, list[Line]] = {}
    for ln in lines():
        claims.setdefault(ln.claim_id, []).append(ln)
    for i, (cid, cl) in enumerate(claims.items()):
        first = cl[0]
        region = FACILITIES[first.facility][0]
        out.append(Step(f"eldercare/claim/{cid}", at(_claim_day(first.period), 9 + i * 0.1), region, "eldercare.claim", {
            "claim_id": cid, "facility": _facility(first.facility), "facility_region": region,
            "payer_district_code": first.district, "period": first.period,
            "lines": [{"line_id": ln.line_id, "elder_ref": ref(people[ln.elder].id_number),
                       "enrolment_id": f"EN-{ln.district}-{ln.elder}-{ln.facility}", "subsidy_type": ln.subsidy_type,
                       "days_in_care": ln.days, "amount_fen": ln.amount_fen} for ln in cl],
            "line_count": len(cl), "total_fen": sum(ln.amount_fen for ln in cl)},
            f"{FACILITIES[first.facility][1]} 申报 {first.period}"))
    out += settlement_steps()
    return out


def settlement_steps() -> list[Step]:
    """Per period: the hub issues statements (``demo.statement_run``: what the scheduler does on statement day),
    payee regions confirm (one disputes), Beijing pays the accepted amount."""
    out = []
    for period in PERIODS:
        base = _claim_day(period)
        out.append(Step(f"eldercare/statement-run/{period}", at(base + 10, 10), "bj", "demo.statement_run",
                        {"period": period}, f"交换平台 生成 {period} 结算单"))
    for key, group in statement_groups().items():
        period, district, region, facility, st = key
        sid = statement_id(*key)
        base = _claim_day(period)
        accepted = sum(x.amount_fen for x in group if x.rejected_for is None)
        run = (f"eldercare/statement-run/{period}",)
        if key == DISPUTED:
            dup = next(x for x in lines() if x.rejected_for == "duplicate" and x.facility == facility
                       and x.subsidy_type == st)
            out.append(Step(f"eldercare/dispute/{sid}", at(base + 13, 15), region, "eldercare.dispute", {
                "statement_id": sid, "dispute_id": f"DP-{sid[3:]}", "raised_at": ts(base + 13, 15),
                # claim-level: the rejected line is not on the statement, its claim is (via E03's accepted line)
                "lines": [{"claim_id": dup.claim_id, "reason_code": "rejected_wrongly",
                           "expected_fen": sum(x.amount_fen for x in lines() if x.claim_id == dup.claim_id), "note": f"{dup.elder} 8月仍在本机构入住，被认定重复申报有误（涿州机构入住登记提前）。"}],
                "note": "请求复核重复申报认定"}, f"{region} 对结算单 {sid} 提出异议", refers_to=run))
        else:
            out.append(Step(f"eldercare/confirmation/{sid}", at(base + 13, 10), region, "eldercare.confirmation", {
                "statement_id": sid, "confirmed_at": ts(base + 13, 10), "confirmed_fen": accepted},
                f"{region} 确认结算单 {FACILITIES[facility][1]} {st} {period}", refers_to=run))
        out.append(Step(f"eldercare/payment/{sid}", at(base + 20, 14), "bj", "eldercare.payment", {
            "payment_id": f"PAY-{sid[3:]}", "statement_id": sid, "payer_code": district, "paid_at": ts(base + 20, 14),
            "amount_fen": accepted, "bank_reference": f"BJCZ{sid[3:9]}{district}{sid[-6:].upper()}"},
            f"北京 {district} 支付 {FACILITIES[facility][1]} {st} {period}", refers_to=run))
    return out
