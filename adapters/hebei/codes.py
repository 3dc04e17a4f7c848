"""Hebei's 12-digit 统计用区划代码 (130682000000) → GB/T 2260 (130682); 6-digit codes pass as they are."""

from __future__ import annotations

from adapters.core.errors import bad
from schemas import refdata


def division(value: object, field: str, *, county: bool = False) -> str:
    code = str(value or "").strip()
    if len(code) == 12 and code.isdigit():
        if code[6:] != "000000":
            raise bad(field, f"{code} is a township-level code, a county or prefecture code is needed",
                      f"{code} 是乡镇级代码，应为县级或地市级代码")
        code = code[:6]
    if len(code) != 6 or not code.isdigit() or not code.startswith("13") or not refdata.is_current_code(code):
        raise bad(field, f"unknown Hebei division code {value!r}", f"未知的河北省区划代码“{value}”")
    if county and refdata.division(code).level != "county":
        raise bad(field, f"{code} is not a county-level code", f"{code} 不是县级区划代码")
    return code
