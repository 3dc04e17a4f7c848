"""Tianjin's 救急难 exports: referrals of people from other regions (转办), and the handling log of referrals
Beijing or Hebei sent to Tianjin (转办办理: 受理 / 退回 / 进展 / 办结, one row per step, money in 元)."""

from __future__ import annotations

from adapters.core import catalogues as cat
from adapters.core.mapping import CodeMap
from adapters.tianjin.columns import FEN, MASKED, PERSON, TIME, Col, Refs, Table, listof, plain, switch
from adapters.tianjin.places import PLACE, TJ_UNIT
from adapters.tianjin.relief import contact

SITUATIONS = CodeMap("situation", "困难情形", {"疾病": "illness", "突发疾病": "illness", "意外事故": "accident",
                                              "意外伤害": "accident", "受灾": "disaster", "遭遇灾害": "disaster",
                                              "滞留": "stranded", "临时遇困滞留": "stranded", "流浪乞讨": "homeless",
                                              "其他": "other"})
NEEDS = CodeMap("need", "转办需求", {"后续救助": "follow_up_assistance", "核对": "verification",
                                     "家庭经济状况核对": "verification", "安置": "placement", "医疗救助": "medical_assistance",
                                     "返乡": "return_home", "护送返乡": "return_home"})
REJECT_REASONS = CodeMap("rejection reason", "退回原因", {
    "非本地户籍": "not_registered_here", "户籍不在本地": "not_registered_here", "重复转办": "duplicate",
    "信息不全": "insufficient_information", "已救助": "already_assisted", "已给予救助": "already_assisted", "其他": "other"})
STEPS = CodeMap("handling step", "办理环节", {"已联系": "contacted", "联系本人": "contacted", "启动核对": "verification_started",
                                             "给予救助": "assistance_granted", "安排安置": "placement_arranged", "其他": "other"})
CLOSE_OUTCOMES = CodeMap("closure outcome", "办结结果", {"已救助": "assisted", "不符合条件": "not_eligible",
                                                        "撤回": "withdrawn", "无法联系": "unreachable", "转出": "transferred"})

REFERRAL = Table(
    "referral.referral",
    head=(Col("转办编号", "referral_id"), Col("转入地区", "to_region", plain(cat.REGIONS)),
          Col("转出单位", "referring_unit_code", plain(TJ_UNIT)), Col("身份证号", "person_ref", PERSON),
          Col("姓名", "masked_name", MASKED), Col("户籍地", "household_registration_code", plain(PLACE)),
          Col("困难情形", "situation", plain(SITUATIONS)), Col("情况描述", "description"),
          Col("先行救助金额（元）", "first_aid_fen", FEN), Col("先行救助时间", "first_aid_at", TIME, required=False),
          Col("转办需求", "needs", listof(NEEDS)), Col("反馈时限", "acknowledge_by", TIME), *contact()))

#: progress and closure may reference our own acceptance (or last progress) of the case instead of the hub message
OWN_STEPS = Refs(("referral.acceptance", "referral.progress"), "referral_id")
STEP_TABLES = {
    "referral.acceptance": Table("referral.acceptance", head=(
        Col("转办编号", "referral_id"), Col("办理时间", "accepted_at", TIME),
        Col("承办单位", "handling_unit_code", plain(TJ_UNIT)), *contact(), Col("备注", "note", required=False))),
    "referral.rejection": Table("referral.rejection", head=(
        Col("转办编号", "referral_id"), Col("办理时间", "rejected_at", TIME),
        Col("退回原因", "reason_code", plain(REJECT_REASONS)), Col("备注", "reason"))),
    "referral.progress": Table("referral.progress", refs=OWN_STEPS, head=(
        Col("转办编号", "referral_id"), Col("办理时间", "step_at", TIME), Col("办理环节", "step", plain(STEPS)),
        Col("金额（元）", "amount_fen", FEN, required=False), Col("备注", "note", required=False))),
    "referral.closure": Table("referral.closure", refs=OWN_STEPS, head=(
        Col("转办编号", "referral_id"), Col("办理时间", "closed_at", TIME),
        Col("办结结果", "outcome", plain(CLOSE_OUTCOMES)), Col("金额（元）", "total_assistance_fen", FEN),
        Col("备注", "note", required=False))),
}
STEP_KIND = CodeMap("handling type", "办理类型", {"受理": "referral.acceptance", "退回": "referral.rejection",
                                                 "进展": "referral.progress", "办结": "referral.closure"})
STEPS_REQUIRED = ("转办编号", "办理类型", "办理时间")
STEPS_MAPPER = switch("办理类型", STEP_KIND, STEP_TABLES)
STEPS_FIELDS = {k: v for t in STEP_TABLES.values() for k, v in t.fields.items()}
