"""Transactional outbox, shared by the adapters (messages to the hub) and the hub (receipts, routed messages).

A message is a row before anyone is told "accepted"; `OutboxPublisher` sends pending rows in `seq` order with the
idempotent producer and marks them only after the broker acknowledged them. Broker down = rows stay pending and
the outbox grows; when it is back the publisher drains them, per key in the order they were written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)

from jjj import merkle
from jjj.signing import H_ID, H_KEY, H_KIND, H_PROOF, H_ROOT_SIG, Signer

log = logging.getLogger(__name__)

SeqType = BigInteger().with_variant(Integer, "sqlite")


def outbox_table(metadata: MetaData, name: str = "outbox") -> Table:
    table = Table(
        name, metadata,
        Column("seq", SeqType, primary_key=True, autoincrement=True),
        Column("message_id", String(200), nullable=False, unique=True),  # dead letters: "dlq-<topic>/<p>/<offset>"
        Column("kind", String(80), nullable=False),  # "<kind>@<schema_version>"
        Column("topic", String(160), nullable=False),
        Column("key", String(160), nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSON, nullable=True),  # extra context headers (dead letters), added to the signed ones
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Column("partition", Integer, nullable=True),
        Column("offset", BigInteger, nullable=True),
    )
    Index(f"ix_{name}_pending", table.c.seq, sqlite_where=table.c.sent_at.is_(None),
          postgresql_where=table.c.sent_at.is_(None))
    return table


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: str
    kind_at_version: str
    topic: str
    key: str
    value: bytes
    headers: dict[str, str] | None = None


def enqueue(conn, table: Table, messages: Iterable[OutgoingMessage], now: datetime | None = None) -> int:  # noqa: ANN001
    """Insert messages inside the caller's transaction (one executemany)."""
    now = now or datetime.now(UTC)
    rows = [{"message_id": m.message_id, "kind": m.kind_at_version, "topic": m.topic, "key": m.key, "value": m.value,
             "headers": m.headers, "created_at": now} for m in messages]
    if rows:
        conn.execute(insert(table), rows)
    return len(rows)


def sign_batch(signer: Signer, rows: list, batch_signing: bool) -> list[list[tuple[str, bytes]]]:
    """Headers for each row: one signature per record, or one over the batch's hash-tree root with per-record proofs."""
    if not batch_signing or len(rows) == 1:
        return [signer.headers(r.message_id, r.kind, r.value) for r in rows]
    root, proofs = merkle.build([r.value for r in rows])
    root_sig = signer.sign(root)
    key = signer.key_id.encode()
    return [[(H_ID, r.message_id.encode()), (H_KIND, r.kind.encode()), (H_KEY, key), (H_ROOT_SIG, root_sig),
             (H_PROOF, proof)] for r, proof in zip(rows, proofs, strict=True)]


class OutboxPublisher:
    """Drains one outbox table to Kafka."""

    def __init__(self, engine: Engine, table: Table, producer, signer: Signer, *, batch: int = 1000,  # noqa: ANN001
                 batch_signing: bool = True, flush_timeout_s: float = 30.0) -> None:
        self.engine, self.table, self.producer, self.signer = engine, table, producer, signer
        self.batch, self.batch_signing, self.flush_timeout_s = batch, batch_signing, flush_timeout_s
        self._mark = (update(table).where(table.c.seq == bindparam("b_seq"))
                      .values(sent_at=bindparam("b_sent"), partition=bindparam("b_part"), offset=bindparam("b_off")))

    def pending(self, limit: int | None = None) -> list:
        t = self.table
        with self.engine.connect() as conn:
            q = (select(t.c.seq, t.c.message_id, t.c.kind, t.c.topic, t.c.key, t.c.value, t.c.headers)
                 .where(t.c.sent_at.is_(None)).order_by(t.c.seq).limit(limit or self.batch))
            return list(conn.execute(q))

    def drain_once(self) -> int:
        """Send one batch of pending rows; returns how many the broker acknowledged."""
        rows = self.pending()
        if not rows:
            return 0
        headers = sign_batch(self.signer, rows, self.batch_signing)
        futures = [self.producer.send(r.topic, key=r.key.encode(), value=r.value,
                                      headers=h + [(k, v.encode()) for k, v in (r.headers or {}).items()])
                   for r, h in zip(rows, headers, strict=True)]
        try:
            self.producer.flush(timeout=self.flush_timeout_s)
        except Exception as exc:  # kafka-python raises KafkaTimeoutError here; rows stay pending
            log.warning("outbox flush failed, %d rows stay pending: %s", len(rows), exc)
        now = datetime.now(UTC)
        acked = []
        for r, fut in zip(rows, futures, strict=True):
            if fut.is_done and fut.succeeded():
                md = fut.value
                acked.append({"b_seq": r.seq, "b_sent": now, "b_part": md.partition, "b_off": md.offset})
            else:
                break  # keep per-key order: nothing after the first unacknowledged row is marked
        if acked:
            with self.engine.begin() as conn:
                conn.execute(self._mark, acked)
        return len(acked)

    def drain(self, *, until_empty: bool = True, idle_sleep_s: float = 0.5, stop=lambda: False) -> int:  # noqa: ANN001
        """Drain until empty (or forever when until_empty is False, sleeping when idle), with backoff on failure.

        Broker and database outages are survived here: nothing in the loop may raise, or the worker would die.
        """
        total, backoff = 0, idle_sleep_s
        while not stop():
            try:
                sent = self.drain_once()
                pending = self.depth() if sent == 0 else 1
            except Exception:  # noqa: BLE001 - the loop must survive broker and database outages
                log.exception("outbox drain failed; retrying in %.1fs", backoff)
                sent, pending = -1, 1
            if sent > 0:
                total += sent
                backoff = idle_sleep_s
                continue
            if sent == 0 and not pending and until_empty:
                return total
            time.sleep(backoff)
            if pending:  # stuck (broker down) or failing (database down): back off
                backoff = min(backoff * 2, 10.0)
            else:
                backoff = idle_sleep_s
        return total

    def depth(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(self.table)
                                .where(self.table.c.sent_at.is_(None))).scalar_one()

    def oldest_pending_age_s(self) -> float:
        with self.engine.connect() as conn:
            oldest = conn.execute(select(func.min(self.table.c.created_at))
                                  .where(self.table.c.sent_at.is_(None))).scalar()
        if oldest is None:
            return 0.0
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return max(0.0, (datetime.now(UTC) - oldest).total_seconds())
