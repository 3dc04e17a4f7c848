"""Hebei's 救急难 异地转办 XML: a referral it sends (person by ID number and name), and its handling of a case
referred to it (受理, 退回, 进展, 办结), each answering the platform's routed referral (<ReplyTo>)."""

from __future__ import annotations

from adapters.hebei import convert as c
from adapters.hebei.relief import CONTACT
from adapters.hebei.xmlmap import Doc, F, Many, Obj

REFERRAL = Doc("referral.referral", "Referral", (
    F("@no", "referral_id", c.ident), F("ToRegion", "to_region", c.region),
    F("ReferringUnit", "referring_unit_code", c.code), F("IdNumber", "person_ref", c.person),
    F("Name", "masked_name", c.masked), F("Hukou", "household_registration_code", c.any_code),
    F("Situation", "situation", c.choice("situation", "困难情形", {
        "疾病": "illness", "意外伤害": "accident", "遭受灾害": "disaster", "滞留": "stranded", "流浪": "homeless",
        "其他": "other"})),
    F("Description", "description", c.ident), F("FirstAid", "first_aid_fen", c.money(), elem=True),
    F("FirstAidAt", "first_aid_at", c.time, required=False),
    Many("Needs/Need", "needs", c.choice("need", "转办事项", {
        "后续救助": "follow_up_assistance", "经济状况核对": "verification", "安置": "placement",
        "医疗救助": "medical_assistance", "返乡": "return_home"})),
    F("AcknowledgeBy", "acknowledge_by", c.time), Obj("Contact", "contact", CONTACT),
))

ACCEPTANCE = Doc("referral.acceptance", "Acceptance", (
    F("@referralNo", "referral_id", c.ident), F("AcceptedAt", "accepted_at", c.time),
    F("HandlingUnit", "handling_unit_code", c.code), Obj("Contact", "contact", CONTACT),
    F("Note", "note", c.ident, required=False),
), refs_required=True)

REJECTION = Doc("referral.rejection", "Rejection", (
    F("@referralNo", "referral_id", c.ident), F("RejectedAt", "rejected_at", c.time),
    F("ReasonCode", "reason_code", c.choice("rejection reason", "退回原因", {
        "非本地户籍": "not_registered_here", "重复转办": "duplicate", "信息不全": "insufficient_information",
        "已救助": "already_assisted", "其他": "other"})),
    F("Reason", "reason", c.ident),
), refs_required=True)

PROGRESS = Doc("referral.progress", "Progress", (
    F("@referralNo", "referral_id", c.ident), F("StepAt", "step_at", c.time),
    F("Step", "step", c.choice("step", "办理环节", {
        "已联系": "contacted", "启动核对": "verification_started", "已给予救助": "assistance_granted",
        "已安置": "placement_arranged", "其他": "other"})),
    F("Amount", "amount_fen", c.money(), required=False, elem=True), F("Note", "note", c.ident, required=False),
), own=(("referral.acceptance", "referral_id"),), refs_required=True)

CLOSURE = Doc("referral.closure", "Closure", (
    F("@referralNo", "referral_id", c.ident), F("ClosedAt", "closed_at", c.time),
    F("Outcome", "outcome", c.choice("outcome", "办结结果", {
        "已救助": "assisted", "不符合条件": "not_eligible", "申请撤回": "withdrawn", "无法联系": "unreachable",
        "已移交": "transferred"})),
    F("TotalAssistance", "total_assistance_fen", c.money(), elem=True), F("Note", "note", c.ident, required=False),
), own=(("referral.progress", "referral_id"), ("referral.acceptance", "referral_id")), refs_required=True)

DOCS = (REFERRAL, ACCEPTANCE, REJECTION, PROGRESS, CLOSURE)
