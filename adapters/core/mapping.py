"""Helpers every region's mapping uses: field access with located errors, code maps, native dates and times."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone

from adapters.core.errors import Problem, RowError, bad
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext, Mapped, Mapper, Outcome, Rejected

SHANGHAI = timezone(timedelta(hours=8))  # the regions work in Asia/Shanghai (no DST since 1991)


def label(native: str, canonical: str | None = None) -> str:
    """How a field is named in errors: the native name, then the canonical one (``身份证号 (id_number)``)."""
    return f"{native} ({canonical})" if canonical else native


def get(data: Mapping, native: str, canonical: str | None = None, *, required: bool = True) -> object:
    """A field of a native record; missing or blank is an error when required, None otherwise."""
    # type() first: the abc isinstance check of Mapping cost more than the lookup for the plain dicts readers make
    value = data.get(native) if type(data) is dict or isinstance(data, Mapping) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad(label(native, canonical), "required field is missing or empty", "必填字段缺失或为空")
        return None
    return value.strip() if isinstance(value, str) else value


def text_field(data: Mapping, native: str, canonical: str | None = None, *, required: bool = True) -> str | None:
    value = get(data, native, canonical, required=required)
    return None if value is None else str(value)


def as_object(value: object, where: str) -> Mapping:
    """``value`` when it is a JSON object; a located error naming ``where`` otherwise (native JSON is free-form:
    a list entry or a whole record may be a number, a string or null)."""
    if not isinstance(value, Mapping):
        raise bad(where, f"must be an object, not {_json_type(value)}", f"应为对象（实际为{_json_type_zh(value)}）")
    return value


def as_list(value: object, where: str) -> list:
    """``value`` when it is a JSON array (missing or null is an empty list); a located error otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(where, f"must be a list, not {_json_type(value)}", f"应为数组（实际为{_json_type_zh(value)}）")
    return value


_JSON_TYPES = ((bool, "a boolean", "布尔值"), (int, "a number", "数字"), (float, "a number", "数字"),
               (str, "a string", "字符串"), (list, "a list", "数组"), (Mapping, "an object", "对象"))


def _json_type(value: object) -> str:
    return next((en for t, en, _ in _JSON_TYPES if isinstance(value, t)), "null" if value is None else "a value")


def _json_type_zh(value: object) -> str:
    return next((zh for t, _, zh in _JSON_TYPES if isinstance(value, t)), "null" if value is None else "其他值")


def per_record(fn: Callable[[Mapping, MapContext], Canonical | list[Canonical]], *, independent: bool = False) -> Mapper:
    """Turn a one-record function into a mapper: each record gives its message(s), or is rejected, alone.

    ``independent``: ``fn`` uses only the record, ``ctx.config`` and ``ctx.persons`` (never ``ctx.last_message_id``,
    no state between records), so big files of this format may be mapped in worker processes
    (``adapters.core.parallel``).
    """

    def mapper(records: Iterator[Record], ctx: MapContext) -> Iterator[Outcome]:
        for rec in records:
            try:
                if isinstance(rec.data, dict) and "__cells__" in rec.data:
                    raise bad("row", f"{len(rec.data['__cells__'])} cells, the header has {rec.data['__width__']}",
                              f"本行 {len(rec.data['__cells__'])} 列，表头为 {rec.data['__width__']} 列")
                if isinstance(rec.data, dict) and "__json_error__" in rec.data:
                    raise bad("line", f"not JSON: {rec.data['__json_error__']}", "不是有效的 JSON")
                out = fn(rec.data, ctx)
            except RowError as exc:
                yield Rejected((rec,), exc.at(rec.source, rec.location))
                continue
            for item in out if isinstance(out, list) else [out]:
                yield Mapped(item, (rec,))

    mapper.__doc__ = fn.__doc__
    mapper.independent = independent  # type: ignore[attr-defined]
    return mapper


def collect(*checks: Callable[[], object]) -> list[object]:
    """Run several field conversions and report every failure of the record at once (not only the first)."""
    values, problems = [], []
    for check in checks:
        try:
            values.append(check())
        except RowError as exc:
            problems.extend(exc.problems)
            values.append(None)
    if problems:
        raise RowError(problems)
    return values


class CodeMap:
    """A native code table (district codes, disaster types, item names) → canonical codes."""

    def __init__(self, what: str, what_zh: str, table: Mapping[str, str]) -> None:
        self.what, self.what_zh, self.table = what, what_zh, dict(table)

    def __call__(self, value: object, field: str) -> str:
        key = str(value).strip() if value is not None else ""
        if key not in self.table:
            raise bad(field, f"unknown {self.what} {key!r}", f"未知的{self.what_zh}“{key}”")
        return self.table[key]


_DATE_RES = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
             re.compile(r"^(\d{4})(\d{2})(\d{2})$"), re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"))


def native_date(value: object, field: str) -> str:
    """``2026-07-30``, ``2026/7/30``, ``20260730``, ``2026年7月30日`` (or a spreadsheet date) → ``2026-07-30``."""
    text = str(value).strip()[:10] if isinstance(value, str) and "T" in value else str(value).strip()
    for rx in _DATE_RES:
        m = rx.match(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                break
    raise bad(field, f"{text!r} is not a date", f"“{text}”不是有效日期")


def native_month(value: object, field: str) -> str:
    """``2026-08``, ``202608``, ``2026年8月`` → ``2026-08``."""
    text = str(value).strip()
    m = re.match(r"^(\d{4})(?:-|年)?(\d{1,2})月?$", text)
    if not m or not 1 <= int(m[2]) <= 12:
        raise bad(field, f"{text!r} is not a month", f"“{text}”不是有效月份")
    return f"{m[1]}-{int(m[2]):02d}"


def native_time(value: object, field: str) -> str:
    """A native timestamp → RFC 3339 with offset; times without an offset are Beijing time (+08:00)."""
    text = str(value).strip().replace("/", "-")
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad(field, f"{text!r} is not a date and time", f"“{text}”不是有效的日期时间") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return dt.isoformat()


def drop_none(d: dict) -> dict:
    """Optional figures the native side left blank are absent, not null, in the canonical payload."""
    return {k: v for k, v in d.items() if v is not None and v != {}}


__all__ = ["CodeMap", "Problem", "as_list", "as_object", "collect", "drop_none", "get", "label", "native_date", "native_month",
           "native_time", "per_record", "text_field"]


Converter = Callable[[object, str], object]


def indicators(data: Mapping, table: list[tuple[str, str, Converter]]) -> dict:
    """Disaster indicators from native fields: ``(native name, canonical path, converter)`` rows → nested dict.

    Blank native fields are left out (not every disaster touches every figure); all bad figures of the record
    are reported together.
    """
    out: dict = {}
    problems = []
    for native, path, conv in table:
        value = data.get(native) if isinstance(data, Mapping) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            converted = conv(value, label(native, path))
        except RowError as exc:
            problems.extend(exc.problems)
            continue
        node = out
        *parents, leaf = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = converted
    if problems:
        raise RowError(problems)
    return out


def field_names(table: list[tuple[str, str, Converter]], prefix: str) -> dict[str, str]:
    """Canonical path → native name for a format's error messages (``payload.totals.people.deaths`` → 因灾死亡)."""
    return {f"{prefix}.{path}": native for native, path, _ in table}
