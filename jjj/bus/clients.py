"""kafka-python producer and consumer with the platform's settings (idempotent producer, acks=all, manual commits)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from jjj.bus import kafka_fixes
from jjj.errors import BusError

log = logging.getLogger(__name__)
kafka_fixes.install()


def security_options(principal: str | None = None) -> dict[str, object]:
    """SASL/SCRAM client options when `JJJ_KAFKA_SASL_USERNAME` (or a per-principal file) is configured."""
    user = os.environ.get("JJJ_KAFKA_SASL_USERNAME")
    password = os.environ.get("JJJ_KAFKA_SASL_PASSWORD")
    pw_file = os.environ.get("JJJ_KAFKA_SASL_PASSWORD_FILE")
    if pw_file and not password:
        with open(pw_file, encoding="utf-8") as fh:
            password = fh.read().strip()
    if not user:
        return {}
    return {"security_protocol": os.environ.get("JJJ_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
            "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": user, "sasl_plain_password": password}


def make_producer(bootstrap: str, *, client_id: str, **overrides: object) -> KafkaProducer:
    """Idempotent producer (acks=all): a retried batch is written once and per-partition order holds.

    linger_ms is long because every platform producer (the outbox publishers) calls flush() after a batch, which
    sends at once: the linger only stops kafka-python from opening a new batch, and waking its I/O thread (a GIL
    hand-over of up to 5 ms), for nearly every record. Measured by `jjj bench`: 4,300 -> 6,900 sends/s.

    batch_size is just under the broker's default ``message.max.bytes`` (1,048,588): once a partition's batch is
    full, kafka-python wakes its I/O thread on every later send to that partition (a socket write each). The hub's
    relay sends 2,000 receipts per drain, more than 256 KB for a busy region's partition: 0.23 wake-ups per send
    and 27 µs CPU per send, against 0.005 and 22–23 µs with 1 MB batches (``docs/perf/producer_batch_bench.py``).
    """
    options: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 50,
        "batch_size": 1_000_000,
        "max_request_size": 1_048_576,
        "request_timeout_ms": 15_000,
        "max_block_ms": 10_000,
        **security_options(),
    }
    options.update(overrides)
    try:
        return KafkaProducer(**options)
    except KafkaError as exc:
        raise BusError(f"cannot create Kafka producer: {exc}", bootstrap=bootstrap) from exc


def make_consumer(bootstrap: str, topics: Sequence[str], *, group_id: str | None, client_id: str,
                  **overrides: object) -> KafkaConsumer:
    """Consumer with auto-commit off: the caller commits offsets after its database transaction."""
    options: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "group_id": group_id,
        "client_id": client_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_poll_records": 500,
        "session_timeout_ms": 30_000,
        "heartbeat_interval_ms": 3_000,
        "max_poll_interval_ms": 300_000,
        **security_options(),
    }
    options.update(overrides)
    try:
        consumer = KafkaConsumer(**options)
        if topics:
            consumer.subscribe(list(topics))
        return consumer
    except KafkaError as exc:
        raise BusError(f"cannot create Kafka consumer: {exc}", bootstrap=bootstrap) from exc
