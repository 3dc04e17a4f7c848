"""Household verification requests (one answered late by Hebei) and a 救急难 referral from Tianjin to Hebei."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jjj.demo.people import PersonFactory
from jjj.demo.timeline import Step, at, ts

ITEMS = ["social_insurance", "real_estate", "vehicles", "business", "deposits"]
#: request id → (requester, unit, department, targets, asked (day, hour), deadline day, {region: answer (day, hour)})
VERIFICATIONS = {
    "BJ-VR-20260802-01": ("bj", "110111", "房山区民政局", ["tj", "he"], (4, 10), 11,
                          {"tj": (6, 16), "he": (14, 11)}),  # Hebei answers three days after the deadline
    "HE-VR-20260806-01": ("he", "130681", "涿州市民政局", ["bj"], (8, 9), 15, {"bj": (10, 15)}),
}
REFERRAL_ID = "TJ-RF-20260801-01"
FIRST_AID_FEN = 80_000          # 800 元 of first aid in 武清
GRANTED_FEN = 300_000           # 3,000 元 临时救助 granted by 涞水


def _result(subject_id: str, ref: dict, answered: str, hit_income: int | None) -> dict:
    items = []
    for item in ITEMS:
        if item == "deposits":
            items.append({"item": item, "outcome": "hit", "feedback_at": answered,
                          "summary": {"over_threshold": False, "threshold_fen": 6_000_000}})
        elif item == "social_insurance" and hit_income is not None:
            items.append({"item": item, "outcome": "hit", "feedback_at": answered,
                          "summary": {"monthly_income_fen": hit_income, "status": "灵活就业参保"}})
        else:
            items.append({"item": item, "outcome": "no_hit", "feedback_at": answered})
    return {"subject_id": subject_id, "person_ref": ref, "items": items}


def verification_steps(persons: PersonFactory, ref: Callable[[str], dict]) -> list[Step]:
    out = []
    for rid, (region, unit, dept, targets, asked, deadline, answers) in VERIFICATIONS.items():
        applicant = persons.person(unit, date(1968, 1, 1), date(1985, 12, 31))
        spouse = persons.person(unit, date(1968, 1, 1), date(1985, 12, 31))
        subjects = [(f"{rid}-S1", applicant, "applicant"), (f"{rid}-S2", spouse, "spouse")]
        out.append(Step(f"verification/request/{rid}", at(*asked), region, "verification.request", {
            "request_id": rid, "requesting_department": {"unit_code": unit, "name": dept}, "target_regions": targets,
            "assistance_type": "temporary_assistance", "purpose": "因灾临时救助申请家庭经济状况核对",
            "subjects": [{"subject_id": sid, "person_ref": ref(p.id_number), "masked_name": p.masked,
                          "id_type": "resident_id", "relation": rel,
                          "authorisation": {"document_id": f"{sid}-AUTH", "signed_on": at(asked[0] - 1).date().isoformat()}}
                         for sid, p, rel in subjects],
            "items": ITEMS, "income_period": {"from_month": "2026-02", "to_month": "2026-07"},
            "asset_date": "2026-07-31", "response_deadline": ts(deadline, 17)}, f"{region} 发起经济状况核对 {rid}"))
        for target, when in answers.items():
            answered = ts(*when)
            out.append(Step(f"verification/response/{rid}/{target}", at(*when), target, "verification.response", {
                "request_id": rid, "responding_region": target, "report_no": f"{target.upper()}-HD-{rid[-11:]}",
                "issued_at": answered, "results": [
                    _result(subjects[0][0], ref(applicant.id_number), answered, 215_000 if target == "tj" else None),
                    _result(subjects[1][0], ref(spouse.id_number), answered, None)]},
                f"{target} 回复核对 {rid}" + ("（逾期）" if when[0] > deadline else ""),
                refers_to=(f"verification/request/{rid}",)))
    return out


def referral_steps(persons: PersonFactory, ref: Callable[[str], dict]) -> list[Step]:
    p = persons.person("130623", date(1957, 1, 1), date(1962, 12, 31), female=False)
    rid = REFERRAL_ID
    sent = f"referral/{rid}/sent"
    contact = {"role": "武清区民政局社会救助科", "masked_name": "孙*", "phone": "022-29340000"}
    return [
        Step(sent, at(3, 11), "tj", "referral.referral", {
            "referral_id": rid, "to_region": "he", "referring_unit_code": "120114", "person_ref": ref(p.id_number),
            "masked_name": p.masked, "household_registration_code": "130623", "situation": "disaster",
            "description": "洪水期间在武清区务工时住所被淹、财物损失，身患慢性病，已给予临时救助并安置。",
            "first_aid_fen": FIRST_AID_FEN, "first_aid_at": ts(3, 9), "needs": ["follow_up_assistance", "return_home"],
            "acknowledge_by": ts(5, 11), "contact": contact}, "天津 救急难转办 → 河北"),
        Step(f"referral/{rid}/accepted", at(4, 15), "he", "referral.acceptance", {
            "referral_id": rid, "accepted_at": ts(4, 15), "handling_unit_code": "130623",
            "contact": {"role": "涞水县民政局社会救助股", "masked_name": "周*英", "phone": "0312-4520000"}},
            "河北 接收转办", refers_to=(sent,)),
        Step(f"referral/{rid}/progress", at(6, 10), "he", "referral.progress", {
            "referral_id": rid, "step_at": ts(6, 10), "step": "assistance_granted", "amount_fen": GRANTED_FEN,
            "note": "经核对给予临时救助 3000 元。"}, "河北 转办进展", refers_to=(sent,)),
        Step(f"referral/{rid}/closed", at(9, 16), "he", "referral.closure", {
            "referral_id": rid, "closed_at": ts(9, 16), "outcome": "assisted",
            "total_assistance_fen": FIRST_AID_FEN + GRANTED_FEN, "note": "已返乡，后续纳入属地常态化救助。"},
            "河北 转办办结", refers_to=(sent,)),
    ]


def steps(persons: PersonFactory, ref: Callable[[str], dict]) -> list[Step]:
    return verification_steps(persons, ref) + referral_steps(persons, ref)
