"""The adapter's own database (SQLite by default, PostgreSQL supported): outbox, receipts, deliveries, imports.

    outbox        messages for the hub; a row exists before the provincial system hears "accepted"
    receipts      the hub's answer to each outbox message (accepted / rejected with code, reason, paths)
    deliveries    messages from the hub for the provincial system (webhook with retries, or pulled and acked)
    rejects       native records refused by the mapping or the contract, kept verbatim with the located reason
    imports       one row per imported file (sha256): progress, counts; lets a crashed import resume
    intake_keys   Idempotency-Key of HTTP pushes → the answer given, so a retried push is not doubled
    cursors       the poller's position in a provincial API, moved in the same transaction as the outbox rows
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

from jjj.db import create_tables
from jjj.outbox import SeqType, outbox_table

metadata = MetaData()

outbox = outbox_table(metadata, "outbox")

receipts = Table(
    "receipts", metadata,
    Column("message_id", String(32), primary_key=True),  # our outbox message id
    Column("receipt_id", String(32), nullable=False),
    Column("code", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("reason_zh", Text, nullable=True),
    Column("paths", JSON, nullable=True),
    Column("rule", String(80), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

deliveries = Table(
    "deliveries", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False, unique=True),
    Column("kind", String(80), nullable=False),
    Column("body", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
)
Index("ix_deliveries_pending", deliveries.c.seq, sqlite_where=deliveries.c.delivered_at.is_(None),
      postgresql_where=deliveries.c.delivered_at.is_(None))

rejects = Table(
    "rejects", metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("import_id", String(40), nullable=True),     # None for HTTP intake and polling
    Column("source", String(300), nullable=False),
    Column("location", String(200), nullable=False),
    Column("format", String(60), nullable=False),
    Column("problems", JSON, nullable=False),            # [{field, reason, reason_zh, path, rule}]
    Column("original", Text, nullable=False),            # the native record as received: nothing is lost
    Column("created_at", DateTime(timezone=True), nullable=False),
)

imports = Table(
    "imports", metadata,
    Column("import_id", String(40), primary_key=True),
    Column("source", String(300), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("format", String(60), nullable=False),
    Column("status", String(16), nullable=False),        # running | done | failed
    Column("ordinal_done", BigInteger, nullable=False, default=0),
    Column("accepted", BigInteger, nullable=False, default=0),
    Column("rejected", BigInteger, nullable=False, default=0),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("error", Text, nullable=True),
)

intake_keys = Table(
    "intake_keys", metadata,
    Column("key", String(200), primary_key=True),
    Column("response", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

cursors = Table(
    "cursors", metadata,
    Column("name", String(100), primary_key=True),
    Column("position", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def create_all(engine) -> None:  # noqa: ANN001
    create_tables(metadata, engine)
