"""Exact unit conversion of native figures into the contract's units (contracts.md "Numbers": never floats).

Every native number is parsed as text into :class:`decimal.Decimal`.  Conversions that are exact stay exact
(元 → 分 must be a whole number of fen or the value is refused); conversions that cannot be exact in the
contract's scale (亩 → 公顷 divides by 15; 元 → 万元 at scale 2 keeps hundreds of 元) round half-up once, at the
end, to the contract's scale — the only rounding anywhere in the adapters.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from adapters.core.errors import bad

MU_PER_HECTARE = Decimal(15)        # 1 公顷 = 15 亩 (domain.md §1)
YUAN_PER_WANYUAN = Decimal(10_000)
FEN_PER_YUAN = Decimal(100)
SCALE2 = Decimal("0.01")
#: No native figure has more whole digits than this (the biggest are 元 of economic loss, far below 10^15); a bigger
#: one is a typo or garbage, and refusing it here keeps every later step (quantize at 28 digits of precision,
#: int() of 1E999999) exact and cheap.
MAX_WHOLE_DIGITS = 15


def number(value: object, field: str) -> Decimal:
    """A native figure (text, int, or a Decimal from a spreadsheet) as a finite Decimal; thousands separators allowed."""
    if isinstance(value, bool) or value is None:
        raise bad(field, "a number is required", "须为数字")
    if isinstance(value, float):  # JSON or Excel floats: take the shortest text that round-trips, never binary noise
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text:
        raise bad(field, "a number is required", "须为数字")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise bad(field, f"{text!r} is not a number", f"“{text}”不是数字") from None
    if not d.is_finite():
        raise bad(field, f"{text!r} is not a finite number", f"“{text}”不是有限数值")
    if d and d.adjusted() >= MAX_WHOLE_DIGITS:
        raise bad(field, f"{text!r} is too large (more than {MAX_WHOLE_DIGITS} digits before the decimal point)",
                  f"“{text}”过大（整数部分超过 {MAX_WHOLE_DIGITS} 位）")
    return d


def count(value: object, field: str) -> int:
    """A non-negative whole count (persons, rooms, items): 12 and "12" and "12.0" pass, -1 and 1.5 do not."""
    if type(value) is str and 0 < len(value) <= MAX_WHOLE_DIGITS and value.isascii() and value.isdigit():
        return int(value)  # the common case (plain digits of a CSV cell): what the Decimal path gives, cheaper
    d = number(value, field)
    if d != d.to_integral_value():
        raise bad(field, f"{d} is not a whole number", f"{d} 不是整数")
    if d < 0:
        raise bad(field, f"count {d} is negative", f"数量 {d} 为负数")
    return int(d)


def signed_int(value: object, field: str) -> int:
    """A whole number that may be negative (ledger adjustments)."""
    if type(value) is str and len(value) <= MAX_WHOLE_DIGITS:
        digits = value[1:] if value[:1] in ("-", "+") else value
        if digits and digits.isascii() and digits.isdigit():
            return int(value)  # plain (signed) digits: what the Decimal path gives, cheaper
    d = number(value, field)
    if d != d.to_integral_value():
        raise bad(field, f"{d} is not a whole number", f"{d} 不是整数")
    return int(d)


def yuan_to_fen(value: object, field: str) -> int:
    """元 (up to two decimals) → integer 分, exactly; 12.345 元 is refused rather than rounded."""
    d = number(value, field)
    if d < 0:
        raise bad(field, f"amount {d} 元 is negative", f"金额 {d} 元为负数")
    # compare exactly (d * 100 would round a 30-digit fraction to 28 digits and pass 12.000…001 元 as 1200 分)
    if d != d.quantize(SCALE2):
        raise bad(field, f"{d} 元 has more than two decimals", f"{d} 元的小数位超过两位")
    return int(d * FEN_PER_YUAN)


def _scale2(d: Decimal) -> str:
    return str(d.quantize(SCALE2, rounding=ROUND_HALF_UP))


def non_negative(d: Decimal, field: str, unit: str) -> Decimal:
    if d < 0:
        raise bad(field, f"{d} {unit} is negative", f"{d} {unit}为负数")
    return d


def mu_to_hectares(value: object, field: str) -> str:
    """亩 → 公顷 decimal string, scale 2 (÷ 15, rounded half-up once)."""
    return _scale2(non_negative(number(value, field), field, "亩") / MU_PER_HECTARE)


def hectares(value: object, field: str) -> str:
    """公顷 as given → scale-2 string; more precision than 0.01 公顷 is refused rather than silently cut."""
    return _exact2(non_negative(number(value, field), field, "公顷"), field, "公顷")


def yuan_to_wanyuan(value: object, field: str) -> str:
    """元 → 万元 decimal string, scale 2 (the statistics rules' unit for direct economic loss)."""
    return _scale2(non_negative(number(value, field), field, "元") / YUAN_PER_WANYUAN)


def wanyuan(value: object, field: str) -> str:
    """万元 as given → scale-2 string (exact: 0.001 万元 is refused)."""
    return _exact2(non_negative(number(value, field), field, "万元"), field, "万元")


def km(value: object, field: str) -> str:
    """千米 as given → scale-2 string (exact)."""
    return _exact2(non_negative(number(value, field), field, "千米"), field, "千米")


def _exact2(d: Decimal, field: str, unit: str) -> str:
    q = d.quantize(SCALE2)
    if q != d:
        raise bad(field, f"{d} {unit} has more than two decimals", f"{d} {unit}的小数位超过两位")
    return str(q)
