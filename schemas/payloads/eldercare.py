"""Portable eldercare subsidies 钱随人走 (domain.md §5): enrolment, entitlements, claims and settlement.

Every message carries both the payer place (the elder's home district, 6-digit code) and the
service place (the facility's county code), as cross-province medical settlement does.  Money is
integer fen.  Claim totals and statement totals must add up (reconciliation is first by totals).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator

from schemas import fields as f
from schemas import refdata
from schemas.base import ContractSchema
from schemas.errors import FieldError
from schemas.payloads.common import Facility
from schemas.rules import unique, violation

GRADES = ("able", "mild", "moderate", "severe")  # 能力完好 / 轻度 / 中度 / 重度失能
ADJ_REASONS = ("not_enrolled", "under_15_days", "assessment_expired", "deceased", "duplicate", "rate_mismatch",
               "not_eligible", "late_claim", "other")
DISPUTE_REASONS = ("amount", "missing_line", "rejected_wrongly", "duplicate", "other")


def SubsidyType(**kw):
    return f.Catalogue("subsidy types", "养老补贴类型", refdata.SUBSIDY_TYPES, **kw)


class Assessment(ContractSchema):
    """Capability assessment (失能等级) with its validity."""

    grade = f.Choice(GRADES, required=True)
    assessed_on = f.Date(required=True)
    valid_until = f.Date(required=True)


class Enrolment(ContractSchema):
    """An elder of the payer district living in a facility of another region."""

    enrolment_id = f.Ident(required=True)
    elder_ref = f.PersonRef(required=True)
    birth_month = f.Month(required=True)
    home_district_code = f.DivisionCode(required=True)
    facility = f.Nested(Facility, required=True)
    facility_region = f.Region(required=True)
    admitted_on = f.Date(required=True)
    discharged_on = f.Date(allow_none=True)
    assessment = f.Nested(Assessment, required=True)
    subsidy_types = f.ListOf(SubsidyType(), required=True, min_items=1, max_items=12)


class Rate(ContractSchema):
    subsidy_type = SubsidyType(required=True)
    rate_fen = f.Fen(required=True)
    effective_from = f.Date(required=True)
    effective_to = f.Date(allow_none=True, required=True)


class EntitlementTable(ContractSchema):
    """The payer's effective-dated monthly rates (fen per month)."""

    table_id = f.Ident(required=True)
    payer_code = f.DivisionCode(required=True)
    published_at = f.Timestamp(required=True)
    rates = f.ListOf(f.Nested(Rate), required=True, min_items=1, max_items=500)


class ClaimLine(ContractSchema):
    line_id = f.Ident(required=True)
    elder_ref = f.PersonRef(required=True)
    enrolment_id = f.Ident(required=True)
    subsidy_type = SubsidyType(required=True)
    days_in_care = f.Int(minimum=0, maximum=31, required=True)
    amount_fen = f.Fen(required=True)


class Claim(ContractSchema):
    """A facility's monthly claim against one payer district."""

    claim_id = f.Ident(required=True)
    facility = f.Nested(Facility, required=True)
    facility_region = f.Region(required=True)
    payer_district_code = f.DivisionCode(required=True)
    period = f.Month(required=True)
    lines = f.ListOf(f.Nested(ClaimLine), required=True, min_items=1, max_items=5000)
    line_count = f.Count(required=True)
    total_fen = f.Fen(required=True)


class Decision(ContractSchema):
    line_id = f.Ident(required=True)
    decision = f.Choice(("accepted", "rejected"), required=True)
    accepted_fen = f.Fen(required=True)
    reason_code = f.Choice(ADJ_REASONS)
    note = f.Text(max_length=500)


class Adjudication(ContractSchema):
    """The payer's line-by-line decision on a claim."""

    claim_id = f.Ident(required=True)
    adjudication_id = f.Ident(required=True)
    adjudicated_at = f.Timestamp(required=True)
    lines = f.ListOf(f.Nested(Decision), required=True, min_items=1, max_items=5000)
    accepted_total_fen = f.Fen(required=True)


class StatementClaim(ContractSchema):
    claim_id = f.Ident(required=True)
    line_count = f.Count(required=True)
    claimed_fen = f.Fen(required=True)
    accepted_fen = f.Fen(required=True)


class Statement(ContractSchema):
    """The monthly settlement statement between one payer and one payee region."""

    statement_id = f.Ident(required=True)
    payer_code = f.DivisionCode(required=True)
    payee_region = f.Region(required=True)
    period = f.Month(required=True)
    claims = f.ListOf(f.Nested(StatementClaim), required=True, max_items=10_000)
    claim_count = f.Count(required=True)
    claimed_fen = f.Fen(required=True)
    accepted_fen = f.Fen(required=True)


class Confirmation(ContractSchema):
    statement_id = f.Ident(required=True)
    confirmed_at = f.Timestamp(required=True)
    confirmed_fen = f.Fen(required=True)


class DisputedLine(ContractSchema):
    claim_id = f.Ident(required=True)
    line_id = f.Ident()
    reason_code = f.Choice(DISPUTE_REASONS, required=True)
    expected_fen = f.Fen()
    note = f.Text(max_length=500)


class Dispute(ContractSchema):
    """The payee disputes lines of a statement (conciliation follows)."""

    statement_id = f.Ident(required=True)
    dispute_id = f.Ident(required=True)
    raised_at = f.Timestamp(required=True)
    lines = f.ListOf(f.Nested(DisputedLine), required=True, min_items=1, max_items=5000)
    note = f.Text(max_length=1000)


class Payment(ContractSchema):
    """The payer reports a payment against a statement."""

    payment_id = f.Ident(required=True)
    statement_id = f.Ident(required=True)
    payer_code = f.DivisionCode(required=True)
    paid_at = f.Timestamp(required=True)
    amount_fen = f.Fen(required=True)
    bank_reference = f.Ident(required=True)


# ---------------------------------------------------------------- rules

def _cross_region(payer: str, facility_region: str, path: str) -> Iterator[FieldError]:
    if refdata.region_of(payer) == facility_region:
        yield violation("eldercare.cross_region", path,
                        "Payer and facility are in the same region: not a cross-region case.",
                        "支付地与服务地属同一地区，不属于跨区域养老。")


def _facility_region(facility: dict, region: str) -> Iterator[FieldError]:
    if refdata.region_of(facility["unit_code"]) != region:
        yield violation("eldercare.facility_region", "payload.facility.unit_code",
                        f"Facility unit {facility['unit_code']} is not in region {region}.",
                        f"机构所在地 {facility['unit_code']} 不属于地区 {region}。")


def enrolment_rules(p: dict) -> Iterator[FieldError]:
    yield from _facility_region(p["facility"], p["facility_region"])
    yield from _cross_region(p["home_district_code"], p["facility_region"], "payload.facility_region")
    if p.get("discharged_on") is not None and p["discharged_on"] < p["admitted_on"]:
        yield violation("eldercare.stay_dates", "payload.discharged_on", "Discharged before admitted.", "离院日期早于入院日期。")
    a = p["assessment"]
    if a["valid_until"] < a["assessed_on"]:
        yield violation("eldercare.assessment_validity", "payload.assessment.valid_until",
                        "The assessment expires before it was made.", "能力评估有效期早于评估日期。")


def entitlement_rules(p: dict) -> Iterator[FieldError]:
    by_type: dict[str, list[tuple[int, dict]]] = {}
    for i, r in enumerate(p["rates"]):
        if r["effective_to"] is not None and r["effective_to"] < r["effective_from"]:
            yield violation("eldercare.rate_dates", f"payload.rates[{i}].effective_to",
                            "effective_to is before effective_from.", "失效日期早于生效日期。")
        by_type.setdefault(r["subsidy_type"], []).append((i, r))
    for rates in by_type.values():
        rates.sort(key=lambda x: x[1]["effective_from"])
        for (_, prev), (i, cur) in zip(rates, rates[1:], strict=False):
            if prev["effective_to"] is None or prev["effective_to"] >= cur["effective_from"]:
                yield violation("eldercare.rate_overlap", f"payload.rates[{i}].effective_from",
                                f"Rates of {cur['subsidy_type']} overlap.", f"补贴类型 {cur['subsidy_type']} 的标准期间重叠。")


def claim_rules(p: dict) -> Iterator[FieldError]:
    yield from _facility_region(p["facility"], p["facility_region"])
    yield from _cross_region(p["payer_district_code"], p["facility_region"], "payload.payer_district_code")
    year, month = map(int, p["period"].split("-"))
    days = calendar.monthrange(year, month)[1]
    for i, line in enumerate(p["lines"]):
        if line["days_in_care"] > days:
            yield violation("eldercare.days_in_month", f"payload.lines[{i}].days_in_care",
                            f"{p['period']} has only {days} days.", f"{p['period']} 只有 {days} 天。")
    yield from unique("eldercare.unique_lines", p["lines"], "line_id", "payload.lines")
    if p["line_count"] != len(p["lines"]):
        yield violation("eldercare.claim_total", "payload.line_count",
                        f"line_count is {p['line_count']}, the claim has {len(p['lines'])} lines.",
                        f"明细条数填报为 {p['line_count']}，实有 {len(p['lines'])} 条。")
    total = sum(line["amount_fen"] for line in p["lines"])
    if p["total_fen"] != total:
        yield violation("eldercare.claim_total", "payload.total_fen",
                        f"total_fen is {p['total_fen']}, the lines add up to {total}.",
                        f"申报总额为 {p['total_fen']} 分，明细合计 {total} 分。")


def adjudication_rules(p: dict) -> Iterator[FieldError]:
    yield from unique("eldercare.unique_lines", p["lines"], "line_id", "payload.lines")
    for i, d in enumerate(p["lines"]):
        if d["decision"] == "rejected" and ("reason_code" not in d or d["accepted_fen"] != 0):
            yield violation("eldercare.rejection_reason", f"payload.lines[{i}].reason_code",
                            "A rejected line needs a reason code and accepts 0 fen.", "拒付明细须注明原因代码，且核准金额为 0。")
    total = sum(d["accepted_fen"] for d in p["lines"])
    if p["accepted_total_fen"] != total:
        yield violation("eldercare.adjudication_total", "payload.accepted_total_fen",
                        f"accepted_total_fen is {p['accepted_total_fen']}, the lines add up to {total}.",
                        f"核准总额为 {p['accepted_total_fen']} 分，明细合计 {total} 分。")


def statement_rules(p: dict) -> Iterator[FieldError]:
    yield from unique("eldercare.unique_claims", p["claims"], "claim_id", "payload.claims")
    for key in ("claimed_fen", "accepted_fen"):
        total = sum(c[key] for c in p["claims"])
        if p[key] != total:
            yield violation("eldercare.statement_total", f"payload.{key}", f"{key} is {p[key]}, the claims add up to {total}.",
                            f"结算单{key}为 {p[key]} 分，各申报合计 {total} 分。")
    if p["claim_count"] != len(p["claims"]):
        yield violation("eldercare.statement_total", "payload.claim_count",
                        f"claim_count is {p['claim_count']}, the statement lists {len(p['claims'])}.",
                        f"申报笔数填报为 {p['claim_count']}，实列 {len(p['claims'])} 笔。")
    for i, c in enumerate(p["claims"]):
        if c["accepted_fen"] > c["claimed_fen"]:
            yield violation("eldercare.accepted_le_claimed", f"payload.claims[{i}].accepted_fen",
                            "More accepted than claimed.", "核准金额大于申报金额。")
