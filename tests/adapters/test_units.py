"""Native figures convert exactly into the contract's units, or are refused with the field and the reason."""

from __future__ import annotations

import pytest

from adapters.core import units as u
from adapters.core.errors import RowError


@pytest.mark.parametrize(("fn", "value", "expected"), [
    (u.count, "12", 12), (u.count, 12, 12), (u.count, "1,200", 1200), (u.count, 3.0, 3),
    (u.yuan_to_fen, "400.00", 40_000), (u.yuan_to_fen, "0.1", 10), (u.yuan_to_fen, 500, 50_000),
    (u.yuan_to_fen, 0.1, 10),  # an Excel float reads as its shortest text, never 0.1000000000000000055…
    (u.mu_to_hectares, "15", "1.00"), (u.mu_to_hectares, "1", "0.07"), (u.mu_to_hectares, "12600", "840.00"),
    (u.yuan_to_wanyuan, "3125050", "312.51"), (u.yuan_to_wanyuan, "49", "0.00"), (u.yuan_to_wanyuan, "50", "0.01"),
    (u.wanyuan, "86.5", "86.50"), (u.wanyuan, "1520", "1520.00"), (u.hectares, "0.25", "0.25"),
    (u.signed_int, "-4", -4),
])
def test_conversion(fn, value, expected) -> None:  # noqa: ANN001
    assert fn(value, "f") == expected


@pytest.mark.parametrize(("fn", "value", "reason"), [
    (u.count, "-1", "count -1 is negative"), (u.count, "1.5", "1.5 is not a whole number"),
    (u.count, "abc", "'abc' is not a number"), (u.count, "", "a number is required"),
    (u.count, "NaN", "'NaN' is not a finite number"),
    (u.yuan_to_fen, "12.345", "12.345 元 has more than two decimals"), (u.yuan_to_fen, "-1", "amount -1 元 is negative"),
    (u.wanyuan, "0.001", "0.001 万元 has more than two decimals"), (u.mu_to_hectares, "-15", "-15 亩 is negative"),
    # found by the fuzzer: 1E100 亩 made quantize raise decimal.InvalidOperation
    (u.mu_to_hectares, "1E100", "'1E100' is too large (more than 15 digits before the decimal point)"),
    (u.count, "1000000000000000", "'1000000000000000' is too large (more than 15 digits before the decimal point)"),
    (u.yuan_to_fen, "-1E20", "'-1E20' is too large (more than 15 digits before the decimal point)"),
    # d * 100 would round this to 28 digits and pass it as 1200 分
    (u.yuan_to_fen, "12.000000000000000000000000000001", "12.000000000000000000000000000001 元 has more than two "
                                                          "decimals"),
])
def test_refusal_names_field_and_reason(fn, value, reason) -> None:  # noqa: ANN001
    with pytest.raises(RowError) as exc:
        fn(value, "申报金额（元） (amount_fen)")
    assert [(p.field, p.reason) for p in exc.value.problems] == [("申报金额（元） (amount_fen)", reason)]
