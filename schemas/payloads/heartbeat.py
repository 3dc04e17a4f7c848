"""Adapter liveness and outbox depth (contracts.md topic ``jjj.<r>.heartbeat``)."""

from __future__ import annotations

from schemas import fields as f
from schemas.base import ContractSchema


class Heartbeat(ContractSchema):
    """Sent every few seconds by each adapter; the hub flags staleness and a growing outbox."""

    adapter_id = f.Ident(required=True)
    started_at = f.Timestamp(required=True)
    outbox_depth = f.Count(required=True)
    oldest_pending_at = f.Timestamp(allow_none=True, required=True)
    last_published_at = f.Timestamp(allow_none=True, required=True)
    software_version = f.Str(max_length=40, required=True)
