"""The dashboard's strings, zh (default) and en. Disaster types and relief items come from the contract's
reference data (which carries both languages). A test checks both languages have exactly the same keys."""

from __future__ import annotations

from schemas import refdata

_PAIRS: dict[str, tuple[str, str]] = {
    "app.name": ("京津冀民政协同平台", "Jing-Jin-Ji Civil Affairs Hub"),
    "app.title": ("协同总览", "Coordination"),
    "nav.overview": ("灾情总览", "Overview"), "nav.relief": ("救灾物资", "Relief"),
    "nav.cases": ("核对与转办", "Verifications & referrals"), "nav.settlement": ("养老结算", "Eldercare settlement"),
    "nav.exchange": ("交换健康", "Exchange health"), "nav.api": ("接口文档", "API docs"), "nav.logout": ("退出", "Log out"),
    "role.coordinator": ("应急协调员", "coordinator"), "role.region_operator": ("地区运维", "region operator"),
    "role.district_officer": ("区县结算员", "district settlement officer"), "role.admin": ("管理员", "admin"),
    "region.bj": ("北京市", "Beijing"), "region.tj": ("天津市", "Tianjin"), "region.he": ("河北省", "Hebei"),
    "region.total": ("合计", "Total"),
    "login.title": ("登录", "Sign in"), "login.username": ("用户名", "User name"), "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"), "login.failed": ("用户名或密码错误", "Wrong user name or password"),
    "login.too_many": ("登录失败次数过多，请稍后再试", "Too many failed sign-ins; try again later"),
    "fresh.loading": ("加载中…", "loading…"), "fresh.updated": ("更新于", "updated"),
    "fresh.failed": ("更新失败", "update failed"), "fresh.data_as_of": ("数据截至", "data as of"),
    "fresh.generated": ("生成于", "generated at"),
    "overview.heading": ("京津冀灾情总览", "Jing-Jin-Ji disaster overview"),
    "overview.totals": ("分地区汇总（人次）", "Totals per region (person-times)"),
    "overview.map": ("各区县受灾人口", "Affected population by county"),
    "overview.needs": ("需求与库存", "Needs vs stock"), "overview.events": ("进行中的灾害事件", "Open disaster events"),
    "event.heading": ("灾害事件", "Disaster event"), "event.state": ("当前状态", "Current state"),
    "event.timeline": ("报告时间线", "Report timeline"), "event.counties": ("分区县", "By county"),
    "relief.heading": ("救灾物资", "Relief materials"), "relief.shortfalls": ("缺口", "Shortfalls"),
    "relief.stock": ("库存", "Stock"), "relief.flows": ("跨区域支援与在途", "Support flows and shipments"),
    "cases.heading": ("核对与救急难转办", "Verifications and urgent-assistance referrals"),
    "cases.verifications": ("核对请求（未完成）", "Open verification requests"),
    "cases.referrals": ("转办", "Referrals"),
    "settlement.heading": ("跨区域养老结算", "Portable eldercare settlement"),
    "settlement.statements": ("结算单", "Statements"), "settlement.claims": ("申报", "Claims"),
    "settlement.not_yours": ("非本区县结算单", "Not your district's statement"),
    "settlement.confirmed": ("已确认结算单", "Statement confirmed"),
    "settlement.disputed": ("已提出异议", "Dispute recorded"),
    "statement.heading": ("结算单", "Statement"), "statement.confirm": ("确认结算单", "Confirm statement"),
    "statement.dispute": ("对所选明细提出异议", "Dispute selected lines"), "statement.reason": ("异议理由", "Reason"),
    "statement.events": ("处理记录", "History"), "statement.excel": ("导出 Excel", "Export to Excel"),
    "exchange.heading": ("交换健康", "Exchange health"), "exchange.regions": ("各地区适配器", "Regions"),
    "exchange.rejections": ("按代码统计的拒收", "Rejections by code"), "exchange.dead_letters": ("死信", "Dead letters"),
    "common.none": ("暂无数据", "Nothing here"), "common.total": ("共", "Total"), "common.yes": ("是", "yes"),
    "common.no": ("否", "no"), "unit.yuan": ("元", "yuan"),
    "status.open": ("进行中", "open"), "status.closed": ("已核报", "closed"), "status.cancelled": ("已撤销", "cancelled"),
    "status.complete": ("已完成", "complete"), "status.overdue": ("已超期", "overdue"),
    "status.issued": ("已出具", "issued"), "status.confirmed": ("已确认", "confirmed"),
    "status.disputed": ("有异议", "disputed"), "status.settled": ("已结清", "settled"),
    "status.sent": ("已发送", "sent"), "status.accepted": ("已接收", "accepted"), "status.rejected": ("已退回", "rejected"),
    "status.in_progress": ("办理中", "in progress"), "status.requested": ("已请求", "requested"),
    "status.committed": ("已承诺", "committed"), "status.dispatched": ("已发运", "dispatched"),
    "status.received": ("已签收", "received"), "status.declined": ("已婉拒", "declined"),
    "status.partially_received": ("部分签收", "partially received"),
    "tier.central": ("中央", "central"), "tier.province": ("省级", "province"), "tier.prefecture": ("市级", "prefecture"),
    "tier.county": ("县级", "county"), "tier.township": ("乡镇", "township"),
    "stage.initial": ("初报", "initial"), "stage.update": ("续报", "update"), "stage.final": ("核报", "final"),
    "kind.disaster.report": ("报告", "report"), "kind.disaster.correction": ("更正", "correction"),
    "kind.disaster.cancel": ("撤销", "cancel"),
    "event_kind.confirmation": ("确认", "confirmation"), "event_kind.dispute": ("异议", "dispute"),
    "event_kind.resolution": ("异议处理", "resolution"), "event_kind.payment": ("支付", "payment"),
    "fig.affected_population": ("受灾人口", "affected population"), "fig.deaths": ("因灾死亡", "deaths"),
    "fig.missing": ("因灾失踪", "missing"), "fig.injured": ("因灾受伤", "injured"),
    "fig.relocated_cumulative": ("紧急转移安置（累计）", "relocated (cumulative)"),
    "fig.relocated_realtime": ("紧急转移安置（实时）", "relocated (now)"),
    "fig.direct_economic_loss_wan_yuan": ("直接经济损失（万元）", "direct economic loss (10k yuan)"),
}

_COLUMNS: dict[str, tuple[str, str]] = {
    "region": ("地区", "region"), "event_id": ("事件编号", "event"), "status": ("状态", "status"),
    "stage": ("阶段", "stage"), "revision": ("修订号", "revision"), "disaster_type": ("灾种", "type"),
    "started_on": ("发生日期", "started on"), "data_as_of": ("数据截至", "data as of"),
    "affected_population": ("受灾人口", "affected"), "deaths": ("死亡", "deaths"), "missing": ("失踪", "missing"),
    "injured": ("受伤", "injured"), "relocated_cumulative": ("转移安置（累计）", "relocated (cum.)"),
    "relocated_realtime": ("转移安置（实时）", "relocated (now)"), "flags": ("提示", "flags"),
    "events": ("事件数", "events"), "open_events": ("进行中", "open"), "code": ("代码", "code"),
    "item": ("物资", "item"), "need": ("需求", "need"), "available": ("可用", "available"),
    "shortfall": ("缺口", "shortfall"),
    "tier": ("储备层级", "tier"), "depot_id": ("仓库", "depot"), "spec": ("规格", "spec"), "unit": ("单位", "unit"),
    "on_hand": ("账面", "on hand"), "reserved": ("已预留", "reserved"), "damaged": ("损坏", "damaged"),
    "discrepancy_count": ("差异", "discrepancies"), "request_id": ("请求编号", "request"),
    "needed_by": ("需到时间", "needed by"), "committed_regions": ("承诺地区", "committing regions"),
    "in_transit": ("在途", "in transit"), "assistance_type": ("救助类型", "assistance"),
    "target_regions": ("被核对地区", "asked regions"), "submitted_at": ("提交时间", "submitted"),
    "due_on": ("答复期限", "due"), "expected": ("应答项", "expected"), "answered": ("已答项", "answered"),
    "overdue": ("超期", "overdue"), "referral_id": ("转办编号", "referral"), "from_region": ("转出地", "from"),
    "to_region": ("转入地", "to"), "state": ("状态", "state"), "sent_at": ("发送时间", "sent"),
    "acknowledge_by": ("确认期限", "acknowledge by"), "acknowledged_at": ("确认时间", "acknowledged"),
    "statement_id": ("结算单号", "statement"), "period": ("期间", "period"), "payer_district": ("支付地", "payer district"),
    "payee_region": ("收款地区", "payee region"), "facility_id": ("机构", "facility"),
    "subsidy_type": ("补贴类型", "subsidy type"), "line_count": ("明细条数", "lines"), "total_fen": ("金额（元）", "amount (yuan)"),
    "claim_id": ("申报编号", "claim"), "facility_region": ("机构所在地区", "facility region"),
    "claimed_fen": ("申报金额（元）", "claimed (yuan)"), "line_id": ("明细号", "line"), "elder": ("老人（假名尾号）", "elder (pseudonym tail)"),
    "amount_fen": ("金额（分）", "amount (fen)"), "adjusts": ("调整", "adjusts"), "last_at": ("最近", "last"),
    "count": ("数量", "count"), "id": ("序号", "id"), "reason": ("原因", "reason"), "topic": ("主题", "topic"),
    "partition": ("分区", "partition"), "offset": ("位点", "offset"), "received_at": ("接收时间", "received"),
    "last_heartbeat_at": ("最近心跳", "last heartbeat"), "outbox_depth": ("发件箱积压", "outbox depth"),
    "stale": ("失联", "stale"), "last_message_at": ("最近消息", "last message"), "consumer_lag": ("消费滞后", "consumer lag"),
    "accepted": ("已接收", "accepted"), "rejected": ("已拒收", "rejected"), "rejections": ("拒收（代码×次）", "rejections (code×n)"),
    "dead_letters": ("死信", "dead letters"),
}

MESSAGES: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
for _k, (_zh, _en) in _PAIRS.items():
    MESSAGES["zh"][_k], MESSAGES["en"][_k] = _zh, _en
for _k, (_zh, _en) in _COLUMNS.items():
    MESSAGES["zh"][f"col.{_k}"], MESSAGES["en"][f"col.{_k}"] = _zh, _en
for _code, _dt in refdata.DISASTER_TYPES.items():
    MESSAGES["zh"][f"dtype.{_code}"], MESSAGES["en"][f"dtype.{_code}"] = _dt.zh, _dt.en
for _code, _it in refdata.RELIEF_ITEMS.items():
    MESSAGES["zh"][f"item.{_code}"], MESSAGES["en"][f"item.{_code}"] = _it.zh, _it.en
