"""Tianjin's system exports CSV (GBK) on a schedule into the adapter's drop folder: 亩, 元, districts by name."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from adapters.tianjin import claims, disaster
from adapters.tianjin.config import TIERS
from jjj.demo.native_common import (
    DISASTER_ZH,
    ITEM_ZH,
    STAGE_ZH,
    SUB_TYPE_ZH,
    SUBSIDY_ZH,
    Native,
    county_name,
    fen_to_yuan,
    ha_to_mu,
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


def render(step: Step, ids: Mapping[str, str]) -> Native | None:
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
    return None
