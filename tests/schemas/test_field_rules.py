"""Field rules (400): one row per rule, with the exact path and the English and Chinese message."""

import pytest

from schemas import ReceiptCode, SchemaInvalid

from .helpers import DELETE, mutated, rejection

CASES = [
    # kind, changes, path, English, Chinese
    ("disaster.report", {"payload.event_id": DELETE}, "payload.event_id",
     "Missing data for required field.", "缺少必填字段。"),
    ("disaster.report", {"payload.totals.people.deaths": 1.5}, "payload.totals.people.deaths",
     "Not an integer (floats, booleans and strings are refused).", "应为整数（不接受小数、布尔值或字符串）。"),
    ("disaster.report", {"payload.totals.people.deaths": True}, "payload.totals.people.deaths",
     "Not an integer (floats, booleans and strings are refused).", "应为整数（不接受小数、布尔值或字符串）。"),
    ("disaster.report", {"payload.totals.people.missing": -1}, "payload.totals.people.missing",
     "Must be at least 0.", "不得小于 0。"),
    ("disaster.report", {"payload.totals.agriculture.crops_lost_ha": "20.0"}, "payload.totals.agriculture.crops_lost_ha",
     'Not a non-negative decimal string with exactly 2 decimal places (e.g. "12.55").',
     '应为保留 2 位小数的非负十进制字符串（如 "12.55"）。'),
    ("disaster.report", {"payload.totals.losses.total": 1520.0}, "payload.totals.losses.total",
     'Not a non-negative decimal string with exactly 2 decimal places (e.g. "12.55").',
     '应为保留 2 位小数的非负十进制字符串（如 "12.55"）。'),
    ("disaster.report", {"payload.stage": "核报"}, "payload.stage",
     "Must be one of: initial, update, final.", "取值必须为以下之一：initial, update, final。"),
    ("disaster.report", {"payload.disaster_type": "tsunami"}, "payload.disaster_type",
     "Not in the disaster types catalogue.", "不在灾种目录中。"),
    ("disaster.report", {"payload.counties.0.county_code": "110103"}, "payload.counties[0].county_code",
     "Not a GB/T 2260 code of Beijing, Tianjin or Hebei.", "不是京津冀的 GB/T 2260 行政区划代码。"),
    ("disaster.report", {"payload.counties.0.county_code": "110000"}, "payload.counties[0].county_code",
     "GB/T 2260 code is not at the county level.", "行政区划代码不是县级。"),
    ("disaster.report", {"payload.started_on": "2024-02-30"}, "payload.started_on",
     "Not a valid date (YYYY-MM-DD).", "日期格式错误或日期不存在（应为 YYYY-MM-DD）。"),
    ("disaster.report", {"payload.data_as_of": "2024-07-31 08:00"}, "payload.data_as_of",
     "Not an RFC 3339 timestamp with offset (e.g. 2024-07-31T09:00:00+08:00).",
     "时间格式错误（应为带时区偏移的 RFC 3339 时间，如 2024-07-31T09:00:00+08:00）。"),
    ("disaster.report", {"payload.totals.people.casualties": 1}, "payload.totals.people.casualties",
     "Unknown field.", "未知字段。"),
    ("disaster.report", {"payload.totals.people": []}, "payload.totals.people", "Not a JSON object.", "应为 JSON 对象。"),
    ("disaster.report", {"payload.counties": {}}, "payload.counties", "Not a JSON array.", "应为 JSON 数组。"),
    ("disaster.report", {"payload.narrative": "x" * 4001}, "payload.narrative",
     "Longer than 4000 characters.", "长度超过 4000 个字符。"),
    ("disaster.report", {"payload.narrative": "  "}, "payload.narrative", "Must not be empty.", "不得为空。"),
    ("disaster.report", {"payload.event_id": "事件一"}, "payload.event_id",
     "Not an identifier (1–64 of A–Z a–z 0–9 . _ : -, starting with a letter or digit).",
     "标识符格式错误（1–64 位字母、数字或 . _ : -，以字母或数字开头）。"),
    ("disaster.report", {"payload.event_id": "E1\n"}, "payload.event_id",
     "Not an identifier (1–64 of A–Z a–z 0–9 . _ : -, starting with a letter or digit).",
     "标识符格式错误（1–64 位字母、数字或 . _ : -，以字母或数字开头）。"),
    ("eldercare.claim", {"payload.total_fen": "110000"}, "payload.total_fen",
     "Not an integer (floats, booleans and strings are refused).", "应为整数（不接受小数、布尔值或字符串）。"),
    ("eldercare.claim", {"payload.lines.0.days_in_care": 32}, "payload.lines[0].days_in_care",
     "Must be at most 31.", "不得大于 31。"),
    ("eldercare.claim", {"payload.period": "2024-7"}, "payload.period", "Not a valid month (YYYY-MM).",
     "月份格式错误（应为 YYYY-MM）。"),
    ("eldercare.claim", {"payload.lines": []}, "payload.lines", "Needs at least 1 item(s).", "至少需要 1 项。"),
    ("eldercare.claim", {"payload.facility_region": None}, "payload.facility_region",
     "Field may not be null.", "字段不能为空值（null）。"),
    ("eldercare.claim", {"payload.lines.0.subsidy_type": "age_80"}, "payload.lines[0].subsidy_type",
     "Not in the subsidy types catalogue.", "不在养老补贴类型目录中。"),
    ("eldercare.claim", {"payload.lines.0.elder_ref": {"key_id": "k2026a", "ref": "ABC"}}, "payload.lines[0].elder_ref",
     'Not a person_ref ({"key_id": …, "ref": 64 lowercase hex}).', 'person_ref 格式错误（应为 {"key_id": …, "ref": 64 位小写十六进制}）。'),
    ("verification.request", {"payload.subjects.0.masked_name": "赵春梅"}, "payload.subjects[0].masked_name",
     "Not a masked name (e.g. 张*明): plain names never travel.", "姓名未脱敏（应如 张*明）：不得传输明文姓名。"),
    ("relief.stock_movement", {"payload.quantity": 0}, "payload.quantity", "Must not be zero.", "不得为零。"),
    ("relief.support_request", {"payload.contact.phone": "call me"}, "payload.contact.phone",
     "Not a phone number (digits, optional +, - and spaces; 5–20 characters).", "电话号码格式错误。"),
    ("heartbeat.heartbeat", {"payload.outbox_depth": None}, "payload.outbox_depth",
     "Field may not be null.", "字段不能为空值（null）。"),
    ("hub.aggregated_response", {"payload.complete": "yes"}, "payload.complete", "Not a boolean.", "应为布尔值。"),
]


@pytest.mark.parametrize(("kind", "changes", "path", "en", "zh"), CASES,
                         ids=[f"{c[0]}:{c[2]}:{c[3][:20]}" for c in CASES])
def test_field_rule(kind, changes, path, en, zh):
    err = rejection(mutated(kind, changes))
    assert isinstance(err, SchemaInvalid)
    assert err.code is ReceiptCode.SCHEMA_INVALID
    assert err.paths == [path]
    assert (err.errors[0].en, err.errors[0].zh) == (en, zh)
    assert err.reason == f"{path}: {en}"
    assert err.reason_zh == f"{path}：{zh}"
    assert err.rule is None


def test_several_errors_are_all_reported_and_counted():
    err = rejection(mutated("eldercare.claim", {"payload.period": "x", "payload.total_fen": -5}))
    assert err.paths == ["payload.period", "payload.total_fen"]
    assert err.reason.endswith("(and 1 more)")
    assert err.reason_zh.endswith("（另有 1 处错误）")
