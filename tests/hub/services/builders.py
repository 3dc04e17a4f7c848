"""Valid messages of every family for service tests (built and validated through the contract)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import schemas

CST = timezone(timedelta(hours=8))
UNIT = {"bj": "110000", "tj": "120000", "he": "130000"}
T0 = datetime(2026, 7, 30, 8, 0, tzinfo=CST)


def ts(minutes: float = 0) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def person(n: int) -> dict:
    return {"key_id": "k2026a", "ref": hashlib.sha256(str(n).encode()).hexdigest()}


def msg(kind: str, payload: dict, region: str, *, at: float = 0, mid: str | None = None) -> dict:
    refs = ["01J00000000000000000000000"] if schemas.KINDS[kind].requires_references else []
    return schemas.build_message(kind, payload, sender={"region": region, "unit_code": UNIT[region],
                                                        "system_id": f"{region}-test"},
                                 sent_at=ts(at), message_id=mid, references=refs)


def disaster(region: str, event_id: str, stage: str, revision: int, affected: int, *, at: float = 0,
             relocated: int = 0, county: str = "110111", decreases: list | None = None, dtype: str = "flood",
             unit: str | None = None, shared: dict | None = None, deaths: int = 0) -> dict:
    people = {"affected": affected, "deaths": deaths, "missing": 0}
    if relocated:
        people.update(relocated_cumulative=relocated, relocated_centralised=relocated, relocated_dispersed=0)
    p = {"event_id": event_id, "revision": revision, "data_as_of": ts(at - 5), "disaster_type": dtype,
         "started_on": T0.date().isoformat(), "stage": stage, "reporting_unit_code": unit or UNIT[region],
         "totals": {"people": people, "losses": {"total": "12.50"}},
         "counties": [{"county_code": county, "indicators": {"people": people, "losses": {"total": "12.50"}}}]}
    if deaths:
        p["name_list"] = {"held_by_unit_code": county, "deaths": [person(i) for i in range(deaths)], "missing": []}
    if decreases:
        p["decreases"] = decreases
    if shared:
        p["shared_event_ref"] = shared
    return msg("disaster.report", p, region, at=at)


def correction(region: str, event_id: str, revision: int, affected: int, *, at: float = 0) -> dict:
    people = {"affected": affected, "deaths": 0, "missing": 0}
    return msg("disaster.correction", {"event_id": event_id, "revision": revision, "data_as_of": ts(at - 5),
                                       "totals": {"people": people}, "corrects_revision": revision - 1,
                                       "reason": "复核更正"}, region, at=at)


def depot(depot_id: str = "BJ-D1", tier: str = "province", unit: str = "110000") -> dict:
    return {"depot_id": depot_id, "tier": tier, "unit_code": unit}


def snapshot(region: str, on_hand: int, *, at: float = 0, depot_id: str = "BJ-D1", item: str = "quilt",
             reserved: int = 0) -> dict:
    return msg("relief.stock_snapshot", {"depot": depot(depot_id, unit=UNIT[region]), "as_of": ts(at), "lines": [
        {"item_code": item, "unit": "床", "storage_mode": "physical", "on_hand": on_hand, "reserved": reserved,
         "damaged": 0}]}, region, at=at)


def movement(region: str, movement_id: str, kind: str, qty: int, *, at: float = 0, depot_id: str = "BJ-D1",
             balance: int = 0) -> dict:
    p = {"depot": depot(depot_id, unit=UNIT[region]), "movement_id": movement_id, "movement_type": kind,
         "occurred_at": ts(at), "item_code": "quilt", "unit": "床", "quantity": qty, "balance_after": balance}
    if kind in ("scrap", "adjustment"):
        p["reason"] = "盘点"
    return msg("relief.stock_movement", p, region, at=at)


CONTACT = {"role": "值班员", "phone": "010-12345678"}


def support_request(region: str, request_id: str, qty: int, to: list[str], *, at: float = 0) -> dict:
    return msg("relief.support_request", {
        "request_id": request_id, "requesting_unit_code": UNIT[region], "to_regions": to, "needed_by": ts(at + 600),
        "delivery_place": {"unit_code": UNIT[region], "address": "某地"}, "contact": CONTACT,
        "lines": [{"line_no": 1, "item_code": "quilt", "unit": "床", "quantity": qty}]}, region, at=at)


def commitment(region: str, request_id: str, qty: int, *, at: float = 0) -> dict:
    return msg("relief.commitment", {
        "request_id": request_id, "commitment_id": f"C-{region}-{request_id}", "committing_region": region,
        "expected_dispatch_at": ts(at + 60), "contact": CONTACT,
        "lines": [{"line_no": 1, "item_code": "quilt", "unit": "床", "quantity": qty, "from_depot_id": "D9"}]},
        region, at=at)


def dispatch(region: str, request_id: str, dispatch_id: str, qty: int, receiver: str, *, at: float = 0) -> dict:
    return msg("relief.dispatch", {
        "dispatch_id": dispatch_id, "request_id": request_id, "commitment_id": f"C-{region}-{request_id}",
        "ordered_via": "written", "receiving_unit_code": UNIT[receiver],
        "receiving_place": {"unit_code": UNIT[receiver], "address": "某地"}, "sender_contact": CONTACT,
        "receiver_contact": CONTACT, "departed_at": ts(at),
        "lines": [{"line_no": 1, "item_code": "quilt", "unit": "床", "quantity": qty, "from_depot_id": "D9"}]},
        region, at=at)


def relief_receipt(region: str, request_id: str, dispatch_id: str, shipped: int, received: int, lost: int, *,
                   at: float = 0) -> dict:
    line = {"line_no": 1, "item_code": "quilt", "unit": "床", "shipped": shipped, "received": received,
            "in_transit": shipped - received - lost, "discrepancy": lost}
    if lost:
        line["discrepancy_reason"] = "破损"
    return msg("relief.receipt", {"dispatch_id": dispatch_id, "request_id": request_id, "received_at": ts(at),
                                  "receiving_unit_code": UNIT[region], "lines": [line]}, region, at=at)


def decline(region: str, request_id: str, *, at: float = 0) -> dict:
    return msg("relief.decline", {"request_id": request_id, "declining_region": region,
                                  "reason_code": "own_emergency", "reason": "本地同时受灾"}, region, at=at)


def verification_request(region: str, request_id: str, targets: list[str], *, at: float = 0,
                         items: tuple[str, ...] = ("real_estate", "vehicles")) -> dict:
    return msg("verification.request", {
        "request_id": request_id, "requesting_department": {"unit_code": UNIT[region], "name": "民政局"},
        "target_regions": targets, "assistance_type": "dibao", "purpose": "低保审核",
        "subjects": [{"subject_id": "S1", "person_ref": person(1), "masked_name": "张*明", "id_type": "resident_id",
                      "relation": "applicant", "authorisation": {"document_id": "AUTH-1", "signed_on": "2026-07-29"}}],
        "items": list(items), "income_period": {"from_month": "2026-01", "to_month": "2026-06"},
        "asset_date": "2026-07-01", "response_deadline": ts(at + 7 * 1440)}, region, at=at)


def verification_response(region: str, request_id: str, items: tuple[str, ...], *, at: float = 0) -> dict:
    return msg("verification.response", {
        "request_id": request_id, "responding_region": region, "report_no": f"R-{region}-{request_id}",
        "issued_at": ts(at), "results": [{"subject_id": "S1", "person_ref": person(1), "items": [
            {"item": i, "outcome": "no_hit", "feedback_at": ts(at)} for i in items]}]}, region, at=at)


def referral(region: str, referral_id: str, to: str, *, at: float = 0) -> dict:
    return msg("referral.referral", {
        "referral_id": referral_id, "to_region": to, "referring_unit_code": UNIT[region], "person_ref": person(7),
        "masked_name": "李*", "household_registration_code": {"bj": "110105", "tj": "120114", "he": "131082"}[to],
        "situation": "illness", "description": "突发疾病", "first_aid_fen": 50000, "needs": ["follow_up_assistance"],
        "acknowledge_by": ts(at + 1440), "contact": CONTACT}, region, at=at)


def acceptance(region: str, referral_id: str, *, at: float = 0) -> dict:
    return msg("referral.acceptance", {"referral_id": referral_id, "accepted_at": ts(at),
                                       "handling_unit_code": UNIT[region], "contact": CONTACT}, region, at=at)


def rejection(region: str, referral_id: str, *, at: float = 0) -> dict:
    return msg("referral.rejection", {"referral_id": referral_id, "rejected_at": ts(at), "reason_code": "other",
                                      "reason": "非本地户籍"}, region, at=at)


def progress(region: str, referral_id: str, *, at: float = 0) -> dict:
    return msg("referral.progress", {"referral_id": referral_id, "step_at": ts(at), "step": "contacted"},
               region, at=at)


def closure(region: str, referral_id: str, *, at: float = 0) -> dict:
    return msg("referral.closure", {"referral_id": referral_id, "closed_at": ts(at), "outcome": "assisted",
                                    "total_assistance_fen": 100000}, region, at=at)


FACILITY = {"he": {"facility_id": "HE-YJ-0007", "name": "燕郊某养老机构", "unit_code": "131082"},
            "tj": {"facility_id": "TJ-WQ-0021", "name": "武清区某颐养中心", "unit_code": "120114"},
            "bj": {"facility_id": "BJ-CY-0001", "name": "朝阳某养老院", "unit_code": "110105"}}


def enrolment(region: str, enrolment_id: str, elder: int, home: str, facility_region: str, *,
              admitted: str = "2026-01-01", discharged: str | None = None, at: float = 0,
              valid_until: str = "2027-12-31") -> dict:
    return msg("eldercare.enrolment", {
        "enrolment_id": enrolment_id, "elder_ref": person(elder), "birth_month": "1936-08",
        "home_district_code": home, "facility": FACILITY[facility_region], "facility_region": facility_region,
        "admitted_on": admitted, "discharged_on": discharged,
        "assessment": {"grade": "severe", "assessed_on": "2025-10-20", "valid_until": valid_until},
        "subsidy_types": ["care_severe"]}, region, at=at)


def rates(region: str, payer: str, fen: int, *, table: str = "T1", at: float = 0, since: str = "2026-01-01") -> dict:
    return msg("eldercare.entitlement_table", {
        "table_id": table, "payer_code": payer, "published_at": ts(at),
        "rates": [{"subsidy_type": "care_severe", "rate_fen": fen, "effective_from": since, "effective_to": None}]},
        region, at=at)


def claim(region: str, claim_id: str, payer: str, period: str, lines: list[tuple[str, int, int, int]], *,
          at: float = 0) -> dict:
    """lines: (line_id, elder, days, amount_fen)."""
    ls = [{"line_id": lid, "elder_ref": person(e), "enrolment_id": f"E{e}", "subsidy_type": "care_severe",
           "days_in_care": d, "amount_fen": fen} for lid, e, d, fen in lines]
    return msg("eldercare.claim", {
        "claim_id": claim_id, "facility": FACILITY[region], "facility_region": region,
        "payer_district_code": payer, "period": period, "lines": ls, "line_count": len(ls),
        "total_fen": sum(x["amount_fen"] for x in ls)}, region, at=at)


def heartbeat(region: str, *, at: float = 0) -> dict:
    return msg("heartbeat.heartbeat", {"adapter_id": f"{region}-adapter", "started_at": ts(at - 60),
                                       "outbox_depth": 3, "oldest_pending_at": None, "last_published_at": ts(at),
                                       "software_version": "0.1.0"}, region, at=at)
