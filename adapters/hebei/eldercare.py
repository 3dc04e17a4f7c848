"""Hebei's 异地养老 (钱随人走) XML beyond the monthly claims: enrolments of its elders in facilities of the other
regions, its payer districts' rate tables, and its side of the monthly settlement (确认, 异议, 支付).

The birth month of an enrolment is read from the ID number (digits 7–12), which itself becomes the elder_ref.
"""

from __future__ import annotations

from adapters.core import catalogues as cat
from adapters.hebei import convert as c
from adapters.hebei.xmlmap import Doc, F, Many, Obj, wrap

SUBSIDY = wrap(cat.SUBSIDY_TYPES)

ENROLMENT = Doc("eldercare.enrolment", "Enrolment", (
    F("@no", "enrolment_id", c.ident), F("IdNumber", "elder_ref", c.person), F("IdNumber", "birth_month", c.birth_month),
    F("HomeDistrict", "home_district_code", c.code),
    Obj("Facility", "facility", (F("@id", "facility_id", c.ident), F("Name", "name", c.ident),
                                 F("@code", "unit_code", c.any_code))),
    F("FacilityRegion", "facility_region", c.region), F("AdmittedOn", "admitted_on", c.date),
    F("DischargedOn", "discharged_on", c.date, required=False),
    Obj("Assessment", "assessment", (F("@grade", "grade", wrap(cat.GRADES)), F("@on", "assessed_on", c.date),
                                     F("@validUntil", "valid_until", c.date))),
    Many("Subsidies/Subsidy", "subsidy_types", SUBSIDY),
))

ENTITLEMENT_TABLE = Doc("eldercare.entitlement_table", "RateTable", (
    F("@no", "table_id", c.ident), F("@payer", "payer_code", c.code), F("@publishedAt", "published_at", c.time),
    Many("Rate", "rates", (F("@subsidy", "subsidy_type", SUBSIDY), F("Amount", "rate_fen", c.money(), elem=True),
                           F("@from", "effective_from", c.date), F("@to", "effective_to", c.date, required=False, null=True))),
))

CONFIRMATION = Doc("eldercare.confirmation", "Confirmation", (
    F("@statementNo", "statement_id", c.ident), F("ConfirmedAt", "confirmed_at", c.time),
    F("Amount", "confirmed_fen", c.money(), elem=True),
), refs_required=True)

DISPUTE = Doc("eldercare.dispute", "Dispute", (
    F("@statementNo", "statement_id", c.ident), F("@no", "dispute_id", c.ident), F("RaisedAt", "raised_at", c.time),
    Many("Line", "lines", (
        F("@claimNo", "claim_id", c.ident), F("@lineNo", "line_id", c.ident, required=False),
        F("@reason", "reason_code", c.choice("dispute reason", "异议原因", {
            "金额不符": "amount", "漏列明细": "missing_line", "错误拒付": "rejected_wrongly", "重复": "duplicate",
            "其他": "other"})),
        F("Expected", "expected_fen", c.money(), required=False, elem=True), F("Note", "note", c.ident, required=False))),
    F("Note", "note", c.ident, required=False),
), refs_required=True)

PAYMENT = Doc("eldercare.payment", "Payment", (
    F("@no", "payment_id", c.ident), F("@statementNo", "statement_id", c.ident), F("@payer", "payer_code", c.code),
    F("PaidAt", "paid_at", c.time), F("Amount", "amount_fen", c.money("万元"), elem=True),
    F("BankReference", "bank_reference", c.ident),
), refs_required=True)

DOCS = (ENROLMENT, ENTITLEMENT_TABLE, CONFIRMATION, DISPUTE, PAYMENT)
