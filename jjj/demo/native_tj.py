"""Tianjin's system exports CSV (GBK) on a schedule into the adapter's drop folder: 亩, 元, districts by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from adapters.core import catalogues as cat
from adapters.tianjin import claims, disaster, places, referrals
from adapters.tianjin.columns import REF_COLUMN
from adapters.tianjin.config import TIERS
from jjj.demo.native_common import (
    DISASTER_ZH,
    ITEM_ZH,
    MODE_ZH,
    STAGE_ZH,
    SUB_TYPE_ZH,
    SUBSIDY_ZH,
    Native,
    county_name,
    fen_to_yuan,
    ha_to_mu,
    reverse,
    slug,
    wan_to_yuan,
)
from jjj.demo.timeline import Step

TIER_ZH = {code: zh for zh, code in reversed(TIERS.items())}
MOVEMENT_ZH = {"inbound": "入库", "outbound": "出库", "transfer_in": "调入", "transfer_out": "调出", "scrap": "报废",
               "adjustment": "盘点调整"}
FIGURES = {path: name for name, path, _ in disaster.INDICATORS}


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    text = buf.getvalue()
    try:
        return text.encode("gbk")
    except UnicodeEncodeError:  # a character outside GBK: GB18030 is what the system writes then
        return text.encode("gb18030")


def _local(ts: str) -> str:
    """``2026-07-30T12:00:00+08:00`` → ``2026-07-30 12:00:00`` (the export's Beijing time, no offset)."""
    return ts[:19].replace("T", " ")


def disaster_row(p: dict, ids: Mapping[str, str]) -> dict:
    row = {"灾情编号": p["event_id"], "灾种": DISASTER_ZH[p["disaster_type"]], "灾种子类": SUB_TYPE_ZH.get(p.get("sub_type"), ""),
           "发生日期": p["started_on"], "报告类型": STAGE_ZH[p["stage"]], "报告序号": p["revision"],
           "统计截至": _local(p["data_as_of"]), "填报区": county_name(p["reporting_unit_code"]),
           "情况说明": p.get("narrative", "")}
    for group, values in p["totals"].items():
        for k, v in values.items():
            leaves = {f"{k}.{kk}": vv for kk, vv in v.items()} if isinstance(v, dict) else {k: v}
            for leaf, value in leaves.items():
                name = FIGURES.get(f"{group}.{leaf}")
                if name is None:
                    continue
                row[name] = ha_to_mu(value) if "（亩）" in name else wan_to_yuan(value) if "（元）" in name else value
    names = p.get("name_list") or {}
    row["死亡人员身份证号"] = ";".join(ids[r["ref"]] for r in names.get("deaths", []))
    row["失踪人员身份证号"] = ";".join(ids[r["ref"]] for r in names.get("missing", []))
    return row


DISASTER_HEADER = [*disaster.REQUIRED[:2], "灾种子类", *disaster.REQUIRED[2:], *FIGURES.values(), "死亡人员身份证号",
                   "失踪人员身份证号", "情况说明"]
LEDGER_HEADER = ["流水号", "仓库编号", "仓库名称", "仓库级别", "所在区", "发生时间", "业务类型", "物资名称", "规格型号",
                 "计量单位", "批次号", "数量", "结存数量", "对方仓库编号", "调拨单号", "备注"]
CLAIMS_HEADER = [*claims.REQUIRED[:7], "老人姓名", *claims.REQUIRED[7:]]


def ledger_row(p: dict) -> dict:
    d = p["depot"]
    return {"流水号": p["movement_id"], "仓库编号": d["depot_id"], "仓库名称": d.get("name", ""),
            "仓库级别": TIER_ZH[d["tier"]], "所在区": county_name(d["unit_code"]), "发生时间": _local(p["occurred_at"]),
            "业务类型": MOVEMENT_ZH[p["movement_type"]], "物资名称": ITEM_ZH[p["item_code"]], "计量单位": p["unit"],
            "批次号": p.get("batch", ""), "数量": p["quantity"], "结存数量": p["balance_after"],
            "对方仓库编号": p.get("counterparty_depot_id", ""), "调拨单号": p.get("dispatch_id", ""),
            "备注": p.get("reason", "")}


def claim_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    head = {"申报单号": p["claim_id"], "机构编号": p["facility"]["facility_id"], "机构名称": p["facility"]["name"],
            "机构所在区": county_name(p["facility"]["unit_code"]), "申报月份": p["period"],
            "老人户籍区": county_name(p["payer_district_code"])}
    return [{**head, "明细编号": ln["line_id"], "身份证号": ids[ln["elder_ref"]["ref"]], "登记编号": ln["enrolment_id"],
             "补贴项目": SUBSIDY_ZH[ln["subsidy_type"]], "在院天数": ln["days_in_care"],
             "申报金额（元）": fen_to_yuan(ln["amount_fen"])} for ln in p["lines"]]


# -- answers and the other relief / case / settlement exports (adapters/tianjin/{relief,verification,referrals,eldercare}.py)
ORDER_ZH = {"written": "书面", "phone": "电话"}
OUTCOME_ZH = {"hit": "命中", "no_hit": "未命中", "error": "查询出错", "not_authorised": "未授权", "not_supported": "不支持"}
CHECK_ZH, REGION_NAME, SITUATION_ZH, NEED_ZH = (reverse(cat.CHECK_ITEMS), reverse(cat.REGIONS),
                                                reverse(referrals.SITUATIONS), reverse(referrals.NEEDS))
TJ_ZH = {code: name for name, code in reversed(places.TJ_UNIT.table.items())}
SUMMARY = {"monthly_income_fen": "月收入（元）", "annual_amount_fen": "年度金额（元）", "count": "数量", "status": "状态",
           "as_of": "截至日期", "threshold_fen": "阈值（元）"}


def _place(code: str) -> str:
    """A place in Beijing or Hebei by its (shortest unambiguous) name, as the export writes it (涿州市)."""
    return min((n for n, c in places.PLACE.table.items() if c == code and not n.isdigit()), key=len)


def _contact(c: dict, prefix: str = "") -> dict:
    return {f"{prefix}联系人职务": c["role"], f"{prefix}联系人": c["masked_name"], f"{prefix}联系电话": c["phone"]}


def _item(ln: dict) -> dict:
    return {"序号": ln["line_no"], "物资名称": ITEM_ZH[ln["item_code"]], "计量单位": ln["unit"]}


def stock_count_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    d = p["depot"]
    head = {"仓库编号": d["depot_id"], "仓库名称": d.get("name", ""), "仓库级别": TIER_ZH[d["tier"]],
            "所在区": county_name(d["unit_code"]), "盘点时间": _local(p["as_of"])}
    return [{**head, "物资名称": ITEM_ZH[ln["item_code"]], "计量单位": ln["unit"], "批次号": ln.get("batch", ""),
             "储备方式": MODE_ZH[ln["storage_mode"]], "实存数量": ln["on_hand"], "预留数量": ln.get("reserved", 0),
             "损坏数量": ln.get("damaged", 0)} for ln in p["lines"]]


def commitment_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    head = {"请求编号": p["request_id"], "承诺编号": p["commitment_id"],
            "预计发运时间": _local(p["expected_dispatch_at"]), **_contact(p["contact"])}
    return [{**head, **_item(ln), "承诺数量": ln["quantity"], "出库仓库编号": ln["from_depot_id"]} for ln in p["lines"]]


def dispatch_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    head = {"调拨单号": p["dispatch_id"], "请求编号": p["request_id"], "承诺编号": p["commitment_id"],
            "下达方式": ORDER_ZH[p["ordered_via"]],
            "书面确认时限": _local(p["written_confirmation_due"]) if p.get("written_confirmation_due") else "",
            "接收单位": _place(p["receiving_unit_code"]), "接收地址": p["receiving_place"]["address"],
            **_contact(p["sender_contact"], "发货"), **_contact(p["receiver_contact"], "收货"),
            "发运时间": _local(p["departed_at"])}
    return [{**head, **_item(ln), "数量": ln["quantity"], "出库仓库编号": ln["from_depot_id"]} for ln in p["lines"]]


def _summary(s: dict) -> dict:
    out = {SUMMARY[k]: fen_to_yuan(v) if k.endswith("_fen") else v for k, v in s.items() if k in SUMMARY}
    if "over_threshold" in s:
        out["是否超过阈值"] = "是" if s["over_threshold"] else "否"
    return out


def verification_response_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    head = {"请求编号": p["request_id"], "报告编号": p["report_no"], "出具时间": _local(p["issued_at"])}
    return [{**head, "对象编号": r["subject_id"], "身份证号": ids[r["person_ref"]["ref"]], "核对项目": CHECK_ZH[i["item"]],
             "查询结果": OUTCOME_ZH[i["outcome"]], "反馈时间": _local(i["feedback_at"]), **_summary(i.get("summary", {})),
             "错误说明": i.get("error", "")} for r in p["results"] for i in r["items"]]


def referral_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    return [{"转办编号": p["referral_id"], "转入地区": REGION_NAME[p["to_region"]],
             "转出单位": TJ_ZH[p["referring_unit_code"]], "身份证号": ids[p["person_ref"]["ref"]], "姓名": p["masked_name"],
             "户籍地": _place(p["household_registration_code"]), "困难情形": SITUATION_ZH[p["situation"]],
             "情况描述": p["description"], "先行救助金额（元）": fen_to_yuan(p["first_aid_fen"]),
             "先行救助时间": _local(p["first_aid_at"]) if p.get("first_aid_at") else "",
             "转办需求": ";".join(NEED_ZH[n] for n in p["needs"]), "反馈时限": _local(p["acknowledge_by"]),
             **_contact(p["contact"])}]


def confirmation_rows(p: dict, ids: Mapping[str, str]) -> list[dict]:
    return [{"结算单号": p["statement_id"], "确认时间": _local(p["confirmed_at"]),
             "确认金额（元）": fen_to_yuan(p["confirmed_fen"])}]


#: kind → (format, file-name stem, rows): one export per step, named so the drop folder detects its format
TABLES = {"relief.stock_snapshot": ("stock_count", "stock_count", stock_count_rows),
          "relief.commitment": ("commitment", "commitment", commitment_rows),
          "relief.dispatch": ("dispatch", "dispatch", dispatch_rows),
          "verification.response": ("verification_response", "verification_response", verification_response_rows),
          "referral.referral": ("referral", "referrals", referral_rows),
          "eldercare.confirmation": ("confirmation", "confirmation", confirmation_rows)}


def table_bytes(rows: list[dict], references: tuple[str, ...]) -> bytes:
    """The export: the header is every column the rows use, in first-use order, plus 回复消息编号 for an answer."""
    if references:  # the hub message answered (GET /deliveries), repeated on every row of the message
        rows = [{**r, REF_COLUMN: ";".join(references)} for r in rows]
    header = list(dict.fromkeys(k for r in rows for k in r))
    return csv_bytes(header, rows)


def render(step: Step, ids: Mapping[str, str], references: tuple[str, ...] = ()) -> Native | None:
    name = slug(step.step_id)
    if step.kind == "disaster.report":
        return Native("file", "disaster", csv_bytes(DISASTER_HEADER, [disaster_row(step.payload, ids)]),
                      f"disaster_{name}.csv")
    if step.kind == "relief.stock_movement":
        return Native("file", "ledger", csv_bytes(LEDGER_HEADER, [ledger_row(step.payload)]), f"ledger_{name}.csv")
    if step.kind == "eldercare.claim":
        rows = claim_rows(step.payload, ids)
        if step.native.get("corrupt") == "id_check_digit":  # a native fault: the last character is wrong
            n = rows[0]["身份证号"]
            rows[0]["身份证号"] = n[:-1] + ("1" if n[-1] != "1" else "2")
        return Native("file", "claims", csv_bytes(CLAIMS_HEADER, rows), f"claims_{name}.csv")
    if step.kind in TABLES:
        fmt, stem, rows = TABLES[step.kind]
        return Native("file", fmt, table_bytes(rows(step.payload, ids), references), f"{stem}_{name}.csv")
    return None
