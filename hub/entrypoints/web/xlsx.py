"""Excel export of a settlement statement (xlsxwriter; 元 with two decimals for display, fen kept alongside)."""

from __future__ import annotations

import io

import xlsxwriter


def statement_workbook(st: dict) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "0.00"})
    ws = wb.add_worksheet("结算单 statement")
    head = [("结算单号 statement", st["statement_id"]), ("期间 period", st["period"]),
            ("支付地 payer district", st["payer_district"]), ("收款地区 payee region", st["payee_region"]),
            ("机构 facility", st["facility_id"]), ("补贴类型 subsidy type", st["subsidy_type"]),
            ("明细条数 lines", st["line_count"]), ("合计（分）total fen", st["total_fen"]),
            ("状态 status", st["status"])]
    for i, (k, v) in enumerate(head):
        ws.write(i, 0, k, bold)
        ws.write(i, 1, v)
    ws.write(len(head), 0, "合计（元）total yuan", bold)
    ws.write_formula(len(head), 1, "=B8/100", money)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 30)
    lines = wb.add_worksheet("明细 lines")
    for c, name in enumerate(("明细号 line", "老人（假名尾号）elder", "金额（分）fen", "金额（元）yuan", "调整 adjusts")):
        lines.write(0, c, name, bold)
    for r, ln in enumerate(st["lines"], start=1):
        lines.write_string(r, 0, ln["line_id"])
        lines.write_string(r, 1, ln["elder"])
        lines.write_number(r, 2, ln["amount_fen"])
        lines.write_formula(r, 3, f"=C{r + 1}/100", money)
        lines.write_string(r, 4, ln["adjusts"] or "")
    lines.set_column(0, 4, 22)
    wb.close()
    return buf.getvalue()
