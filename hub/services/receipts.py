"""Receipts (one per consumed record, to `jjj.to.<r>`) and dead letters (to `jjj.dlq`, original bytes + context)."""

from __future__ import annotations

import schemas
from hub.services import outgoing as _out
from hub.services.outgoing import outgoing
from hub.services.records import Record, Verdict
from jjj.bus.topics import dlq_topic, inbox_topic
from jjj.outbox import OutgoingMessage

#: receipt codes that count as accepted in the contract's code table (201, a harmless duplicate, does too)
_ACCEPTED = {int(c): schemas.ReceiptCode(c).accepted for c in schemas.ReceiptCode}


def _text(value: str) -> str | None:
    return value if value.strip() else None


def _status(message: dict | None) -> str:
    """The original's status when it was decoded and is one the contract knows, else actual."""
    status = (message or {}).get("status") if isinstance(message, dict) else None
    return status if status in ("actual", "exercise", "test") else "actual"


def receipt_payload(record: Record, verdict: Verdict, message_id: str, received_at: str) -> dict:
    """`for_message_id` is the message id, or "topic/partition/offset" when the bytes could not be decoded.

    Every value is clamped to the contract's limits: receipts are built on the trusted fast path (no validation).
    """
    return {
        "for_message_id": message_id[:64],
        "for_kind": (verdict.message or {}).get("kind"),
        "outcome": "accepted" if _ACCEPTED[verdict.code] else "rejected",
        "code": verdict.code,
        "reason": verdict.reason[:2000] if verdict.reason else None,
        "reason_zh": verdict.reason_zh[:2000] if verdict.reason_zh else None,
        # a path or key made only of whitespace (a fuzzed JSON key " ") is not a text the contract can carry
        "paths": [p[:300] for p in verdict.paths if p.strip()][:100],
        "rule": verdict.rule[:80] if verdict.rule else None,
        "entity_key": _text(record.key.decode("utf-8", "replace")[:200]) if record.key else None,
        "received_at": received_at,
    }


_OUTCOME = {code: "accepted" if ok else "rejected" for code, ok in _ACCEPTED.items()}
_RECEIPT = "hub.receipt"
_RECEIPT_AT = _out._KIND_AT[_RECEIPT]
_RECEIPT_VERSION = _out._VERSION[_RECEIPT]
_STATUSES = ("actual", "exercise", "test")


def receipt_message(prefix: str, region: str, record: Record, verdict: Verdict, message_id: str,
                    received_at: str) -> OutgoingMessage:
    """The receipt of one record; it carries the decoded message's envelope status (a drill's receipt is a drill).

    Its partition key is the contract's (``schemas.registry``): the original's entity key, else its message id, so
    the receipts of one entity keep their order. The envelope and payload of ``receipt_message_slow`` (the general
    ``outgoing`` path) written out in one place,
    one dict each: the same bytes (``tests/hub/services/test_receipts_fast.py`` compares them for every verdict
    shape); the slow path runs when outgoing messages are validated (``JJJ_HUB_VALIDATE_OUTGOING``)."""
    if _out.VALIDATE:
        return receipt_message_slow(prefix, region, record, verdict, message_id, received_at)
    msg = verdict.message
    if type(msg) is not dict:
        return receipt_message_slow(prefix, region, record, verdict, message_id, received_at)
    code, reason, reason_zh, paths, rule, key = (verdict.code, verdict.reason, verdict.reason_zh, verdict.paths,
                                                 verdict.rule, record.key)
    status = msg.get("status")
    new_id = _out.new_message_id()
    entity_key = _text(key.decode("utf-8", "replace")[:200]) if key else None
    for_id = message_id[:64]
    envelope = {
        "message_id": new_id, "kind": _RECEIPT, "schema_version": _RECEIPT_VERSION, "sender": _out.HUB_SENDER,
        "sent_at": _out.now_text(), "status": status if status in _STATUSES else "actual",
        "references": [message_id] if msg else [], "correlation_id": msg.get("correlation_id"), "expires_at": None,
        "payload": {
            "for_message_id": for_id,
            "for_kind": msg.get("kind"),
            "outcome": _OUTCOME[code],
            "code": code,
            "reason": reason[:2000] if reason else None,
            "reason_zh": reason_zh[:2000] if reason_zh else None,
            "paths": [p[:300] for p in paths if p.strip()][:100] if paths else [],
            "rule": rule[:80] if rule else None,
            "entity_key": entity_key,
            "received_at": received_at,
        },
    }
    return OutgoingMessage(new_id, _RECEIPT_AT, inbox_topic(prefix, region), entity_key or for_id,
                           _out._ENCODE(envelope))


def receipt_message_slow(prefix: str, region: str, record: Record, verdict: Verdict, message_id: str,
                         received_at: str) -> OutgoingMessage:
    """The receipt by the general path (``outgoing``); what ``receipt_message`` writes out."""
    refs = [message_id] if verdict.message else []
    payload = receipt_payload(record, verdict, message_id, received_at)
    key = payload["entity_key"] or payload["for_message_id"]  # the contract's partition key of a receipt
    return outgoing("hub.receipt", payload, inbox_topic(prefix, region), key, references=refs,
                    correlation_id=(verdict.message or {}).get("correlation_id"),
                    status=_status(verdict.message))


def dead_letter_message(prefix: str, record: Record, verdict: Verdict, message_id: str) -> OutgoingMessage:
    """The original bytes, unchanged, with the error context in headers."""
    context = {"jjj-dlq-topic": record.topic, "jjj-dlq-partition": str(record.partition),
               "jjj-dlq-offset": str(record.offset), "jjj-dlq-code": str(verdict.code),
               "jjj-dlq-reason": verdict.reason[:500], "jjj-dlq-paths": ",".join(verdict.paths)[:500]}
    return OutgoingMessage(f"dlq-{record.position}", "dlq.record@1.0", dlq_topic(prefix), message_id,
                           record.value, headers=context)
