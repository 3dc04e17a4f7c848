"""The adapters verify the hub's outbound messages (ISSUE 7 item 2): `AdapterRuntime.take_in` keeps what the hub
signed and drops unsigned, tampered and non-hub-signed records from `<p>.to.<r>`."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from adapters.core.runtime import AdapterRuntime
from hub.services.receipts import receipt_message
from hub.services.records import Record, Verdict
from jjj.bus.topics import inbox_topic
from jjj.signing import KeyRegistry, Signer
from tests.trust.conftest import send_raw

pytestmark = pytest.mark.kafka


def _receipt(settings, for_id: str):  # noqa: ANN001, ANN201
    rec = Record(f"{settings.topic_prefix}.bj.disaster", 0, 0, b"k", b"{}", {})
    return receipt_message(settings.topic_prefix, "bj", rec, Verdict(100), for_id, datetime.now(UTC).isoformat())


def test_take_in_keeps_only_what_the_hub_signed(settings) -> None:  # noqa: ANN001
    hub, bj = Signer.load(settings.keys, "hub"), Signer.load(settings.keys, "bj")
    genuine, unsigned, tampered, by_bj = (_receipt(settings, f"M-{i}") for i in range(4))
    topic = inbox_topic(settings.topic_prefix, "bj")
    tampered_value = tampered.value.replace(b'"accepted"', b'"rejected"')
    assert tampered_value != tampered.value
    send_raw(settings.kafka_bootstrap, [
        (topic, b"M-0", genuine.value, hub.headers(genuine.message_id, genuine.kind_at_version, genuine.value)),
        (topic, b"M-1", unsigned.value, []),
        (topic, b"M-2", tampered_value, hub.headers(tampered.message_id, tampered.kind_at_version, tampered.value)),
        (topic, b"M-3", by_bj.value, bj.headers(by_bj.message_id, by_bj.kind_at_version, by_bj.value)),
    ])
    adapter = AdapterRuntime("bj", settings)
    consumer = adapter.inbox_consumer()
    records: list = []
    try:
        deadline = time.monotonic() + 30
        while len(records) < 4 and time.monotonic() < deadline:
            records += [r for batch in consumer.poll(timeout_ms=500).values() for r in batch]
    finally:
        consumer.close()
    assert len(records) == 4
    assert adapter.take_in(records, KeyRegistry.load(settings.keys)) == 1
    assert adapter.receipt_for("M-0")["code"] == 100
    assert [adapter.receipt_for(f"M-{i}") for i in (1, 2, 3)] == [None, None, None]
