"""Hub-built messages on a trusted fast path: the envelope is assembled from known-good values and serialised,
without the per-message contract validation of ``schemas.build_message`` (the hub's own receipts, notices and
status changes were the largest single cost of the intake). The contract is checked in the tests instead
(tests/hub/services/test_outgoing.py validates every message a realistic workload makes the hub send); set
``JJJ_HUB_VALIDATE_OUTGOING=1`` to validate each one at run time too (a debugging aid).
"""

from __future__ import annotations

import os
import time
from datetime import datetime

import orjson

import schemas
from jjj.outbox import OutgoingMessage
from schemas.envelope import new_message_id
from schemas.validate import SHANGHAI

HUB_SENDER = {"region": "hub", "unit_code": "000000", "system_id": "jjj-hub"}
VALIDATE = os.environ.get("JJJ_HUB_VALIDATE_OUTGOING", "") not in ("", "0")
_VERSION = {kind: spec.version for kind, spec in schemas.KINDS.items()}
_KIND_AT = {kind: f"{kind}@{v}" for kind, v in _VERSION.items()}
#: the bytes ``schemas.serde._dumps`` makes (compact, Chinese unescaped, key order kept) by orjson, ~10x faster; the
#: hub never puts a float in a message (contracts.md: never floats), so json's NaN refusal has nothing to refuse
_ENCODE = orjson.dumps
#: (millisecond, its text): the last clock reading written out
_clock: tuple[int, str] = (-1, "")


def text_of_ms(ms: int) -> str:
    """A Unix time in milliseconds as ``now_rfc3339`` writes it (Asia/Shanghai, millisecond precision)."""
    return datetime.fromtimestamp(ms // 1000, SHANGHAI).replace(microsecond=ms % 1000 * 1000).isoformat(
        timespec="milliseconds")


def now_text() -> str:
    """``now_rfc3339()`` (the same text for the same millisecond), formatted once per millisecond: a batch's
    receipts and notices are sent within a few milliseconds, and each used to format the clock again."""
    global _clock  # noqa: PLW0603 - one tuple, replaced whole (a reader never sees a half-updated pair)
    ms = time.time_ns() // 1_000_000
    found = _clock
    if found[0] != ms:
        found = _clock = (ms, text_of_ms(ms))
    return found[1]


def hub_message(kind: str, payload: dict, *, references=(), correlation_id: str | None = None,  # noqa: ANN001
                sent_at: str | None = None, status: str = "actual") -> dict:
    """The envelope ``schemas.build_message`` would make for the hub, unvalidated (see module docstring).

    ``status`` (actual | exercise | test): what the hub sends about a drill is itself a drill."""
    msg = {"message_id": new_message_id(), "kind": kind, "schema_version": _VERSION[kind], "sender": HUB_SENDER,
           "sent_at": sent_at or now_text(), "status": status, "references": list(references),
           "correlation_id": correlation_id, "expires_at": None, "payload": payload}
    return schemas.validate_message(msg) if VALIDATE else msg


def outgoing(kind: str, payload: dict, topic: str, key: str, *, references=(),  # noqa: ANN001
             correlation_id: str | None = None, sent_at: str | None = None,
             status: str = "actual") -> OutgoingMessage:
    if VALIDATE:
        msg = hub_message(kind, payload, references=references, correlation_id=correlation_id, sent_at=sent_at,
                          status=status)
        return OutgoingMessage(msg["message_id"], _KIND_AT[kind], topic, key, _ENCODE(msg))
    # ``hub_message``'s envelope, written out here (one call less per hub message)
    message_id = new_message_id()
    msg = {"message_id": message_id, "kind": kind, "schema_version": _VERSION[kind], "sender": HUB_SENDER,
           "sent_at": sent_at or now_text(), "status": status, "references": list(references),
           "correlation_id": correlation_id, "expires_at": None, "payload": payload}
    return OutgoingMessage(message_id, _KIND_AT[kind], topic, key, _ENCODE(msg))
