"""A hub intake on the real test database (SQLite or PostgreSQL), fed with signed records directly."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

import schemas
from hub.infrastructure import tables
from hub.services.intake import Intake
from hub.services.records import Record
from jjj.signing import KeyRegistry, Signer

NOW = datetime(2026, 7, 30, 12, 0, tzinfo=timezone(timedelta(hours=8)))


class Hub:
    """Feeds messages through the intake; ``now`` is a settable clock."""

    def __init__(self, engine, keys_dir, prefix: str = "jjj") -> None:  # noqa: ANN001
        self.engine, self.prefix, self.now = engine, prefix, NOW
        self.signers = {r: Signer.load(keys_dir, r) for r in ("bj", "tj", "he")}
        self.intake = Intake(engine, KeyRegistry.load(keys_dir), prefix=prefix, clock=lambda: self.now)
        self.offsets = itertools.count()

    def record(self, message: dict, *, offset: int | None = None) -> Record:
        region = message["sender"]["region"]
        value = schemas.encode(message)
        spec = schemas.KINDS[message["kind"]]
        headers = dict(self.signers[region].headers(message["message_id"],
                                                    f"{message['kind']}@{message['schema_version']}", value))
        return Record(spec.topic(region, self.prefix), 0, next(self.offsets) if offset is None else offset,
                      spec.partition_key(message["payload"]).encode(), value, headers)

    def feed(self, *messages: dict, batch: int = 500):  # noqa: ANN201
        records = [self.record(m) for m in messages]
        results = [self.intake.process(records[i:i + batch]) for i in range(0, len(records), batch)]
        return results[0] if len(results) == 1 else results

    def rows(self, table, *order: str) -> list[dict]:  # noqa: ANN001
        from sqlalchemy import select

        q = select(table)
        if order:
            q = q.order_by(*[table.c[o] for o in order])
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def outbox(self, kind: str | None = None) -> list[dict]:
        out = []
        for row in self.rows(tables.hub_outbox, "seq"):
            if kind is None or row["kind"].startswith(kind + "@"):
                out.append(schemas.decode(row["value"]) | {"_topic": row["topic"]})
        return out


@pytest.fixture
def hub(engine, keys_dir) -> Hub:  # noqa: ANN001
    return Hub(engine, keys_dir)
