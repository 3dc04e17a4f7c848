"""`jjj hub run`: the consumer worker loop. Decode records, call the intake service, commit offsets after it."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable

from kafka.errors import CommitFailedError, KafkaError
from sqlalchemy.exc import DBAPIError

from hub.bootstrap import HubServices
from hub.services.records import Record

log = logging.getLogger(__name__)


def to_record(r) -> Record:  # noqa: ANN001 - kafka-python ConsumerRecord
    return Record(r.topic, r.partition, r.offset, r.key, r.value or b"", {k: v for k, v in (r.headers or [])},
                  r.timestamp)


class Relay(threading.Thread):
    """Sends the hub outbox (receipts, dead letters, routed messages) beside the consume loop.

    The batch's transaction already holds its outgoing messages, so the loop commits its offsets right after it and
    polls the next batch while this thread waits for the broker's acknowledgements (the transactional outbox's
    relay; before, every batch waited for its receipts' round trip). Woken after each batch; also drains every
    ``idle_s`` so that rows left by a broker outage or a previous run go out.
    """

    def __init__(self, publisher, *, idle_s: float = 0.5) -> None:  # noqa: ANN001
        super().__init__(name="hub-outbox-relay", daemon=True)
        self.publisher, self.idle_s = publisher, idle_s
        self._wake, self._halt = threading.Event(), threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        while not self._halt.is_set():
            self._wake.wait(timeout=self.idle_s)
            self._wake.clear()
            self.publisher.drain(until_empty=True, stop=self._halt.is_set)

    def stop(self, *, drain_s: float = 10.0) -> None:
        """Stop the thread, then send what is left for up to ``drain_s`` (the rest waits for the next start)."""
        self._halt.set()
        self._wake.set()
        self.join(timeout=30)
        deadline = time.monotonic() + drain_s
        self.publisher.drain(until_empty=True, idle_sleep_s=0.2, stop=lambda: time.monotonic() > deadline)


def run(services: HubServices, stop: Callable[[], bool] = lambda: False, *, poll_ms: int = 500) -> None:
    """Consume until `stop()`; a database outage pauses the loop and retries without committing offsets."""
    consumer, intake, publisher = services.consumer(), services.intake, services.publisher()
    # A worker keeps large, long-lived state (validators, key registry, the disaster memo): move what start-up made
    # out of the collector's sight and collect the young generation less often (every 10,000 net allocations
    # instead of 700; a full collection still follows every 100 young ones, so cyclic garbage stays bounded).
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    log.info("hub worker consuming %d topics as group %s", len(services.input_topics), services.settings.hub_group)
    relay = Relay(publisher)
    relay.start()
    try:
        while not stop():
            polled = consumer.poll(timeout_ms=poll_ms, max_records=services.max_poll_records)
            records = [to_record(r) for batch in polled.values() for r in batch]
            if records:
                started = time.monotonic()
                result = _process_until_stored(intake, records, consumer, stop)
                services.metrics.observe_batch(records, result, time.monotonic() - started)
                relay.wake()
                _commit(consumer, stop)
            services.metrics.observe_lag(consumer)
    finally:
        consumer.close()
        relay.stop()
        publisher.producer.flush(timeout=10)
        publisher.producer.close(timeout=10)


def _commit(consumer, stop: Callable[[], bool]) -> None:  # noqa: ANN001
    """Commit offsets after the batch's transaction. While the broker is away, retry with backoff: the effects are
    already stored, so if the worker stops first, the redelivered batch is skipped by position (exactly-once effect)."""
    delay = 0.5
    while True:
        try:
            consumer.commit()
            return
        except CommitFailedError as exc:  # the group rebalanced: the new owner skips what this batch stored
            log.warning("offset commit refused after a rebalance (%s); the records will be redelivered and skipped", exc)
            return
        except KafkaError as exc:
            if stop():
                log.warning("stopping with an uncommitted batch (%s); it will be redelivered and skipped", exc)
                return
            log.warning("offset commit failed (%s); broker unavailable? retrying in %.1fs", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def _process_until_stored(intake, records, consumer, stop):  # noqa: ANN001, ANN202
    delay = 0.5
    while True:
        try:
            return intake.process(records)
        except DBAPIError as exc:
            log.warning("database unavailable (%s); retrying in %.1fs without committing offsets", exc.orig, delay)
            consumer.pause(*consumer.assignment())
            end = time.monotonic() + delay
            while time.monotonic() < end and not stop():
                consumer.poll(timeout_ms=100)  # keeps group membership while paused
            consumer.resume(*consumer.paused())
            if stop():
                raise
            delay = min(delay * 2, 10.0)
