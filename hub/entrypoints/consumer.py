"""`jjj hub run`: the consumer worker loop. Decode records, call the intake service, commit offsets after it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from hub.bootstrap import HubServices
from hub.services.records import Record

log = logging.getLogger(__name__)


def to_record(r) -> Record:  # noqa: ANN001 - kafka-python ConsumerRecord
    return Record(r.topic, r.partition, r.offset, r.key, r.value or b"", {k: v for k, v in (r.headers or [])},
                  r.timestamp)


def run(services: HubServices, stop: Callable[[], bool] = lambda: False, *, poll_ms: int = 500) -> None:
    """Consume until `stop()`; a database outage pauses the loop and retries without committing offsets."""
    consumer, intake, publisher = services.consumer(), services.intake, services.publisher()
    log.info("hub worker consuming %d topics as group %s", len(services.input_topics), services.settings.hub_group)
    try:
        while not stop():
            polled = consumer.poll(timeout_ms=poll_ms, max_records=services.max_poll_records)
            records = [to_record(r) for batch in polled.values() for r in batch]
            if records:
                started = time.monotonic()
                result = _process_until_stored(intake, records, consumer, stop)
                services.metrics.observe_batch(records, result, time.monotonic() - started)
            services.metrics.observe_lag(consumer)
            publisher.drain(until_empty=True, stop=stop)
            if records:
                consumer.commit()
    finally:
        consumer.close()
        publisher.producer.flush(timeout=10)
        publisher.producer.close(timeout=10)


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
