"""One region's adapter at run time: accept canonical messages into the outbox, publish, take in the hub's answers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine, insert, select

import schemas
from adapters.core import store
from jjj.bus.clients import make_consumer, make_producer
from jjj.bus.topics import inbox_topic, region_topic
from jjj.config import REGION_UNIT_CODES, Settings
from jjj.db import make_engine
from jjj.outbox import OutboxPublisher, OutgoingMessage, enqueue
from jjj.signing import KeyRegistry, Signer, SignatureError, verify_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Canonical:
    """A canonical message before it has an envelope: what a region's mapping produces from native input."""

    kind: str
    payload: dict
    references: tuple[str, ...] = ()
    correlation_id: str | None = None
    status: str = "actual"


@dataclass
class AdapterRuntime:
    region: str
    settings: Settings
    system_id: str = ""

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.adapter_database_url(self.region))
        store.create_all(engine)
        return engine

    @property
    def sender(self) -> dict:
        return {"region": self.region, "unit_code": REGION_UNIT_CODES[self.region],
                "system_id": self.system_id or f"{self.region}-adapter"}

    def envelope(self, item: Canonical) -> OutgoingMessage:
        msg = schemas.build_message(item.kind, item.payload, sender=self.sender, references=item.references,
                                    correlation_id=item.correlation_id, status=item.status)
        spec = schemas.KINDS[item.kind]
        topic = region_topic(self.settings.topic_prefix, self.region, spec.family)
        return OutgoingMessage(msg["message_id"], f"{item.kind}@{msg['schema_version']}", topic,
                               spec.partition_key(msg["payload"]), schemas.encode(msg))

    def accept(self, items: Iterable[Canonical]) -> list[str]:
        """Validate and store in the outbox in one transaction; only then is the batch "accepted". Returns ids."""
        outgoing = [self.envelope(i) for i in items]
        with self.engine.begin() as conn:
            enqueue(conn, store.outbox, outgoing)
        return [o.message_id for o in outgoing]

    def publisher(self) -> OutboxPublisher:
        producer = make_producer(self.settings.kafka_bootstrap, client_id=f"adapter-{self.region}")
        return OutboxPublisher(self.engine, store.outbox, producer, Signer.load(self.settings.keys, self.region))

    # -- inbox ---------------------------------------------------------------------------------------------------
    def inbox_consumer(self):  # noqa: ANN201
        return make_consumer(self.settings.kafka_bootstrap, [inbox_topic(self.settings.topic_prefix, self.region)],
                             group_id=f"jjj-adapter-{self.region}", client_id=f"adapter-{self.region}-inbox")

    def take_in(self, records: Iterable, keys: KeyRegistry) -> int:  # noqa: ANN001
        """Verify the hub's signature, record receipts against outbox rows, keep other messages for delivery."""
        now = datetime.now(UTC)
        receipts, deliveries = [], []
        for r in records:
            headers = {k: v for k, v in (r.headers or [])}
            try:
                verify_record(keys, r.value, headers, expected_owner="hub")
                msg = schemas.decode(r.value)
            except (SignatureError, schemas.ContractError) as exc:
                log.error("dropping unverifiable message from the hub at %s/%s/%s: %s", r.topic, r.partition,
                          r.offset, exc)
                continue
            if msg["kind"] == "hub.receipt":
                p = msg["payload"]
                if p.get("for_message_id"):
                    receipts.append({"message_id": p["for_message_id"], "receipt_id": msg["message_id"],
                                     "code": p["code"], "outcome": p["outcome"], "reason": p.get("reason"),
                                     "paths": p.get("paths"), "received_at": now})
            else:
                deliveries.append({"message_id": msg["message_id"], "kind": msg["kind"], "body": msg,
                                   "received_at": now, "attempts": 0})
        with self.engine.begin() as conn:
            _insert_new(conn, store.receipts, receipts, "message_id")
            _insert_new(conn, store.deliveries, deliveries, "message_id")
        return len(receipts) + len(deliveries)

    def receipt_for(self, message_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(store.receipts).where(store.receipts.c.message_id == message_id)).first()
        return dict(row._mapping) if row else None

    def run_inbox(self, stop: Callable[[], bool]) -> None:
        keys = KeyRegistry.load(self.settings.keys)
        consumer = self.inbox_consumer()
        try:
            while not stop():
                polled = consumer.poll(timeout_ms=500)
                records = [r for batch in polled.values() for r in batch]
                if records:
                    self.take_in(records, keys)
                    consumer.commit()
        finally:
            consumer.close()


def _insert_new(conn, table, rows: list[dict], key: str) -> None:  # noqa: ANN001
    """Insert rows whose key is not there yet (duplicated receipts and redeliveries are harmless)."""
    if not rows:
        return
    keys = {r[key] for r in rows}
    existing = set(conn.execute(select(table.c[key]).where(table.c[key].in_(keys))).scalars())
    fresh, seen = [], set()
    for r in rows:
        if r[key] not in existing and r[key] not in seen:
            fresh.append(r)
            seen.add(r[key])
    if fresh:
        conn.execute(insert(table), fresh)
