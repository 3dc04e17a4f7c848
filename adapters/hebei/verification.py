"""Hebei's 居民家庭经济状况核对 XML: the request it sends (subjects by ID number and name, made pseudonymous at the
edge) and its answer to another region's request (per subject, per item; deposits only as a threshold flag)."""

from __future__ import annotations

from adapters.core import catalogues as cat
from adapters.hebei import convert as c
from adapters.hebei.xmlmap import Const, Doc, F, Many, Obj, wrap

SUBJECT = (F("@no", "subject_id", c.ident), F("IdNumber", "person_ref", c.person), F("Name", "masked_name", c.masked),
           F("IdType", "id_type", wrap(cat.ID_TYPES)), F("Relation", "relation", wrap(cat.RELATIONS)),
           Obj("Authorisation", "authorisation", (F("@no", "document_id", c.ident), F("@signedOn", "signed_on", c.date))))

REQUEST = Doc("verification.request", "CheckRequest", (
    F("@no", "request_id", c.ident),
    Obj("Department", "requesting_department", (F("@code", "unit_code", c.code), F("Name", "name", c.ident))),
    Many("TargetRegions/Region", "target_regions", c.region), F("AssistanceType", "assistance_type",
                                                                 wrap(cat.ASSISTANCE)),
    F("Purpose", "purpose", c.ident), Many("Subjects/Subject", "subjects", SUBJECT),
    Many("Items/Item", "items", wrap(cat.CHECK_ITEMS)),
    Obj("IncomePeriod", "income_period", (F("@from", "from_month", c.month), F("@to", "to_month", c.month))),
    F("AssetDate", "asset_date", c.date), F("Deadline", "response_deadline", c.time),
))

OUTCOMES = c.choice("check outcome", "核对结果", {"查得": "hit", "未查得": "no_hit", "查询失败": "error",
                                                  "未授权": "not_authorised", "不支持": "not_supported"})
SUMMARY = (F("MonthlyIncome", "monthly_income_fen", c.money(), required=False, elem=True),
           F("AnnualAmount", "annual_amount_fen", c.money(), required=False, elem=True),
           F("Count", "count", c.count, required=False), F("Status", "status", c.ident, required=False),
           F("AsOf", "as_of", c.date, required=False), F("OverThreshold", "over_threshold", c.yes_no, required=False),
           F("Threshold", "threshold_fen", c.money(), required=False, elem=True))
ITEM_RESULT = (F("@item", "item", wrap(cat.CHECK_ITEMS)), F("@outcome", "outcome", OUTCOMES),
               F("@feedbackAt", "feedback_at", c.time), Obj("Summary", "summary", SUMMARY, required=False),
               F("Error", "error", c.ident, required=False))

RESPONSE = Doc("verification.response", "CheckReport", (
    F("@requestNo", "request_id", c.ident), Const("responding_region", "he"), F("@no", "report_no", c.ident),
    F("IssuedAt", "issued_at", c.time),
    Many("Results/Subject", "results", (F("@no", "subject_id", c.ident), F("IdNumber", "person_ref", c.person),
                                        Many("Item", "items", ITEM_RESULT))),
), refs_required=True)

DOCS = (REQUEST, RESPONSE)
