"""The adapter's own database: the outbox of messages for the hub and what the hub answered about each one."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, Text

from jjj.db import create_tables
from jjj.outbox import SeqType, outbox_table

metadata = MetaData()

outbox = outbox_table(metadata, "outbox")

#: One row per receipt from the hub, keyed by the message it answers (a re-sent receipt is ignored).
receipts = Table(
    "receipts", metadata,
    Column("message_id", String(32), primary_key=True),  # our outbox message id
    Column("receipt_id", String(32), nullable=False),
    Column("code", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("paths", JSON, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

#: Messages from the hub for the provincial system (routed requests, responses, statements), for webhook or pull.
deliveries = Table(
    "deliveries", metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=True),
    Column("message_id", String(32), nullable=False, unique=True),
    Column("kind", String(80), nullable=False),
    Column("body", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
)


def create_all(engine) -> None:  # noqa: ANN001
    create_tables(metadata, engine)
