"""Composition root of the hub: wires settings, database, keys, Kafka clients and services together."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from hub.infrastructure import tables
from hub.infrastructure.metrics import HubMetrics
from hub.services import audit
from hub.services.intake import Intake
from jjj.bus.clients import make_consumer, make_producer
from jjj.bus.topics import hub_input_topics
from jjj.config import Settings
from jjj.db import make_engine
from jjj.outbox import OutboxPublisher
from jjj.signing import KeyRegistry, Signer


@dataclass
class HubServices:
    settings: Settings
    worker_id: str = "hub-1"
    #: records per poll batch = per transaction (``JJJ_HUB_MAX_POLL_RECORDS``): per-batch work (the already-processed
    #: look-up, each touched entity's recompute, the commit) is shared by more messages in a burst; a steady trickle
    #: still comes in small polls, so latency does not grow (docs/perf/hub-profile.md)
    max_poll_records: int = field(default_factory=lambda: int(os.environ.get("JJJ_HUB_MAX_POLL_RECORDS", "2000")))
    metrics: HubMetrics = field(default_factory=HubMetrics)

    @cached_property
    def engine(self):  # noqa: ANN201
        # SQLite: a few connections kept open (the consume loop, the relay, the scheduler's jobs): opening one per
        # batch ran the pragmas and closing the last one checkpointed the WAL inside the batch (docs/perf/e2e.md)
        # PostgreSQL: every execution planned for its values (a generic plan made on the fresh, empty tables of a
        # new worker database stayed a sequential scan as they grew; jjj.db.pg_connect_args)
        engine = make_engine(self.settings.database_url, sqlite_pool=True, custom_plans=True)
        tables.create_all(engine)
        audit.create_tables(engine)
        return engine

    @cached_property
    def keys(self) -> KeyRegistry:
        return KeyRegistry.load(self.settings.keys)

    @cached_property
    def intake(self) -> Intake:
        return Intake(self.engine, self.keys, prefix=self.settings.topic_prefix)

    @property
    def input_topics(self) -> list[str]:
        return hub_input_topics(self.settings.topic_prefix)

    def consumer(self):  # noqa: ANN201
        # a fetch waits up to 100 ms for 64 KB (~50 messages) so that a steady stream comes in batches rather than
        # one record at a time: each batch costs ~15 database round trips whatever its size (docs/perf/e2e.md)
        return make_consumer(self.settings.kafka_bootstrap, self.input_topics, group_id=self.settings.hub_group,
                             client_id=self.worker_id, max_poll_records=self.max_poll_records,
                             fetch_min_bytes=int(os.environ.get("JJJ_HUB_FETCH_MIN_BYTES", "65536")),
                             fetch_max_wait_ms=int(os.environ.get("JJJ_HUB_FETCH_MAX_WAIT_MS", "100")),
                             # what one fetch may bring (kafka-python's default, 50 MB, held a backlog's worth of
                             # fetched bytes in the worker: a ±50 MB sawtooth of its RSS); 8 MB is ~3 poll batches
                             fetch_max_bytes=int(os.environ.get("JJJ_HUB_FETCH_MAX_BYTES", str(8 << 20))))

    def publisher(self) -> OutboxPublisher:
        producer = make_producer(self.settings.kafka_bootstrap, client_id=f"{self.worker_id}-out")
        return OutboxPublisher(self.engine, tables.hub_outbox, producer, Signer.load(self.settings.keys, "hub"))
