"""Beijing's 救急难 referrals: 转办 (Beijing refers a person to the household region) and, as the household region,
受理 / 退回 / 进展 / 办结 of referrals other regions sent; money in 元."""

from __future__ import annotations

from adapters.beijing.codes import BJ_DISTRICT, CONTACT, DIVISION, REGION, TIME, YUAN, choice, masked, person
from adapters.beijing.fieldmap import DocMap, F, Obj, each

SITUATIONS = choice("situation", "困难情形", {
    "突发疾病": "illness", "意外事故": "accident", "遭遇灾害": "disaster", "临时遇困": "stranded",
    "滞留": "stranded", "流浪乞讨": "homeless", "其他": "other"})
NEEDS = choice("need", "后续需求", {
    "后续救助": "follow_up_assistance", "经济状况核对": "verification", "安置": "placement",
    "医疗救助": "medical_assistance", "护送返乡": "return_home", "返乡": "return_home"})

#: 救急难转办: the emergency happened in Beijing, the person is registered in Tianjin or Hebei
REFERRAL = DocMap("referral.referral", (
    F("转办编号", "referral_id"), F("接收省市", "to_region", REGION), F("转出单位", "referring_unit_code", BJ_DISTRICT),
    F("身份证号", "person_ref", person), F("姓名", "masked_name", masked),
    F("户籍地区划代码", "household_registration_code", DIVISION), F("困难情形", "situation", SITUATIONS),
    F("情况描述", "description"), F("先行救助金额（元）", "first_aid_fen", YUAN),
    F("先行救助时间", "first_aid_at", TIME, required=False), F("后续需求", "needs", each(NEEDS)),
    F("受理期限", "acknowledge_by", TIME), Obj("联系人", "contact", CONTACT),
), answers=None)

#: the steps answer the routed referral (回复消息编号); progress and closure may instead follow this adapter's own
#: earlier step about the same referral
_OWN_STEPS = (("referral.progress", "referral_id"), ("referral.acceptance", "referral_id"))

ACCEPTANCE = DocMap("referral.acceptance", (
    F("转办编号", "referral_id"), F("受理时间", "accepted_at", TIME), F("承办单位", "handling_unit_code", BJ_DISTRICT),
    Obj("联系人", "contact", CONTACT), F("备注", "note", required=False),
))

REJECT_REASONS = choice("rejection reason", "退回原因", {
    "非本地户籍": "not_registered_here", "重复转办": "duplicate", "信息不全": "insufficient_information",
    "已给予救助": "already_assisted", "其他": "other"})

REJECTION = DocMap("referral.rejection", (
    F("转办编号", "referral_id"), F("退回时间", "rejected_at", TIME), F("退回原因", "reason_code", REJECT_REASONS),
    F("退回说明", "reason"),
))

STEPS = choice("step", "办理环节", {
    "已联系": "contacted", "已联系本人": "contacted", "启动核对": "verification_started",
    "已给予救助": "assistance_granted", "已安置": "placement_arranged", "其他": "other"})

PROGRESS = DocMap("referral.progress", (
    F("转办编号", "referral_id"), F("办理时间", "step_at", TIME), F("办理环节", "step", STEPS),
    F("救助金额（元）", "amount_fen", YUAN, required=False), F("备注", "note", required=False),
), previous=_OWN_STEPS)

OUTCOMES = choice("outcome", "办结结果", {
    "已救助": "assisted", "不符合条件": "not_eligible", "本人放弃": "withdrawn", "无法联系": "unreachable",
    "已移交": "transferred"})

CLOSURE = DocMap("referral.closure", (
    F("转办编号", "referral_id"), F("办结时间", "closed_at", TIME), F("办结结果", "outcome", OUTCOMES),
    F("救助总额（元）", "total_assistance_fen", YUAN), F("备注", "note", required=False),
), previous=_OWN_STEPS)
