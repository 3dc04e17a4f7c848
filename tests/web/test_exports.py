"""CSV (UTF-8 with BOM) of every list has exactly the rows the JSON list counts for the same filters; Excel export
of a statement."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

LISTS = [
    ("coord", "/api/v1/disasters?status=open"), ("coord", "/api/v1/disasters?region=he"),
    ("coord", "/api/v1/disasters"), ("coord", "/api/v1/relief/stock?region=bj"), ("coord", "/api/v1/relief/flows"),
    ("coord", "/api/v1/relief/shortfalls?region=he"), ("coord", "/api/v1/verifications?overdue=true"),
    ("coord", "/api/v1/referrals"), ("coord", "/api/v1/eldercare/claims?period=2026-06"),
    ("xicheng", "/api/v1/eldercare/claims"), ("coord", "/api/v1/eldercare/adjudications?payer_district=110102"),
    ("coord", "/api/v1/eldercare/statements"), ("admin", "/api/v1/rejections"),
    ("op-bj", "/api/v1/dead-letters"), ("admin", "/api/v1/dead-letters?code=410"),
]


@pytest.mark.parametrize(("user", "path"), LISTS)
def test_csv_rows_equal_json_total(web, user: str, path: str) -> None:
    total = web.api(user, path).get_json()["total"]
    resp = web.api(user, path + ("&" if "?" in path else "?") + "format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(rows) - 1 == total


def test_csv_keeps_chinese_and_neutralises_formulas(web) -> None:
    from hub.entrypoints.web.listing import csv_response

    body = csv_response("x", [{"a": "=cmd|' /C calc'!A0", "b": "北京市"}]).data.decode("utf-8-sig")
    assert body == "a,b\r\n'=cmd|' /C calc'!A0,北京市\r\n"


def test_statement_excel_export(web) -> None:
    resp = web.api("xicheng", "/api/v1/eldercare/statements/S-XC-1.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    head = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(max_row=9)}
    assert head["结算单号 statement"] == "S-XC-1" and head["合计（分）total fen"] == 150000
    lines = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in lines] == [("C-XC-1-L1", 50000), ("C-XC-1-L2", 50000), ("C-XC-1-L3", 50000)]
