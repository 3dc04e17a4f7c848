"""Bytes ⇄ messages: UTF-8 JSON with Chinese unescaped, validated both ways (style.md habit 7).

:func:`encode` validates before a byte leaves; :func:`decode` validates after a byte arrives and turns
every fault into a :class:`~schemas.errors.ContractError` (330 too large, 200 not UTF-8 / not JSON /
bad envelope / unknown major, 310, 400, 420) — never another exception.

For kafka-python 3.0.x, :class:`MessageSerializer` and :class:`MessageDeserializer` implement its
``serialize(topic, headers, data)`` interface.  The deserializer does not raise into the consumer's
poll loop (a poison message must never block its partition): by default it returns a
:class:`BadMessage` carrying the original bytes and the error, for the hub's DLQ and receipt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson
from kafka.serializer import Deserializer, Serializer

from schemas.codes import ReceiptCode
from schemas.errors import ContractError, EnvelopeError, FieldError, MessageTooLarge
from schemas.messages import Msg, texts

MAX_BYTES = 1_000_000


def _dumps(msg: dict) -> bytes:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def encode(msg: dict, *, fast: bool = False) -> bytes:
    """Validate and serialise; raises ContractError. The output is canonical (schema field order)."""
    from schemas.fast import validate_fast
    from schemas.validate import validate_message

    return _dumps(validate_fast(msg) if fast else validate_message(msg))


def _bad_json(detail: str) -> EnvelopeError:
    key, en, zh = texts(Msg("bad_json", detail=detail))
    return EnvelopeError.from_errors([FieldError("", key, en, zh)])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("duplicate key in object")
    return out


def parse(data: bytes, *, max_bytes: int = MAX_BYTES) -> Any:
    """Bytes → JSON value, with the size, UTF-8 and strict-JSON checks of :func:`decode` (no schema check).

    Bytes that orjson parses and writes back identically (the compact UTF-8 form of :func:`encode`) are taken as
    orjson read them: ~4x faster than ``json.loads`` with the duplicate-key hook, and exact, because a re-encoded
    dict cannot hold a duplicate key. Anything else (spaces, escapes, a duplicate key, NaN, a bad byte) takes the
    strict path, which also gives the reason."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _bad_json(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        key, en, zh = texts(Msg("too_large", size=len(data), limit=max_bytes))
        raise MessageTooLarge.from_errors([FieldError("", key, en, zh)])
    try:  # the fast path: a message in the canonical compact form the platform's encoders write (nearly all)
        value = orjson.loads(data)
        if orjson.dumps(value) == data:  # dumps cannot write a duplicate key, so neither did the sender
            return value
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass  # the exact path below gives the reason
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad_json(f"not UTF-8 at byte {exc.start}") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise _bad_json(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise _bad_json(str(exc) or type(exc).__name__) from None


def decode(data: bytes, *, max_bytes: int = MAX_BYTES, fast: bool = True) -> dict:
    """Bytes → validated message; raises only ContractError."""
    from schemas.fast import validate_fast
    from schemas.validate import validate_message

    value = parse(data, max_bytes=max_bytes)
    try:
        return validate_fast(value) if fast else validate_message(value)
    except ContractError:
        raise
    except Exception as exc:  # a bug in a rule must not crash the consumer: report it as a hub error
        raise ContractError(code=ReceiptCode.HUB_ERROR, reason=f"validator failed: {type(exc).__name__}: {exc}",
                            reason_zh=f"校验程序异常：{type(exc).__name__}") from exc


@dataclass(frozen=True)
class BadMessage:
    """What the deserializer returns for bytes that are not a valid message: route it to receipt + DLQ."""

    topic: str
    headers: tuple
    data: bytes | None
    error: ContractError


class MessageSerializer(Serializer):
    """kafka-python value serializer: validates and encodes; raises ContractError before anything is sent."""

    def __init__(self, *, fast: bool = False) -> None:
        self.fast = fast

    def serialize(self, topic: str, headers, data: dict | None) -> bytes | None:
        if data is None:
            return None
        return encode(data, fast=self.fast)


class MessageDeserializer(Deserializer):
    """kafka-python value deserializer: returns the validated dict, or a :class:`BadMessage` (``on_error="return"``)."""

    def __init__(self, *, max_bytes: int = MAX_BYTES, on_error: str = "return", fast: bool = True) -> None:
        if on_error not in ("return", "raise"):
            raise ValueError("on_error must be 'return' or 'raise'")
        self.max_bytes, self.on_error, self.fast = max_bytes, on_error, fast

    def deserialize(self, topic: str, headers, data: bytes | None) -> dict | BadMessage | None:
        if data is None:
            return None
        try:
            return decode(data, max_bytes=self.max_bytes, fast=self.fast)
        except ContractError as exc:
            if self.on_error == "raise":
                raise
            return BadMessage(topic, tuple(headers or ()), bytes(data), exc)
