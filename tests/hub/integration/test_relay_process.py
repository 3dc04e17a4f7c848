"""On the real broker: `jjj hub run` sends its outbox from a child process (`jjj hub relay --wake-fd`).

Every receipt reaches the broker; a relay killed with -9 is started again at the worker's next batch and what it
left pending goes out; when the worker stops, its relay drains and exits with it.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from sqlalchemy import func, select

from hub.infrastructure import tables
from jjj.bus.clients import make_consumer, make_producer
from jjj.bus.topics import inbox_topic
from jjj.db import make_engine
from tests.hub.integration.test_kill9 import encoded, start_hub, wait
from tests.hub.integration.workload import workload

pytestmark = [pytest.mark.kafka]


def children(pid: int, *words: bytes) -> list[int]:
    """The process's children whose command line has all of ``words`` as arguments."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            kids = [int(c) for c in fh.read().split()]
    except OSError:
        return []
    out = []
    for child in kids:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as fh:
                args = fh.read().split(b"\0")
        except OSError:
            continue
        if all(w in args for w in words):
            out.append(child)
    return out


def relays(pid: int) -> list[int]:
    """The worker's child processes that are outbox relays."""
    return children(pid, b"relay", b"--wake-fd")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def sent(engine) -> tuple[int, int]:  # noqa: ANN001
    """(receipts in the hub outbox, of which acknowledged by the broker)."""
    o = tables.hub_outbox
    receipt = o.c.kind.like("hub.receipt@%")
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(o).where(receipt)).scalar_one()
        acked = conn.execute(select(func.count()).select_from(o).where(receipt, o.c.sent_at.is_not(None))).scalar_one()
    return total, acked


def publish(settings, records) -> None:  # noqa: ANN001
    import schemas

    producer = make_producer(settings.kafka_bootstrap, client_id="relay-test-producer")
    for region, key, value, headers in records:
        family = schemas.KINDS[schemas.decode(value)["kind"]].family
        producer.send(f"{settings.topic_prefix}.{region}.{family}", key=key.encode(), value=value, headers=headers)
    producer.flush(timeout=60)
    producer.close()


def test_the_worker_relay_process_sends_every_receipt_survives_kill_9_and_stops_with_the_worker(settings) -> None:  # noqa: ANN001
    records = encoded(workload(120), settings.keys_dir)
    first, second = records[:60], records[60:]
    ids = {json.loads(v)["message_id"] for _r, _k, v, _h in records}
    publish(settings, first)
    engine = make_engine(settings.database_url)
    hub = start_hub(settings)
    try:
        wait(lambda: _ready(engine) and sent(engine) == (60, 60), 120)
        (relay,) = relays(hub.pid)
        os.kill(relay, signal.SIGKILL)
        wait(lambda: not alive(relay), 10)

        publish(settings, second)
        wait(lambda: sent(engine) == (120, 120), 120)  # a new relay was started at the next batch
        (again,) = relays(hub.pid)
        assert again != relay
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(timeout=60)
    assert hub.returncode == 0
    wait(lambda: not alive(again), 30)  # the relay's lifeline (the pipe) closed with the worker

    # on the broker: one receipt (or more: a relay killed between send and mark sends again) per message
    topics = [inbox_topic(settings.topic_prefix, r) for r in ("bj", "tj", "he")]
    consumer = make_consumer(settings.kafka_bootstrap, topics, group_id=f"{settings.topic_prefix}-relay-check",
                             client_id="relay-check")
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    try:
        while seen != ids and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                for rec in batch:
                    msg = json.loads(rec.value)
                    if msg["kind"] == "hub.receipt":
                        seen.add(msg["payload"]["for_message_id"])
    finally:
        consumer.close()
    assert seen == ids


def _ready(engine) -> bool:  # noqa: ANN001
    from sqlalchemy import inspect

    return "hub_outbox" in inspect(engine).get_table_names()
