"""Receipt codes (sedex-like) that the hub puts on every receipt, with Chinese and English text.

``ACCEPTED`` is ``100`` rather than ``0`` so that every code is a three-digit number and a missing
or defaulted integer (``0``) can never be mistaken for an acceptance.  The codes themselves are
fixed by contracts.md ("Guarantees").
"""

from __future__ import annotations

from enum import IntEnum


class ReceiptCode(IntEnum):
    """Outcome of one message at the hub; ``.zh`` and ``.en`` give the operator-facing text."""

    ACCEPTED = 100
    BAD_ENVELOPE = 200
    DUPLICATE = 201
    EXPIRED = 203
    UNKNOWN_SENDER = 300
    SENDER_NOT_ALLOWED = 310
    TOO_LARGE = 330
    SCHEMA_INVALID = 400
    BAD_SIGNATURE = 410
    BUSINESS_RULE = 420
    HUB_ERROR = 500

    @property
    def zh(self) -> str:
        """Chinese text for operators and provincial systems."""
        return _TEXT[self][0]

    @property
    def en(self) -> str:
        """English text."""
        return _TEXT[self][1]

    @property
    def accepted(self) -> bool:
        """True for ACCEPTED and DUPLICATE (a duplicate is harmless: the first copy was applied)."""
        return self in (ReceiptCode.ACCEPTED, ReceiptCode.DUPLICATE)

    @property
    def retryable(self) -> bool:
        """Only a hub error is worth resending unchanged."""
        return self is ReceiptCode.HUB_ERROR


_TEXT: dict[ReceiptCode, tuple[str, str]] = {
    ReceiptCode.ACCEPTED: ("已接收", "accepted"),
    ReceiptCode.BAD_ENVELOPE: ("信封格式错误", "bad envelope"),
    ReceiptCode.DUPLICATE: ("重复消息（已处理，无害）", "duplicate (already processed, harmless)"),
    ReceiptCode.EXPIRED: ("消息已过期", "expired"),
    ReceiptCode.UNKNOWN_SENDER: ("未知发送方", "unknown sender"),
    ReceiptCode.SENDER_NOT_ALLOWED: ("发送方无权发送此类消息", "sender not allowed for this kind"),
    ReceiptCode.TOO_LARGE: ("消息过大", "message too large"),
    ReceiptCode.SCHEMA_INVALID: ("数据不符合格式规范", "schema invalid"),
    ReceiptCode.BAD_SIGNATURE: ("签名无效", "bad signature"),
    ReceiptCode.BUSINESS_RULE: ("违反业务规则", "business rule broken"),
    ReceiptCode.HUB_ERROR: ("交换平台内部错误（将重试）", "hub error (will retry)"),
}
