"""The hub's tables (SQLAlchemy Core). The hub stores what reconciliation needs and nothing more: no plain ID
numbers, no unmasked names (contracts.md "Privacy")."""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Index, Integer, MetaData, PrimaryKeyConstraint, String,
                        Table, Text)

from jjj.db import create_tables
from jjj.outbox import SeqType, outbox_table

metadata = MetaData()

#: One row per consumed record, written in the same transaction as its effect: the idempotency key.
processed = Table(
    "processed_messages", metadata,
    Column("message_id", String(64), primary_key=True),  # or "topic/partition/offset" for undecodable records
    Column("topic", String(160), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("region", String(8), nullable=False),
    Column("kind", String(80), nullable=True),
    Column("code", Integer, nullable=False),  # receipt code (100 accepted, 2xx–5xx rejected)
    Column("reason", Text, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
Index("ix_processed_region_code", processed.c.region, processed.c.code)

#: Dead letters: the original bytes and why, for `jjj dlq list|show|replay`.
dead_letters = Table(
    "dead_letters", metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("message_id", String(64), nullable=True),
    Column("topic", String(160), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("region", String(8), nullable=False),
    Column("code", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("paths", JSON, nullable=True),
    Column("original", Text, nullable=False),  # base64 of the original value bytes
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("replayed_at", DateTime(timezone=True), nullable=True),
)

#: Every revision of every disaster report, as received (history is never rewritten).
disaster_reports = Table(
    "disaster_reports", metadata,
    Column("message_id", String(32), nullable=False),
    Column("region", String(8), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),  # disaster.report | disaster.correction | disaster.cancel
    Column("stage", String(16), nullable=True),
    Column("revision", Integer, nullable=True),
    Column("data_as_of", String(40), nullable=True),
    Column("sent_at", String(40), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSON, nullable=False),
    PrimaryKeyConstraint("message_id"),
)
Index("ix_disaster_reports_event", disaster_reports.c.region, disaster_reports.c.event_id)

hub_outbox = outbox_table(metadata, "hub_outbox")


def create_all(engine) -> None:  # noqa: ANN001
    """Create missing tables (development; production upgrades with `alembic upgrade head`)."""
    create_tables(metadata, engine)
