"""Household economic-status verification (domain.md §3): request and per-subject, per-item response.

Subjects travel as person_refs with masked names; every subject carries a reference to its signed
authorisation ("no authorisation, no query").  Banks answer deposits only as a flag against a
threshold, never a balance (rule ``verification.deposit_flag_only``).
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import fields as f
from schemas.base import ContractSchema
from schemas.errors import FieldError
from schemas.rules import unique, violation

ASSISTANCE_TYPES = ("dibao", "low_income", "extreme_poverty", "temporary_assistance", "medical_assistance",
                    "education_assistance", "housing_security", "eldercare_subsidy", "other")
ITEMS = ("household_registration", "marriage", "death_funeral", "social_insurance", "housing_fund", "real_estate",
         "vehicles", "business", "individual_income_tax", "securities", "deposits")
OUTCOMES = ("hit", "no_hit", "error", "not_authorised", "not_supported")
RELATIONS = ("applicant", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other")


class Department(ContractSchema):
    unit_code = f.DivisionCode(required=True)
    name = f.Text(max_length=100, required=True)


class Authorisation(ContractSchema):
    """Reference to the subject's signed authorisation (the document stays with the requester)."""

    document_id = f.Ident(required=True)
    signed_on = f.Date(required=True)


class Subject(ContractSchema):
    subject_id = f.Ident(required=True)
    person_ref = f.PersonRef(required=True)
    masked_name = f.MaskedName(required=True)
    id_type = f.Choice(("resident_id", "other"), required=True)
    relation = f.Choice(RELATIONS, required=True)
    authorisation = f.Nested(Authorisation, required=True)


class Period(ContractSchema):
    from_month = f.Month(required=True)
    to_month = f.Month(required=True)


class VerificationRequest(ContractSchema):
    """A request to check subjects' items in the target regions."""

    request_id = f.Ident(required=True)
    requesting_department = f.Nested(Department, required=True)
    target_regions = f.ListOf(f.Region(), required=True, min_items=1, max_items=2)
    assistance_type = f.Choice(ASSISTANCE_TYPES, required=True)
    purpose = f.Text(max_length=500, required=True)
    subjects = f.ListOf(f.Nested(Subject), required=True, min_items=1, max_items=30)
    items = f.ListOf(f.Choice(ITEMS), required=True, min_items=1, max_items=len(ITEMS))
    income_period = f.Nested(Period, required=True)
    asset_date = f.Date(required=True)
    response_deadline = f.Timestamp(required=True)


class Summary(ContractSchema):
    """Summary values of a hit: money in fen, counts, a status text; deposits only as a threshold flag."""

    monthly_income_fen = f.Fen()
    annual_amount_fen = f.Fen()
    count = f.Count()
    status = f.Text(max_length=100)
    as_of = f.Date()
    over_threshold = f.Bool()
    threshold_fen = f.Fen()


class ItemResult(ContractSchema):
    item = f.Choice(ITEMS, required=True)
    outcome = f.Choice(OUTCOMES, required=True)
    feedback_at = f.Timestamp(required=True)
    summary = f.Nested(Summary)
    error = f.Text(max_length=500)


class SubjectResult(ContractSchema):
    subject_id = f.Ident(required=True)
    person_ref = f.PersonRef(required=True)
    items = f.ListOf(f.Nested(ItemResult), required=True, min_items=1, max_items=len(ITEMS))


class VerificationResponse(ContractSchema):
    """A region's answer: report number, issue time, per subject per item outcomes."""

    request_id = f.Ident(required=True)
    responding_region = f.Region(required=True)
    report_no = f.Ident(required=True)
    issued_at = f.Timestamp(required=True)
    results = f.ListOf(f.Nested(SubjectResult), required=True, min_items=1, max_items=30)


def request_rules(payload: dict) -> Iterator[FieldError]:
    period = payload["income_period"]
    if period["from_month"] > period["to_month"]:
        yield violation("verification.income_period", "payload.income_period.to_month",
                        "The income period ends before it starts.", "收入核对期间的结束月份早于开始月份。")
    applicants = [i for i, s in enumerate(payload["subjects"]) if s["relation"] == "applicant"]
    if len(applicants) != 1:
        yield violation("verification.one_applicant", "payload.subjects",
                        f"Exactly one subject must be the applicant, found {len(applicants)}.",
                        f"核对对象中应有且仅有一名申请人，实有 {len(applicants)} 名。")
    yield from unique("verification.unique_subjects", payload["subjects"], "subject_id", "payload.subjects")
    yield from unique("verification.unique_items", [{"i": i} for i in payload["items"]], "i", "payload.items")


def response_rules(payload: dict) -> Iterator[FieldError]:
    yield from unique("verification.unique_subjects", payload["results"], "subject_id", "payload.results")
    for i, res in enumerate(payload["results"]):
        for j, item in enumerate(res["items"]):
            path = f"payload.results[{i}].items[{j}]"
            summary = item.get("summary")
            if summary is not None and item["outcome"] != "hit":
                yield violation("verification.summary_on_hit", f"{path}.summary",
                                "Only a hit carries summary values.", "只有查询命中时才能附带汇总值。")
            if item["outcome"] == "error" and "error" not in item:
                yield violation("verification.error_text", f"{path}.error",
                                "An error outcome needs the error text.", "查询出错时须说明错误原因。")
            if item["item"] == "deposits" and summary is not None and (
                    set(summary) - {"over_threshold", "threshold_fen", "as_of"} or "over_threshold" not in summary):
                yield violation("verification.deposit_flag_only", f"{path}.summary",
                                "Deposits are answered only as over_threshold with threshold_fen, never balances.",
                                "存款只能以是否超过阈值（over_threshold、threshold_fen）回复，不得提供余额。")
