"""The error-message catalogue: every field error has a key and an English and a Chinese text.

Marshmallow's own errors are configured to emit bare keys (``required``, ``null``, ``unknown``, …);
our fields raise :class:`Msg`, a ``str`` carrying its key and parameters.  :func:`texts` turns
either into ``(key, en, zh)``.  The same catalogue serves the fast validator, so both validators
say the same thing for the same fault.
"""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    "required": ("Missing data for required field.", "缺少必填字段。"),
    "null": ("Field may not be null.", "字段不能为空值（null）。"),
    "unknown": ("Unknown field.", "未知字段。"),
    "type_object": ("Not a JSON object.", "应为 JSON 对象。"),
    "type_list": ("Not a JSON array.", "应为 JSON 数组。"),
    "type_string": ("Not a string.", "应为字符串。"),
    "type_bool": ("Not a boolean.", "应为布尔值。"),
    "type_int": ("Not an integer (floats, booleans and strings are refused).", "应为整数（不接受小数、布尔值或字符串）。"),
    "min_value": ("Must be at least {min}.", "不得小于 {min}。"),
    "max_value": ("Must be at most {max}.", "不得大于 {max}。"),
    "nonzero": ("Must not be zero.", "不得为零。"),
    "empty": ("Must not be empty.", "不得为空。"),
    "max_length": ("Longer than {max} characters.", "长度超过 {max} 个字符。"),
    "min_items": ("Needs at least {min} item(s).", "至少需要 {min} 项。"),
    "max_items": ("More than {max} items.", "超过 {max} 项。"),
    "choice": ("Must be one of: {choices}.", "取值必须为以下之一：{choices}。"),
    "identifier": ("Not an identifier (1–64 of A–Z a–z 0–9 . _ : -, starting with a letter or digit).",
                   "标识符格式错误（1–64 位字母、数字或 . _ : -，以字母或数字开头）。"),
    "ulid": ("Not a message id (26-character ULID in Crockford base32).", "消息标识格式错误（应为 26 位 Crockford base32 ULID）。"),
    "timestamp": ("Not an RFC 3339 timestamp with offset (e.g. 2024-07-31T09:00:00+08:00).",
                  "时间格式错误（应为带时区偏移的 RFC 3339 时间，如 2024-07-31T09:00:00+08:00）。"),
    "date": ("Not a valid date (YYYY-MM-DD).", "日期格式错误或日期不存在（应为 YYYY-MM-DD）。"),
    "month": ("Not a valid month (YYYY-MM).", "月份格式错误（应为 YYYY-MM）。"),
    "version": ("Not a schema version (MAJOR.MINOR).", "版本号格式错误（应为 主版本.次版本）。"),
    "decimal": ("Not a non-negative decimal string with exactly {scale} decimal places (e.g. \"{example}\").",
                "应为保留 {scale} 位小数的非负十进制字符串（如 \"{example}\"）。"),
    "division_code": ("Not a GB/T 2260 code of Beijing, Tianjin or Hebei.", "不是京津冀的 GB/T 2260 行政区划代码。"),
    "division_level": ("GB/T 2260 code is not at the {levels} level.", "行政区划代码不是{levels_zh}级。"),
    "region_unit": ("Not a region code (110000, 120000 or 130000; the hub uses 000000).",
                    "不是省级单位代码（110000、120000、130000；交换平台为 000000）。"),
    "id_number_leak": ("Looks like a plain ID number: send a person_ref pseudonym instead.",
                       "疑似明文身份证号码：请改为发送 person_ref 假名。"),
    "person_ref": ("Not a person_ref ({{\"key_id\": …, \"ref\": 64 lowercase hex}}).",
                   "person_ref 格式错误（应为 {{\"key_id\": …, \"ref\": 64 位小写十六进制}}）。"),
    "masked_name": ("Not a masked name (e.g. 张*明): plain names never travel.", "姓名未脱敏（应如 张*明）：不得传输明文姓名。"),
    "catalogue": ("Not in the {catalogue} catalogue.", "不在{catalogue_zh}目录中。"),
    "phone": ("Not a phone number (digits, optional +, - and spaces; 5–20 characters).", "电话号码格式错误。"),
    "bad_json": ("Not valid UTF-8 JSON: {detail}", "不是有效的 UTF-8 JSON：{detail}"),
    "too_large": ("Message has {size} bytes, more than the limit of {limit}.", "消息大小 {size} 字节，超过上限 {limit} 字节。"),
    "unknown_kind": ("Unknown message kind {kind!r}.", "未知的消息类型 {kind!r}。"),
    "unknown_major": ("Schema version {version} of {kind} has unknown major version {major}; this reader knows {known}.",
                      "{kind} 的版本 {version} 的主版本 {major} 未知；本系统支持 {known}。"),
    "sender_not_allowed": ("Region {region!r} may not send {kind}.", "地区 {region!r} 无权发送 {kind}。"),
    "sender_unit": ("Unit code {unit} does not belong to region {region!r}.", "单位代码 {unit} 不属于地区 {region!r}。"),
    "references_required": ("{kind} must reference the message it supersedes, answers or cancels.",
                            "{kind} 必须在 references 中引用其替代、答复或撤销的消息。"),
    "self_reference": ("A message cannot reference itself.", "消息不能引用自身。"),
    "expiry_order": ("expires_at is earlier than sent_at.", "expires_at 早于 sent_at。"),
    "invalid": ("Invalid value.", "取值无效。"),
}


class Msg(str):
    """An error message that knows its catalogue key and parameters; its ``str`` value is the English text."""

    key: str
    params: dict

    def __new__(cls, key: str, **params) -> Msg:
        en, _ = CATALOGUE[key]
        obj = super().__new__(cls, en.format(**params))
        obj.key = key
        obj.params = params
        return obj

    @property
    def zh(self) -> str:
        return CATALOGUE[self.key][1].format(**self.params)


def texts(message: object) -> tuple[str, str, str]:
    """``(key, en, zh)`` for a message found in a marshmallow error dict."""
    if isinstance(message, Msg):
        return message.key, str(message), message.zh
    key = str(message)
    if key in CATALOGUE:
        en, zh = CATALOGUE[key]
        return key, en, zh
    return "invalid", key, CATALOGUE["invalid"][1]
