"""The unit of work of one poll batch: raw facts to insert, entities to recompute, messages to send, audit entries.

Handlers never write directly: they validate a message (raising ``BusinessRuleBroken`` before touching anything),
then add fact rows and mark the entities they touched. After the last record the intake flushes the facts with one
executemany per table, recomputes each touched entity once from its facts, and queues the outgoing messages, all in
the batch's single transaction (cosmicpython's unit of work, eventsourcing's "tracking" row beside the state).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table

import schemas
from hub.services.outgoing import HUB_SENDER, outgoing
from hub.services.policy import HubPolicy
from jjj.bus.topics import inbox_topic, status_topic
from jjj.outbox import OutgoingMessage

__all__ = ["HUB_SENDER", "Batch", "BusinessRuleBroken"]


class BusinessRuleBroken(Exception):
    """A domain rule refuses the message (receipt code 420 with the rule id)."""

    def __init__(self, rule: str, reason: str, reason_zh: str = "", paths: list[str] | None = None) -> None:
        super().__init__(reason)
        self.rule, self.reason, self.reason_zh, self.paths = rule, reason, reason_zh or reason, paths or []


#: ``Batch.memo`` key: the facts the batch wrote (table → rows), kept by ``apply_batch`` for the recompute steps
WRITTEN = "facts.written"


@dataclass
class Batch:
    """What one transaction will write. ``conn`` is the open transaction; ``now`` the batch's clock reading."""

    conn: object
    now: datetime
    prefix: str
    policy: HubPolicy = field(default_factory=HubPolicy)
    facts: dict[Table, list[dict]] = field(default_factory=lambda: defaultdict(list))
    upserts: dict[Table, list[dict]] = field(default_factory=lambda: defaultdict(list))
    touched: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    outgoing: list[OutgoingMessage] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)
    #: per-worker memo of derived state (owned by the Intake; only pure functions of stored facts go in)
    cache: dict = field(default_factory=dict)
    #: the batch's accepted messages (set by the intake before the first handler runs), so that a handler can read
    #: what it needs for all of them with one query per batch instead of one per message (see ``prefetch``)
    messages: list[dict] = field(default_factory=list)
    #: per-batch reads made by ``prefetch`` (dropped with the batch)
    memo: dict = field(default_factory=dict)
    #: (``now``, its ISO text): the batch's hub messages are all stamped with it, formatted once
    _now_text: tuple = field(default=(None, ""), init=False, repr=False, compare=False)

    def now_iso(self) -> str:
        """``self.now.isoformat()``, formatted once per batch (again if ``now`` is replaced)."""
        now, text = self._now_text
        if now is not self.now:
            text = self.now.isoformat()
            self._now_text = (self.now, text)
        return text

    def prefetch(self, name: str, load: Callable[[list[dict]], dict], wanted: Callable[[dict], bool]) -> dict:
        """``load(messages)`` once per batch over the batch's messages that ``wanted`` selects; its result is kept
        for the rest of the batch. Handlers run before the batch writes anything, so what ``load`` reads at the
        first handler is exactly what a per-message query would read at each of them."""
        found = self.memo.get(name)
        if found is None:
            found = self.memo[name] = load([m for m in self.messages if wanted(m)])
        return found

    def add(self, table: Table, *rows: dict) -> None:
        self.facts[table].extend(rows)

    def touch(self, family: str, key: object) -> None:
        self.touched[family].add(key)

    def send(self, kind: str, payload: dict, to: str, *, references: tuple[str, ...] = (),
             correlation_id: str | None = None, status: str = "actual") -> str:
        """Queue a hub message to region ``to`` (``"status"`` = the shared status topic); returns its id.

        ``status``: the envelope status of the message (a message about a drill is sent as that drill's status)."""
        topic = status_topic(self.prefix) if to == "status" else inbox_topic(self.prefix, to)
        out = outgoing(kind, payload, topic, schemas.KINDS[kind].partition_key(payload), references=references,
                       correlation_id=correlation_id, sent_at=self.now_iso(), status=status)
        self.outgoing.append(out)
        return out.message_id

    def route(self, msg: dict, to: str, entity_id: str) -> str:
        """Forward a region's message to another region as ``hub.routed_request``, with the message's status (a
        routed exercise stays an exercise for its receiver)."""
        payload = {"original_message_id": msg["message_id"], "original_kind": msg["kind"],
                   "from_region": msg["sender"]["region"], "to_region": to, "entity_id": entity_id,
                   "payload": msg["payload"]}
        return self.send("hub.routed_request", payload, to, references=(msg["message_id"],),
                         correlation_id=msg.get("correlation_id"), status=msg.get("status") or "actual")

    def status_change(self, entity_type: str, entity_id: str, region: str, before: str | None, after: str,
                      cause: str | None = None, reason: str | None = None) -> None:
        payload = {"entity_type": entity_type, "entity_id": entity_id, "region": region, "from_state": before,
                   "to_state": after, "changed_at": self.now_iso()}
        if cause:
            payload["cause_message_id"] = cause
        if reason:
            payload["reason"] = reason[:1000]
        self.send("hub.status_change", payload, "status")
