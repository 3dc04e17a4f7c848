"""Helpers for the trust tests: raw records on the real broker, a hub worker in a thread, reading a topic whole."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
BJ_SAMPLE = ROOT / "adapters" / "beijing" / "samples" / "disaster_report.json"


def wait_for(predicate: Callable, timeout_s: float = 40.0, step_s: float = 0.2):  # noqa: ANN201
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"condition not met within {timeout_s}s")


def bj_report(settings, event_suffix: str | None = None):  # noqa: ANN001, ANN201
    """A valid Beijing disaster report as an OutgoingMessage (topic, key, value bytes), not yet signed."""
    from adapters.beijing.mapping import map_disaster_report
    from adapters.core.runtime import AdapterRuntime

    doc = json.loads(BJ_SAMPLE.read_text(encoding="utf-8"))
    doc["灾情编号"] = f"BJ-2026-0730-{event_suffix or uuid.uuid4().hex[:4].upper()}"
    return AdapterRuntime("bj", settings).envelope(map_disaster_report(doc))


def send_raw(bootstrap: str, records: list[tuple[str, bytes | None, bytes, list]]) -> None:
    """Produce (topic, key, value, headers) records as they are: no outbox, no signing unless headers carry it."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for topic, key, value, headers in records:
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush(timeout=15)
    finally:
        producer.close(timeout=5)


def read_topic(bootstrap: str, topic: str, *, min_count: int = 0, timeout_s: float = 20.0) -> list:
    """Every record of a topic from the beginning (no group), waiting until at least `min_count` arrived."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        out: list = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=300).values():
                out.extend(batch)
            ends = consumer.end_offsets(parts)
            if len(out) >= min_count and all(consumer.position(tp) >= ends[tp] for tp in parts):
                break
        return out
    finally:
        consumer.close()


class HubThread:
    """One hub worker (the real consumer loop) in a thread."""

    def __init__(self, settings, worker_id: str = "hub-trust", *, apply: str = "inline") -> None:  # noqa: ANN001
        from hub.bootstrap import HubServices

        self.services = HubServices(settings, worker_id=worker_id)
        self.apply = apply  # "process": batches are stored by a `jjj hub apply` child (what `jjj hub run` does)
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from hub.entrypoints import consumer

        try:
            consumer.run(self.services, self.stop.is_set, poll_ms=200, apply=self.apply)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def processed_count(self) -> int:
        from hub.infrastructure import tables as t

        with self.services.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.processed)).scalar_one()

    def wait_processed(self, n: int, timeout_s: float = 40.0) -> None:
        wait_for(lambda: self.error is not None or self.processed_count() >= n, timeout_s)
        assert self.error is None, self.error

    def wait_outbox_empty(self, timeout_s: float = 30.0) -> None:
        from hub.infrastructure import tables as t

        def empty() -> bool:
            with self.services.engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(t.hub_outbox)
                                    .where(t.hub_outbox.c.sent_at.is_(None))).scalar_one() == 0
        wait_for(empty, timeout_s)


@pytest.fixture
def hub(settings):  # noqa: ANN001, ANN201
    h = HubThread(settings)
    h.thread.start()
    yield h
    h.stop.set()
    h.thread.join(timeout=30)
