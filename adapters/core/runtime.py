"""One region's adapter at run time: accept canonical messages into the outbox, publish, take in the hub's answers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine, and_, func, insert, select

import schemas
from adapters.core import store
from adapters.core.encoder import Encoder
from adapters.core.pipeline import Ready
from adapters.core.spec import Canonical, MapContext, Rejected
from jjj.bus.clients import make_consumer, make_producer
from jjj.bus.topics import inbox_topic, region_topic
from jjj.config import REGION_UNIT_CODES, Settings
from jjj.db import make_engine
from jjj.outbox import OutboxPublisher, OutgoingMessage, enqueue
from jjj.signing import KeyRegistry, SignatureError, Signer, verify_record
from schemas.validate import now_rfc3339

log = logging.getLogger(__name__)

__all__ = ["AdapterRuntime", "Canonical"]
SOFTWARE_VERSION = "jjj-adapter/0.1"


@dataclass
class AdapterRuntime:
    """The outbox, publisher and inbox of one region's adapter (the same for every region)."""

    region: str
    settings: Settings
    system_id: str = ""
    started_at: str = field(default_factory=now_rfc3339)
    #: set after every outbox commit of this process: the publisher's idle wait ends at once (`committed`)
    wake_event: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    #: validates and serialises our messages, the envelope once per shape (`adapters.core.encoder`)
    encoder: Encoder = field(default_factory=Encoder, repr=False, compare=False)

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.adapter_database_url(self.region))
        store.create_all(engine)
        return engine

    @property
    def sender(self) -> dict:
        return {"region": self.region, "unit_code": REGION_UNIT_CODES[self.region],
                "system_id": self.system_id or f"{self.region}-adapter"}

    def envelope(self, item: Canonical, *, message_id: str | None = None) -> OutgoingMessage:
        """Wrap and validate (compiled schema, then the contract's rules); raises schemas.ContractError."""
        spec = schemas.KINDS.get(item.kind)
        msg = {"message_id": message_id or schemas.new_message_id(), "kind": item.kind,
               "schema_version": spec.version if spec else "1.0", "sender": self.sender, "sent_at": now_rfc3339(),
               "status": item.status, "references": list(item.references), "correlation_id": item.correlation_id,
               "expires_at": None, "payload": item.payload}
        value = self.encoder.encode(msg)  # ≡ schemas.encode(msg, fast=True)
        topic = region_topic(self.settings.topic_prefix, self.region, spec.family)
        return OutgoingMessage(msg["message_id"], f"{item.kind}@{msg['schema_version']}", topic,
                               spec.partition_key(item.payload), value)

    def accept(self, items: Iterable[Canonical]) -> list[str]:
        """Validate and store in the outbox in one transaction; only then is the batch "accepted". Returns ids."""
        outgoing = [self.envelope(i) for i in items]
        with self.engine.begin() as conn:
            enqueue(conn, store.outbox, outgoing)
        self.committed()
        return [o.message_id for o in outgoing]

    def committed(self) -> None:
        """Outbox rows were just committed: wake this process's publisher (it would look within 50 ms anyway)."""
        self.wake_event.set()

    def write(self, conn, ready: list[Ready], rejected: list[Rejected], fmt: str,  # noqa: ANN001
              import_id: str | None = None) -> None:
        """Inside the caller's transaction: outbox rows for the ready messages, reject rows for the refused."""
        enqueue(conn, store.outbox, [r.message for r in ready])
        if rejected:
            now = datetime.now(UTC)
            conn.execute(insert(store.rejects), [
                {"import_id": import_id, "source": rec.source, "location": rec.location, "format": fmt,
                 "problems": [p.as_dict() for p in rj.error.problems], "original": rec.original, "created_at": now}
                for rj in rejected for rec in rj.records])

    def last_message_id(self, kind: str, key: str) -> str | None:
        """Our latest outbox message of ``kind`` about entity ``key`` (corrections and cancels reference it)."""
        t = store.outbox
        with self.engine.connect() as conn:
            return conn.execute(select(t.c.message_id).where(and_(t.c.key == key, t.c.kind.like(f"{kind}@%")))
                                .order_by(t.c.seq.desc()).limit(1)).scalar()

    def context(self, config: dict, persons=None) -> MapContext:  # noqa: ANN001
        from adapters.core.persons import PersonKeyMissing, Persons, load_hasher

        if persons is None:
            try:
                persons = Persons(load_hasher())
            except PersonKeyMissing:
                persons = Persons(None)  # formats without persons still work; the first ID number fails loudly
        return MapContext(self.region, persons, config, self.last_message_id)

    def publisher(self) -> OutboxPublisher:
        # producer batches of 768 KiB (default 256): a 2,000-row outbox batch of one entity fills a few instead of
        # ~10, and each new batch wakes kafka-python's sender thread (a GIL hand-over); below the topics' 1 MiB
        producer = make_producer(self.settings.kafka_bootstrap, client_id=f"adapter-{self.region}",
                                 batch_size=768 * 1024)
        return OutboxPublisher(self.engine, store.outbox, producer, Signer.load(self.settings.keys, self.region),
                               wake_event=self.wake_event)

    # -- heartbeat and status ------------------------------------------------------------------------------------
    def heartbeat_item(self) -> Canonical:
        s = self.status()
        return Canonical("heartbeat.heartbeat", {
            "adapter_id": self.system_id or f"{self.region}-adapter", "started_at": self.started_at,
            "outbox_depth": s["outbox_depth"], "oldest_pending_at": s["oldest_pending_at"],
            "last_published_at": s["last_published_at"], "software_version": SOFTWARE_VERSION})

    def beat(self) -> str | None:
        """Queue a heartbeat unless one is still waiting (a broker outage must not pile heartbeats up)."""
        t = store.outbox
        with self.engine.connect() as conn:
            waiting = conn.execute(select(func.count()).select_from(t).where(
                and_(t.c.sent_at.is_(None), t.c.kind.like("heartbeat.heartbeat@%")))).scalar_one()
        return None if waiting else self.accept([self.heartbeat_item()])[0]

    def status(self) -> dict:
        """Outbox depth, oldest unsent, unreceipted and rejected messages, last receipt, pending deliveries."""
        t, r, d = store.outbox, store.receipts, store.deliveries
        with self.engine.connect() as conn:
            depth, oldest = conn.execute(select(func.count(), func.min(t.c.created_at))
                                         .where(t.c.sent_at.is_(None))).one()
            last_sent = conn.execute(select(func.max(t.c.sent_at))).scalar()
            unreceipted = conn.execute(select(func.count()).select_from(
                t.outerjoin(r, r.c.message_id == t.c.message_id)).where(
                and_(t.c.sent_at.is_not(None), r.c.message_id.is_(None)))).scalar_one()
            by_outcome = dict(conn.execute(select(r.c.outcome, func.count()).group_by(r.c.outcome)).all())
            last_receipt = conn.execute(select(func.max(r.c.received_at))).scalar()
            pending_deliveries = conn.execute(select(func.count()).select_from(d)
                                              .where(d.c.delivered_at.is_(None))).scalar_one()
            rejects = conn.execute(select(func.count()).select_from(store.rejects)).scalar_one()
        now = datetime.now(UTC)
        return {"region": self.region, "outbox_depth": depth, "oldest_pending_at": _iso(oldest),
                "oldest_pending_age_s": round((now - _utc(oldest)).total_seconds(), 1) if oldest else 0.0,
                "last_published_at": _iso(last_sent), "unreceipted": unreceipted,
                "receipts_accepted": by_outcome.get("accepted", 0), "receipts_rejected": by_outcome.get("rejected", 0),
                "last_receipt_at": _iso(last_receipt), "deliveries_pending": pending_deliveries,
                "native_rejects": rejects}

    # -- inbox ---------------------------------------------------------------------------------------------------
    def inbox_consumer(self):  # noqa: ANN201
        return make_consumer(self.settings.kafka_bootstrap, [inbox_topic(self.settings.topic_prefix, self.region)],
                             group_id=f"{self.settings.topic_prefix}-adapter-{self.region}",
                             client_id=f"adapter-{self.region}-inbox")

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
                receipts.append({"message_id": p["for_message_id"], "receipt_id": msg["message_id"],
                                 "code": p["code"], "outcome": p["outcome"], "reason": p.get("reason"),
                                 "reason_zh": p.get("reason_zh"), "paths": p.get("paths"), "rule": p.get("rule"),
                                 "received_at": now})
            else:
                deliveries.append({"message_id": msg["message_id"], "kind": msg["kind"], "body": msg,
                                   "received_at": now, "attempts": 0, "next_attempt_at": now})
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
                    consumer.commit()  # after the receipts are in our database: at least once, applied once
        finally:
            consumer.close()


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _iso(dt: datetime | None) -> str | None:
    return _utc(dt).isoformat() if dt else None


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
