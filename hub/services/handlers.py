"""Effects per message kind. Each handler gets (batch, message), validates first (``BusinessRuleBroken`` → 420),
then adds facts and touches entities; ``RECOMPUTE`` rebuilds the touched entities once per batch, in order
(claims before statements; disasters independent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hub.infrastructure import tables as t
from hub.services import disasters, eldercare, referrals, relief, settlement, verification
from hub.services.context import Batch, BusinessRuleBroken


def on_heartbeat(batch: Batch, msg: dict) -> None:
    p = msg["payload"]
    batch.upserts[t.region_heartbeats].append({
        "region": msg["sender"]["region"], "adapter_id": p["adapter_id"], "last_seen_at": batch.now,
        "sent_at": datetime.fromisoformat(msg["sent_at"]).astimezone().isoformat(), "outbox_depth": p["outbox_depth"],
        "oldest_pending_at": p["oldest_pending_at"], "software_version": p["software_version"], "stale_since": None})


HANDLERS: dict[str, Callable[[Batch, dict], None]] = {
    "disaster.report": disasters.on_disaster,
    "disaster.correction": disasters.on_disaster,
    "disaster.cancel": disasters.on_disaster,
    "relief.stock_snapshot": relief.on_snapshot,
    "relief.stock_movement": relief.on_movement,
    "relief.support_request": relief.on_support_request,
    "relief.commitment": relief.on_support_reply,
    "relief.decline": relief.on_support_reply,
    "relief.dispatch": relief.on_support_reply,
    "relief.receipt": relief.on_support_reply,
    "verification.request": verification.on_request,
    "verification.response": verification.on_response,
    "referral.referral": referrals.on_change,
    "referral.acceptance": referrals.on_change,
    "referral.rejection": referrals.on_change,
    "referral.progress": referrals.on_change,
    "referral.closure": referrals.on_change,
    "eldercare.enrolment": eldercare.on_enrolment,
    "eldercare.entitlement_table": eldercare.on_entitlement_table,
    "eldercare.claim": eldercare.on_claim,
    "eldercare.confirmation": settlement.on_settlement_message,
    "eldercare.dispute": settlement.on_settlement_message,
    "eldercare.payment": settlement.on_settlement_message,
    "heartbeat.heartbeat": on_heartbeat,
}

RECOMPUTE: tuple[Callable[[Batch], None], ...] = (
    disasters.recompute, relief.recompute_stock, relief.recompute_support, verification.recompute,
    referrals.recompute, eldercare.recompute, settlement.recompute,
)

__all__ = ["HANDLERS", "RECOMPUTE", "BusinessRuleBroken"]
