"""Cross-field rules (420): one row per rule id, exact paths and bilingual text."""

import pytest

from schemas import ReceiptCode, RuleViolation
from schemas.tools.samples import fixed_id

from .helpers import DELETE, mutated, rejection

REPORT_TOTALS = "payload.totals"
COUNTY = "payload.counties.0.indicators"

CASES = [
    # kind, changes, rule, paths, English (first error), Chinese (first error)
    ("disaster.report", {f"{REPORT_TOTALS}.people.relocated_dispersed": 40, f"{COUNTY}.people.relocated_dispersed": 40},
     "disaster.relocation_split", ["payload.totals.people.relocated_cumulative", "payload.counties[0].indicators.people.relocated_cumulative"],
     "relocated_centralised (160) + relocated_dispersed (40) must equal relocated_cumulative (210).",
     "集中安置（160）+ 分散安置（40）应等于紧急转移安置人口（210）。"),
    ("disaster.report", {f"{REPORT_TOTALS}.people.injured_severe": 9, f"{COUNTY}.people.injured_severe": 9},
     "disaster.subset", ["payload.totals.people.injured_severe", "payload.counties[0].indicators.people.injured_severe"],
     "injured_severe (9) exceeds injured (5).", "其中重伤（9）大于因灾受伤（5）。"),
    ("disaster.report", {f"{REPORT_TOTALS}.people.need_emergency_aid_current": 181, f"{COUNTY}.people.need_emergency_aid_current": 181},
     "disaster.current_le_cumulative", ["payload.totals.people.need_emergency_aid_current",
                                        "payload.counties[0].indicators.people.need_emergency_aid_current"],
     "need_emergency_aid_current (181) exceeds need_emergency_aid_cumulative (180).", "需紧急生活救助实时值（181）大于累计值（180）。"),
    ("disaster.report", {f"{REPORT_TOTALS}.agriculture.crops_damaged_ha": "400.00", f"{COUNTY}.agriculture.crops_damaged_ha": "400.00"},
     "disaster.crop_order", ["payload.totals.agriculture.crops_damaged_ha", "payload.counties[0].indicators.agriculture.crops_damaged_ha"],
     "crops_damaged_ha (400.00) exceeds crops_affected_ha (350.00).", "农作物成灾面积（400.00）大于受灾面积（350.00）。"),
    ("disaster.report", {f"{REPORT_TOTALS}.housing.collapsed.dwelling_rooms": 13, f"{COUNTY}.housing.collapsed.dwelling_rooms": 13},
     "disaster.subset", ["payload.totals.housing.collapsed.dwelling_rooms", "payload.counties[0].indicators.housing.collapsed.dwelling_rooms"],
     "dwelling_rooms (13) exceeds rooms (12).", "其中住房（13）大于房屋间数（12）。"),
    ("disaster.report", {f"{REPORT_TOTALS}.losses.other": "50.00", f"{COUNTY}.losses.other": "50.00"},
     "disaster.loss_split", ["payload.totals.losses.total", "payload.counties[0].indicators.losses.total"],
     "The parts of the direct economic loss add up to 1530.00, not the total 1520.00.",
     "直接经济损失分项合计 1530.00 万元，与总计 1520.00 万元不符。"),
    ("disaster.report", {f"{REPORT_TOTALS}.people.affected": 1300}, "disaster.totals_sum", ["payload.totals.people.affected"],
     "Counties add up to 1200, not the total 1300.", "各县合计 1200，与总计 1300 不符。"),
    ("disaster.report", {"payload.counties.0.townships.0.indicators.people.affected": 1500}, "disaster.township_sum",
     ["payload.counties[0].indicators.people.affected"], "Townships add up to 1500, more than the county figure 1200.",
     "各乡镇合计 1500，超过县级数据 1200。"),
    ("disaster.report", {"payload.name_list": DELETE}, "disaster.name_list", ["payload.name_list"],
     "Deaths or missing persons reported without a name list (pseudonyms).", "报告了死亡或失踪人口，但缺少名单（假名）。"),
    ("disaster.report", {"payload.name_list.deaths": []}, "disaster.name_list", ["payload.name_list.deaths"],
     "The name list has 0 deaths entries, the totals say 1.", "名单中死亡人员 0 人，与总计 1 人不符。"),
    ("disaster.report", {"payload.sub_type": "hail"}, "disaster.sub_type", ["payload.sub_type"],
     "Sub-type hail does not belong to flood.", "灾种子类 hail 不属于洪涝。"),
    ("disaster.report", {"payload.typhoon_number": "2405"}, "disaster.typhoon_number", ["payload.typhoon_number"],
     "A typhoon report needs the CMA typhoon number; other types must not have one.", "台风灾害须填写中国气象局台风编号，其他灾种不得填写。"),
    ("disaster.report", {"payload.revision": 1}, "disaster.stage_revision", ["payload.revision"],
     "An initial report has revision 1; updates and the final report have revision ≥ 2.", "初报的修订号为 1；续报和核报的修订号应不小于 2。"),
    ("disaster.report", {"payload.started_on": "2024-08-01"}, "disaster.dates", ["payload.started_on"],
     "started_on is later than data_as_of.", "灾害发生日期晚于数据截止时间。"),
    ("disaster.report", {"payload.reporting_unit_code": "110105"}, "disaster.county_scope", ["payload.counties[0].county_code"],
     "County 110111 is outside the reporting unit 110105.", "区县 110111 不在报送单位 110105 辖区内。"),
    ("disaster.correction", {"payload.revision": 4}, "disaster.correction_revision", ["payload.revision"],
     "A correction's revision must be greater than the revision it corrects.", "更正的修订号必须大于被更正报告的修订号。"),
    ("disaster.cancel", {"payload.merged_into_event_id": DELETE}, "disaster.cancel_merge", ["payload.merged_into_event_id"],
     "merged_into_event_id is required exactly when reason_code is merged.", "仅当撤销原因为“合并”时须填写合并后的事件编号。"),
    ("relief.stock_snapshot", {"payload.lines.0.damaged": 401}, "relief.stock_balance", ["payload.lines[0].on_hand"],
     "reserved + damaged exceeds on_hand.", "已预留数与损坏数之和超过库存数。"),
    ("relief.stock_movement", {"payload.unit": "件"}, "relief.item_unit", ["payload.unit"],
     "tent_single is counted in 顶, not 件.", "单帐篷（12㎡）的计量单位为顶，不是件。"),
    ("relief.stock_movement", {"payload.quantity": -5}, "relief.movement_sign", ["payload.quantity"],
     "Only an adjustment may have a negative quantity.", "只有盘点调整的数量可以为负数。"),
    ("relief.stock_movement", {"payload.movement_type": "transfer_out"}, "relief.transfer_counterparty",
     ["payload.counterparty_depot_id"], "A transfer names the other depot.", "调拨须注明对方仓库。"),
    ("relief.stock_movement", {"payload.movement_type": "scrap"}, "relief.movement_reason", ["payload.reason"],
     "Scrap and adjustment need a reason.", "报废和盘点调整须注明原因。"),
    ("relief.support_request", {"payload.lines.1.line_no": 1}, "relief.unique_lines", ["payload.lines[1].line_no"],
     "Duplicate line_no 1.", "line_no 1 重复。"),
    ("relief.dispatch", {"payload.ordered_via": "written"}, "relief.phone_order", ["payload.written_confirmation_due"],
     "A phone order needs written_confirmation_due (within 48 h); a written order has none.",
     "电话调拨须在 48 小时内书面确认（填写 written_confirmation_due）；书面调拨不填。"),
    ("relief.receipt", {"payload.lines.0.in_transit": 1}, "relief.shipped_balance", ["payload.lines[0].shipped"],
     "shipped must equal received + in_transit + discrepancy.", "发运数应等于实收数 + 在途数 + 差异数。"),
    ("relief.receipt", {"payload.lines.0.discrepancy_reason": DELETE}, "relief.discrepancy_reason",
     ["payload.lines[0].discrepancy_reason"], "A discrepancy needs a reason.", "存在差异时须说明原因。"),
    ("verification.request", {"payload.income_period.from_month": "2024-07"}, "verification.income_period",
     ["payload.income_period.to_month"], "The income period ends before it starts.", "收入核对期间的结束月份早于开始月份。"),
    ("verification.request", {"payload.subjects.0.relation": "spouse"}, "verification.one_applicant", ["payload.subjects"],
     "Exactly one subject must be the applicant, found 0.", "核对对象中应有且仅有一名申请人，实有 0 名。"),
    ("verification.response", {"payload.results.0.items.1.summary": {"count": 0}}, "verification.summary_on_hit",
     ["payload.results[0].items[1].summary"], "Only a hit carries summary values.", "只有查询命中时才能附带汇总值。"),
    ("verification.response", {"payload.results.0.items.1.outcome": "error"}, "verification.error_text",
     ["payload.results[0].items[1].error"], "An error outcome needs the error text.", "查询出错时须说明错误原因。"),
    ("verification.response", {"payload.results.0.items.2.summary": {"over_threshold": True, "annual_amount_fen": 1}},
     "verification.deposit_flag_only", ["payload.results[0].items[2].summary"],
     "Deposits are answered only as over_threshold with threshold_fen, never balances.",
     "存款只能以是否超过阈值（over_threshold、threshold_fen）回复，不得提供余额。"),
    ("referral.referral", {"payload.to_region": "bj"}, "referral.household_region", ["payload.to_region"],
     "The household registration 130682 is not in region bj.", "户籍地 130682 不在接收地区 bj。"),
    ("eldercare.enrolment", {"payload.facility.unit_code": "120114"}, "eldercare.facility_region",
     ["payload.facility.unit_code"], "Facility unit 120114 is not in region he.", "机构所在地 120114 不属于地区 he。"),
    ("eldercare.enrolment", {"payload.home_district_code": "130682"}, "eldercare.cross_region", ["payload.facility_region"],
     "Payer and facility are in the same region: not a cross-region case.", "支付地与服务地属同一地区，不属于跨区域养老。"),
    ("eldercare.enrolment", {"payload.discharged_on": "2023-02-01"}, "eldercare.stay_dates", ["payload.discharged_on"],
     "Discharged before admitted.", "离院日期早于入院日期。"),
    ("eldercare.enrolment", {"payload.assessment.valid_until": "2023-01-01"}, "eldercare.assessment_validity",
     ["payload.assessment.valid_until"], "The assessment expires before it was made.", "能力评估有效期早于评估日期。"),
    ("eldercare.entitlement_table", {"payload.rates.1.subsidy_type": "age_90_99"}, "eldercare.rate_overlap",
     ["payload.rates[1].effective_from"], "Rates of age_90_99 overlap.", "补贴类型 age_90_99 的标准期间重叠。"),
    ("eldercare.claim", {"payload.period": "2024-02"}, "eldercare.days_in_month",
     ["payload.lines[0].days_in_care", "payload.lines[1].days_in_care"], "2024-02 has only 29 days.", "2024-02 只有 29 天。"),
    ("eldercare.claim", {"payload.total_fen": 110001}, "eldercare.claim_total", ["payload.total_fen"],
     "total_fen is 110001, the lines add up to 110000.", "申报总额为 110001 分，明细合计 110000 分。"),
    ("eldercare.claim", {"payload.line_count": 3}, "eldercare.claim_total", ["payload.line_count"],
     "line_count is 3, the claim has 2 lines.", "明细条数填报为 3，实有 2 条。"),
    ("eldercare.claim", {"payload.lines.1.line_id": "L1"}, "eldercare.unique_lines", ["payload.lines[1].line_id"],
     "Duplicate line_id 'L1'.", "line_id 'L1' 重复。"),
    ("eldercare.adjudication", {"payload.lines.1.reason_code": DELETE}, "eldercare.rejection_reason",
     ["payload.lines[1].reason_code"], "A rejected line needs a reason code and accepts 0 fen.", "拒付明细须注明原因代码，且核准金额为 0。"),
    ("eldercare.adjudication", {"payload.accepted_total_fen": 1}, "eldercare.adjudication_total",
     ["payload.accepted_total_fen"], "accepted_total_fen is 1, the lines add up to 50000.", "核准总额为 1 分，明细合计 50000 分。"),
    ("eldercare.statement", {"payload.claims.0.accepted_fen": 120000, "payload.accepted_fen": 120000},
     "eldercare.accepted_le_claimed", ["payload.claims[0].accepted_fen"], "More accepted than claimed.", "核准金额大于申报金额。"),
    ("eldercare.statement", {"payload.claimed_fen": 1}, "eldercare.statement_total", ["payload.claimed_fen"],
     "claimed_fen is 1, the claims add up to 110000.", "结算单claimed_fen为 1 分，各申报合计 110000 分。"),
    ("hub.receipt", {"payload.outcome": "accepted"}, "hub.receipt_outcome", ["payload.outcome"],
     "Outcome accepted does not match code 420.", "回执结果与代码 420 不一致。"),
    ("hub.receipt", {"payload.rule": None}, "hub.receipt_rule", ["payload.rule"],
     "A 420 receipt names the broken rule.", "420 回执须注明违反的规则。"),
    ("hub.receipt", {"payload.code": 499}, "hub.receipt_code", ["payload.code"], "499 is not a receipt code.", "499 不是回执代码。"),
    ("hub.receipt", {"payload.reason_zh": None}, "hub.receipt_reason", ["payload.reason"],
     "A rejection needs a reason in English and Chinese.", "拒收回执须附中英文原因。"),
    ("hub.aggregated_response", {"payload.responses": [
        {"from_region": "he", "outcome": "timed_out", "message_id": None, "received_at": None, "payload": None}] * 2},
     "hub.aggregated_regions", ["payload.responses"], "One response per region.", "每个地区只能有一个答复。"),
    ("hub.routed_request", {"payload.to_region": "bj"}, "hub.routed_regions", ["payload.to_region"],
     "A routed request goes to another region.", "转发请求的接收地区不能是发送地区。"),
    ("hub.routed_request", {"payload.payload.subjects.0.person_ref": "11010519491231002X"}, "hub.routed_payload",
     ["payload.payload.subjects[0].person_ref"], "Looks like a plain ID number: send a person_ref pseudonym instead.",
     "疑似明文身份证号码：请改为发送 person_ref 假名。"),
    ("hub.aggregated_response", {"payload.responses.0.message_id": None}, "hub.aggregated_message",
     ["payload.responses[0].message_id"], "Answered and declined responses name their message; others do not.",
     "已答复或已拒绝的答复须注明消息标识，其他不填。"),
    ("hub.aggregated_response", {"payload.responses.0.payload.report_no": "号"}, "hub.aggregated_payload",
     ["payload.responses[0].payload.report_no"],
     "Not an identifier (1–64 of A–Z a–z 0–9 . _ : -, starting with a letter or digit).",
     "标识符格式错误（1–64 位字母、数字或 . _ : -，以字母或数字开头）。"),
    ("hub.aggregated_response", {"payload.responses.0.outcome": "pending", "payload.responses.0.message_id": None},
     "hub.aggregated_complete", ["payload.complete"], "A complete response has no pending region.", "汇总答复标记为完成时不能有待答复地区。"),
    ("hub.statement_notice", {"payload.notice_type": "balanced"}, "hub.notice_differences", ["payload.differences"],
     "A differences notice lists the differing lines; other notices list none.", "差异通知须列出差异明细，其他通知不列。"),
]


@pytest.mark.parametrize(("kind", "changes", "rule", "paths", "en", "zh"), CASES,
                         ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_cross_field_rule(kind, changes, rule, paths, en, zh):
    err = rejection(mutated(kind, changes))
    assert isinstance(err, RuleViolation)
    assert err.code is ReceiptCode.BUSINESS_RULE
    assert (err.rule, err.paths) == (rule, paths)
    assert (err.errors[0].en, err.errors[0].zh) == (en, zh)


def test_every_rule_id_in_the_registry_has_a_row():
    import re
    from pathlib import Path

    import schemas

    source = "".join(p.read_text() for p in Path(schemas.__file__).parent.joinpath("payloads").glob("*.py"))
    declared = set(re.findall(r'"((?:disaster|relief|verification|referral|eldercare|hub)\.[a-z_]+)"', source))
    declared = {d for d in declared if d not in schemas.KINDS and not d.startswith("verification.request")}
    assert declared - {c[2] for c in CASES} <= {"relief.unique_regions", "verification.unique_subjects",
                                                "verification.unique_items", "eldercare.rate_dates",
                                                "eldercare.unique_claims", "relief.item_unit"} | {"verification.response"}


def test_a_correction_must_reference_what_it_corrects():
    err = rejection(mutated("disaster.correction", {"references": []}))
    assert err.code is ReceiptCode.SCHEMA_INVALID
    assert err.paths == ["references"]
    assert err.errors[0].zh == "disaster.correction 必须在 references 中引用其替代、答复或撤销的消息。"


def test_a_message_cannot_reference_itself():
    err = rejection(mutated("disaster.correction", {"references": [fixed_id(100)]}))
    assert (err.paths, err.errors[0].key) == (["references"], "self_reference")
