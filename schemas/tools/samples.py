"""One valid, domain-true sample payload per kind, and helpers to wrap them in envelopes.

Used for the published examples (``schemas/examples/<kind>/valid-*.json``), by tests and by other
teams' tests (``from schemas.tools.samples import sample_message``).  Deterministic: fixed ids and times.
"""

from __future__ import annotations

import copy

from schemas.envelope import _encode
from schemas.person import PersonRefHasher

EXAMPLE_KEY = b"example-key-not-secret-0123456789abcdef"
HASHER = PersonRefHasher({"k2026a": EXAMPLE_KEY}, "k2026a")
T0_MS = 1_722_387_600_000  # 2024-07-31T09:00:00+08:00


def fixed_id(n: int) -> str:
    """A deterministic ULID for examples."""
    return _encode(T0_MS + n, 10) + _encode(n, 16)


def ref(id_number: str) -> dict:
    return HASHER.person_ref(id_number)


ELDER = ref("11010519491231002X")
ELDER2 = ref("110103194505050010")
SUBJECT = ref("130682198607120029")
SENDERS = {
    "bj": {"region": "bj", "unit_code": "110000", "system_id": "bj-adapter"},
    "tj": {"region": "tj", "unit_code": "120000", "system_id": "tj-adapter"},
    "he": {"region": "he", "unit_code": "130000", "system_id": "he-adapter"},
    "hub": {"region": "hub", "unit_code": "000000", "system_id": "jjj-hub"},
}
CONTACT = {"role": "值班员", "masked_name": "王*华", "phone": "010-12345678"}
DEPOT_HE = {"depot_id": "HE-LF-01", "name": "廊坊市救灾物资储备库", "tier": "prefecture", "unit_code": "131000"}
FACILITY = {"facility_id": "HE-YJ-0007", "name": "燕郊某养老机构", "unit_code": "131082"}

_PEOPLE = {"affected": 1200, "deaths": 1, "missing": 0, "injured": 5, "injured_severe": 1, "evacuated": 300,
           "relocated_cumulative": 210, "relocated_current": 150, "relocated_centralised": 160,
           "relocated_dispersed": 50, "shelter_sites": 3, "need_emergency_aid_cumulative": 180,
           "need_emergency_aid_current": 120}
_TOTALS = {
    "people": _PEOPLE,
    "housing": {"collapsed": {"rooms": 12, "dwelling_rooms": 10, "dwelling_households": 4},
                "severely_damaged": {"rooms": 30, "dwelling_rooms": 25, "dwelling_households": 11}},
    "agriculture": {"crops_affected_ha": "350.00", "crops_damaged_ha": "120.50", "crops_lost_ha": "20.00",
                    "grain_affected_ha": "200.00", "livestock_deaths": 40},
    "infrastructure": {"roads_km": "12.30", "power_lines_km": "3.00", "schools": 1},
    "losses": {"total": "1520.00", "housing_household": "600.00", "agriculture": "420.00",
               "industry_commerce": "100.00", "infrastructure": "300.00", "public_services": "60.00",
               "other": "40.00"},
}

PAYLOADS: dict[str, tuple[str, dict]] = {
    "disaster.report": ("bj", {
        "event_id": "BJ-2024-0731-FLOOD-01", "disaster_type": "flood", "sub_type": "mountain_flood",
        "started_on": "2024-07-30", "stage": "update", "revision": 2, "data_as_of": "2024-07-31T08:00:00+08:00",
        "reporting_unit_code": "110000", "totals": _TOTALS,
        "counties": [{"county_code": "110111", "indicators": copy.deepcopy(_TOTALS), "townships": [
            {"township_code": "110111107", "name": "某镇", "indicators": {"people": {"affected": 800, "deaths": 1}}}]}],
        "name_list": {"held_by_unit_code": "110111", "deaths": [ELDER2], "missing": []},
        "narrative": "7月30日起房山区山区普降暴雨，引发山洪。"}),
    "disaster.correction": ("he", {
        "event_id": "HE-2024-0015", "revision": 5, "corrects_revision": 4, "data_as_of": "2024-08-20T00:00:00+08:00",
        "reason": "核报后发现重复统计的倒塌房屋。",
        "totals": {"housing": {"collapsed": {"rooms": 8, "dwelling_rooms": 8, "dwelling_households": 3}}}}),
    "disaster.cancel": ("tj", {"event_id": "TJ-2024-0009", "reason_code": "merged", "merged_into_event_id": "TJ-2024-0008",
                               "reason": "同一过程重复建档，合并。"}),
    "relief.stock_snapshot": ("he", {"depot": DEPOT_HE, "as_of": "2024-07-31T00:00:00+08:00", "lines": [
        {"item_code": "tent_single", "spec": "12㎡单帐篷", "unit": "顶", "batch": "2023-07", "storage_mode": "physical",
         "on_hand": 500, "reserved": 100, "damaged": 2},
        {"item_code": "quilt", "unit": "床", "storage_mode": "agreement", "on_hand": 3000, "reserved": 0, "damaged": 0}]}),
    "relief.stock_movement": ("he", {"depot": DEPOT_HE, "movement_id": "MV-000123", "movement_type": "outbound",
                                     "occurred_at": "2024-07-31T10:00:00+08:00", "item_code": "tent_single",
                                     "unit": "顶", "batch": "2023-07", "quantity": 200, "balance_after": 300,
                                     "dispatch_id": "DSP-HE-0001"}),
    "relief.support_request": ("bj", {
        "request_id": "REQ-BJ-2024-001", "event_ref": {"region": "bj", "event_id": "BJ-2024-0731-FLOOD-01"},
        "requesting_unit_code": "110000", "to_regions": ["tj", "he"], "needed_by": "2024-07-31T20:00:00+08:00",
        "delivery_place": {"unit_code": "110111", "address": "房山区某镇集中安置点"}, "contact": CONTACT,
        "lines": [{"line_no": 1, "item_code": "tent_single", "unit": "顶", "quantity": 200},
                  {"line_no": 2, "item_code": "quilt", "unit": "床", "quantity": 1000}]}),
    "relief.commitment": ("he", {"request_id": "REQ-BJ-2024-001", "commitment_id": "CMT-HE-0001",
                                 "committing_region": "he", "expected_dispatch_at": "2024-07-31T12:00:00+08:00",
                                 "lines": [{"line_no": 1, "item_code": "tent_single", "unit": "顶", "quantity": 200,
                                            "from_depot_id": "HE-LF-01"}], "contact": CONTACT}),
    "relief.decline": ("tj", {"request_id": "REQ-BJ-2024-001", "declining_region": "tj", "reason_code": "own_emergency",
                              "reason": "本市同时受灾，库存需自用。"}),
    "relief.dispatch": ("he", {"dispatch_id": "DSP-HE-0001", "request_id": "REQ-BJ-2024-001",
                               "commitment_id": "CMT-HE-0001", "ordered_via": "phone",
                               "written_confirmation_due": "2024-08-02T10:00:00+08:00", "receiving_unit_code": "110111",
                               "receiving_place": {"unit_code": "110111", "address": "房山区某镇集中安置点"},
                               "sender_contact": CONTACT, "receiver_contact": {**CONTACT, "masked_name": "李*"},
                               "departed_at": "2024-07-31T13:00:00+08:00",
                               "lines": [{"line_no": 1, "item_code": "tent_single", "unit": "顶", "quantity": 200,
                                          "from_depot_id": "HE-LF-01"}]}),
    "relief.receipt": ("bj", {"dispatch_id": "DSP-HE-0001", "request_id": "REQ-BJ-2024-001",
                              "received_at": "2024-07-31T18:30:00+08:00", "receiving_unit_code": "110111",
                              "lines": [{"line_no": 1, "item_code": "tent_single", "unit": "顶", "shipped": 200,
                                         "received": 197, "in_transit": 0, "discrepancy": 3,
                                         "discrepancy_reason": "3 顶运输中破损"}]}),
    "verification.request": ("bj", {
        "request_id": "VR-BJ-2024-0001", "requesting_department": {"unit_code": "110105", "name": "朝阳区民政局核对中心"},
        "target_regions": ["he"], "assistance_type": "dibao", "purpose": "最低生活保障审核",
        "subjects": [{"subject_id": "S1", "person_ref": SUBJECT, "masked_name": "赵*梅", "id_type": "resident_id",
                      "relation": "applicant", "authorisation": {"document_id": "AUTH-2024-0001", "signed_on": "2024-07-20"}}],
        "items": ["real_estate", "vehicles", "deposits"], "income_period": {"from_month": "2024-01", "to_month": "2024-06"},
        "asset_date": "2024-07-20", "response_deadline": "2024-08-07T17:00:00+08:00"}),
    "verification.response": ("he", {
        "request_id": "VR-BJ-2024-0001", "responding_region": "he", "report_no": "HE-HD-2024-00088",
        "issued_at": "2024-08-02T16:00:00+08:00",
        "results": [{"subject_id": "S1", "person_ref": SUBJECT, "items": [
            {"item": "real_estate", "outcome": "hit", "feedback_at": "2024-08-01T10:00:00+08:00",
             "summary": {"count": 1, "as_of": "2024-07-20"}},
            {"item": "vehicles", "outcome": "no_hit", "feedback_at": "2024-08-01T11:00:00+08:00"},
            {"item": "deposits", "outcome": "hit", "feedback_at": "2024-08-02T09:00:00+08:00",
             "summary": {"over_threshold": False, "threshold_fen": 5000000}}]}]}),
    "referral.referral": ("tj", {
        "referral_id": "RF-TJ-2024-0042", "to_region": "he", "referring_unit_code": "120114",
        "person_ref": SUBJECT, "masked_name": "赵*梅", "household_registration_code": "130682",
        "situation": "illness", "description": "突发疾病滞留武清，已给予临时救助。", "first_aid_fen": 50000,
        "first_aid_at": "2024-07-31T15:00:00+08:00", "needs": ["follow_up_assistance", "return_home"],
        "acknowledge_by": "2024-08-01T15:00:00+08:00", "contact": CONTACT}),
    "referral.acceptance": ("he", {"referral_id": "RF-TJ-2024-0042", "accepted_at": "2024-08-01T09:00:00+08:00",
                                   "handling_unit_code": "130682", "contact": CONTACT}),
    "referral.rejection": ("he", {"referral_id": "RF-TJ-2024-0043", "rejected_at": "2024-08-01T09:00:00+08:00",
                                  "reason_code": "not_registered_here", "reason": "经查户籍不在本地。"}),
    "referral.progress": ("he", {"referral_id": "RF-TJ-2024-0042", "step_at": "2024-08-03T09:00:00+08:00",
                                 "step": "assistance_granted", "amount_fen": 200000, "note": "给予临时救助 2000 元。"}),
    "referral.closure": ("he", {"referral_id": "RF-TJ-2024-0042", "closed_at": "2024-08-10T09:00:00+08:00",
                                "outcome": "assisted", "total_assistance_fen": 200000}),
    "eldercare.enrolment": ("he", {
        "enrolment_id": "EN-BJ-000123", "elder_ref": ELDER, "birth_month": "1949-12", "home_district_code": "110102",
        "facility": FACILITY, "facility_region": "he", "admitted_on": "2023-03-01", "discharged_on": None,
        "assessment": {"grade": "moderate", "assessed_on": "2024-01-10", "valid_until": "2026-01-09"},
        "subsidy_types": ["age_90_99", "care_moderate", "district_topup_xicheng"]}),
    "eldercare.entitlement_table": ("bj", {
        "table_id": "ENT-110102-2024", "payer_code": "110102", "published_at": "2024-01-05T10:00:00+08:00",
        "rates": [{"subsidy_type": "age_90_99", "rate_fen": 50000, "effective_from": "2019-10-01", "effective_to": None},
                  {"subsidy_type": "district_topup_xicheng", "rate_fen": 60000, "effective_from": "2019-10-01",
                   "effective_to": None}]}),
    "eldercare.claim": ("he", {
        "claim_id": "CL-HE-2024-07-0007", "facility": FACILITY, "facility_region": "he",
        "payer_district_code": "110102", "period": "2024-07",
        "lines": [{"line_id": "L1", "elder_ref": ELDER, "enrolment_id": "EN-BJ-000123", "subsidy_type": "age_90_99",
                   "days_in_care": 31, "amount_fen": 50000},
                  {"line_id": "L2", "elder_ref": ELDER, "enrolment_id": "EN-BJ-000123",
                   "subsidy_type": "district_topup_xicheng", "days_in_care": 31, "amount_fen": 60000}],
        "line_count": 2, "total_fen": 110000}),
    "eldercare.adjudication": ("bj", {
        "claim_id": "CL-HE-2024-07-0007", "adjudication_id": "ADJ-110102-0007", "adjudicated_at": "2024-08-05T10:00:00+08:00",
        "lines": [{"line_id": "L1", "decision": "accepted", "accepted_fen": 50000},
                  {"line_id": "L2", "decision": "rejected", "accepted_fen": 0, "reason_code": "not_eligible"}],
        "accepted_total_fen": 50000}),
    "eldercare.statement": ("bj", {
        "statement_id": "ST-110102-HE-2024-07", "payer_code": "110102", "payee_region": "he", "period": "2024-07",
        "claims": [{"claim_id": "CL-HE-2024-07-0007", "line_count": 2, "claimed_fen": 110000, "accepted_fen": 50000}],
        "claim_count": 1, "claimed_fen": 110000, "accepted_fen": 50000}),
    "eldercare.confirmation": ("he", {"statement_id": "ST-110102-HE-2024-07", "confirmed_at": "2024-08-10T10:00:00+08:00",
                                      "confirmed_fen": 50000}),
    "eldercare.dispute": ("he", {"statement_id": "ST-110102-HE-2024-07", "dispute_id": "DP-HE-0001",
                                 "raised_at": "2024-08-10T10:00:00+08:00",
                                 "lines": [{"claim_id": "CL-HE-2024-07-0007", "line_id": "L2",
                                            "reason_code": "rejected_wrongly", "expected_fen": 60000}]}),
    "eldercare.payment": ("bj", {"payment_id": "PAY-110102-0001", "statement_id": "ST-110102-HE-2024-07",
                                 "payer_code": "110102", "paid_at": "2024-09-01T10:00:00+08:00", "amount_fen": 50000,
                                 "bank_reference": "BANK-20240901-0001"}),
    "heartbeat.heartbeat": ("tj", {"adapter_id": "tj-adapter-1", "started_at": "2024-07-31T00:00:00+08:00",
                                   "outbox_depth": 0, "oldest_pending_at": None,
                                   "last_published_at": "2024-07-31T08:59:58+08:00", "software_version": "0.1.0"}),
    "hub.receipt": ("hub", {"for_message_id": fixed_id(1), "for_kind": "disaster.report", "outcome": "rejected",
                            "code": 420, "reason": "payload.totals.people.relocated_cumulative: …",
                            "reason_zh": "集中安置（160）+ 分散安置（40）应等于紧急转移安置人口（210）。",
                            "paths": ["payload.totals.people.relocated_cumulative"], "rule": "disaster.relocation_split",
                            "entity_key": "BJ-2024-0731-FLOOD-01", "received_at": "2024-07-31T09:00:01+08:00"}),
    "hub.routed_request": ("hub", {"original_message_id": fixed_id(11), "original_kind": "verification.request",
                                   "from_region": "bj", "to_region": "he", "entity_id": "VR-BJ-2024-0001",
                                   "payload": None}),
    "hub.aggregated_response": ("hub", {"request_id": "VR-BJ-2024-0001", "original_kind": "verification.request",
                                        "deadline": "2024-08-07T17:00:00+08:00", "complete": True,
                                        "responses": [{"from_region": "he", "outcome": "answered",
                                                       "message_id": fixed_id(12),
                                                       "received_at": "2024-08-02T16:00:05+08:00", "payload": None}]}),
    "hub.statement_notice": ("hub", {"statement_id": "ST-110102-HE-2024-07", "notice_type": "differences",
                                     "payer_code": "110102", "payee_region": "he", "period": "2024-07", "claim_count": 1,
                                     "claimed_fen": 110000, "accepted_fen": 50000,
                                     "differences": [{"claim_id": "CL-HE-2024-07-0007", "line_id": "L2",
                                                      "payer_fen": 0, "payee_fen": 60000}]}),
    "hub.status_change": ("hub", {"entity_type": "claim", "entity_id": "CL-HE-2024-07-0007", "region": "he",
                                  "from_state": "submitted", "to_state": "adjudicated",
                                  "changed_at": "2024-08-05T10:00:01+08:00", "cause_message_id": fixed_id(20)}),
}
PAYLOADS["hub.routed_request"][1]["payload"] = PAYLOADS["verification.request"][1]
PAYLOADS["hub.aggregated_response"][1]["responses"][0]["payload"] = PAYLOADS["verification.response"][1]

NEEDS_REFERENCES = {"disaster.correction", "disaster.cancel", "relief.commitment", "relief.decline",
                    "verification.response", "referral.acceptance", "referral.rejection", "referral.progress",
                    "referral.closure", "eldercare.adjudication", "eldercare.confirmation", "eldercare.dispute",
                    "eldercare.payment"}


def sample_payload(kind: str) -> dict:
    """A deep copy of the sample payload of ``kind``."""
    return copy.deepcopy(PAYLOADS[kind][1])


def sample_message(kind: str, n: int = 100) -> dict:
    """A complete valid message of ``kind`` (not validated here; ``validate_message`` it if you change it)."""
    region, payload = PAYLOADS[kind]
    return {
        "message_id": fixed_id(n),
        "kind": kind,
        "schema_version": "1.0",
        "sender": dict(SENDERS[region]),
        "sent_at": "2024-07-31T09:00:00+08:00",
        "status": "exercise",
        "references": [fixed_id(n - 1)] if kind in NEEDS_REFERENCES else [],
        "correlation_id": None,
        "expires_at": None,
        "payload": copy.deepcopy(payload),
    }
