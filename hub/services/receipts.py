"""Receipts (one per consumed record, to `jjj.to.<r>`) and dead letters (to `jjj.dlq`, original bytes + context)."""

from __future__ import annotations

import schemas
from hub.services.records import Record, Verdict
from jjj.bus.topics import dlq_topic, inbox_topic
from jjj.outbox import OutgoingMessage
from schemas.serde import _dumps as dumps_validated  # build_message has validated it already

HUB_SENDER = {"region": "hub", "unit_code": "000000", "system_id": "jjj-hub"}


def receipt_payload(record: Record, verdict: Verdict, message_id: str, received_at: str) -> dict:
    """`for_message_id` is the message id, or "topic/partition/offset" when the bytes could not be decoded."""
    return {
        "for_message_id": message_id,
        "for_kind": (verdict.message or {}).get("kind"),
        # 201 (a harmless duplicate) counts as accepted in the contract's code table
        "outcome": "accepted" if schemas.ReceiptCode(verdict.code).accepted else "rejected",
        "code": verdict.code,
        "reason": verdict.reason or None,
        "reason_zh": verdict.reason_zh or None,
        "paths": verdict.paths,
        "rule": verdict.rule,
        "entity_key": record.key.decode("utf-8", "replace")[:200] if record.key else None,
        "received_at": received_at,
    }


def receipt_message(prefix: str, region: str, record: Record, verdict: Verdict, message_id: str,
                    received_at: str) -> OutgoingMessage:
    refs = [message_id] if verdict.message else []
    payload = receipt_payload(record, verdict, message_id, received_at)
    msg = schemas.build_message("hub.receipt", payload, sender=HUB_SENDER,
                                references=refs, correlation_id=(verdict.message or {}).get("correlation_id"))
    return OutgoingMessage(msg["message_id"], f"hub.receipt@{msg['schema_version']}", inbox_topic(prefix, region),
                           message_id, dumps_validated(msg))


def dead_letter_message(prefix: str, record: Record, verdict: Verdict, message_id: str) -> OutgoingMessage:
    """The original bytes, unchanged, with the error context in headers."""
    context = {"jjj-dlq-topic": record.topic, "jjj-dlq-partition": str(record.partition),
               "jjj-dlq-offset": str(record.offset), "jjj-dlq-code": str(verdict.code),
               "jjj-dlq-reason": verdict.reason[:500], "jjj-dlq-paths": ",".join(verdict.paths)[:500]}
    return OutgoingMessage(f"dlq-{record.position}", "dlq.record@1.0", dlq_topic(prefix), message_id,
                           record.value, headers=context)
