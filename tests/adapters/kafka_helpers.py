"""Helpers of the adapter tests that use a real broker."""

from __future__ import annotations

import json
import time

from jjj.bus.clients import make_consumer


def wait_for(predicate, timeout_s: float = 60.0, step_s: float = 0.2):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"condition not met within {timeout_s}s")


def message_ids_on(bootstrap: str, topic: str, expect: int, timeout_s: float = 30.0) -> list[str]:
    """Every message id on a topic (all partitions, from the start), duplicates included."""
    consumer = make_consumer(bootstrap, [topic], group_id=None, client_id="test-count")
    ids: list[str] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                ids.extend(json.loads(r.value)["message_id"] for r in batch)
            if len(set(ids)) >= expect:
                # one more poll: duplicates written after the last ack would show up now
                for batch in consumer.poll(timeout_ms=1000).values():
                    ids.extend(json.loads(r.value)["message_id"] for r in batch)
                break
    finally:
        consumer.close()
    return ids


def beijing_reports(n: int, start: int = 0) -> list[dict]:
    """n distinct 初报 (one event each) from the Beijing sample."""
    from tests.adapters.conftest import sample

    doc = json.loads(sample("beijing", "disaster_report.json").read_text(encoding="utf-8"))
    return [dict(doc, 灾情编号=f"BJ-2026-0730-T{start + i:05d}") for i in range(n)]
