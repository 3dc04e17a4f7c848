"""The envelope every message travels in (contracts.md "Envelope") and time-ordered message ids.

Message ids are ULIDs: 48-bit millisecond time + 80 random bits in Crockford base32, so they sort by
creation time; within one process they are strictly monotonic (same millisecond → random part + 1).
"""

from __future__ import annotations

import os
import threading
import time

from schemas import fields as f
from schemas.base import ContractSchema
from schemas.refdata import HUB_UNIT_CODE, REGION_UNIT_CODES

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last: list[int] = [0, 0]  # [millis, random]
STATUSES = ("actual", "exercise", "test")
VERSION_RE = r"^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$"


#: every 10-bit value as its two Crockford characters: an id is 13 lookups instead of 26 (ids are made per receipt)
_PAIRS = [_CROCKFORD[i >> 5] + _CROCKFORD[i & 31] for i in range(1024)]


def _encode(value: int, length: int) -> str:
    """``value`` as ``length`` Crockford base32 characters (most significant first; ``length`` even)."""
    out = []
    for _ in range(length // 2):
        out.append(_PAIRS[value & 1023])
        value >>= 10
    return "".join(reversed(out))


def new_message_id(now_ms: int | None = None) -> str:
    """A new ULID, strictly greater than every id this process made before."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        if ms <= _last[0]:
            ms, rnd = _last[0], _last[1] + 1
            if rnd >= 1 << 80:  # astronomically unlikely: borrow the next millisecond
                ms, rnd = ms + 1, int.from_bytes(os.urandom(10), "big") >> 1
        else:
            rnd = int.from_bytes(os.urandom(10), "big") >> 1  # top bit clear leaves room to increment
        _last[0], _last[1] = ms, rnd
    return _encode(ms, 10) + _encode(rnd, 16)


def message_id_time_ms(message_id: str) -> int:
    """The creation time (Unix ms) encoded in a ULID."""
    value = 0
    for ch in message_id[:10]:
        value = value * 32 + _CROCKFORD.index(ch)
    return value


class Sender(ContractSchema):
    """Who sent it: region on the bus, GB/T 2260 unit code (hub ``000000``), system id."""

    region = f.Region(hub=True, required=True)
    unit_code = f.Str(max_length=6, pattern=r"^[0-9]{6}$", pattern_key="region_unit", required=True)
    system_id = f.Ident(required=True)


SENDER_UNITS = {**REGION_UNIT_CODES, "hub": HUB_UNIT_CODE}


class Envelope(ContractSchema):
    """The envelope; ``payload`` is checked against the kind's own schema separately."""

    message_id = f.MessageId(required=True)
    kind = f.Str(max_length=64, pattern=r"^[a-z]+\.[a-z_]+$", pattern_key="invalid", required=True)
    schema_version = f.Str(max_length=7, pattern=VERSION_RE, pattern_key="version", required=True)
    sender = f.Nested(Sender, required=True)
    sent_at = f.Timestamp(required=True)
    status = f.Choice(STATUSES, required=True)
    references = f.ListOf(f.MessageId(), required=True, max_items=100)
    correlation_id = f.Ident(allow_none=True, required=True)
    expires_at = f.Timestamp(allow_none=True, required=True)
    payload = f.AnyObject(required=True)


ENVELOPE_FIELDS = tuple(Envelope._declared_fields)
