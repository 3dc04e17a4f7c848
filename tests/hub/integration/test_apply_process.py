"""On the real broker: `jjj hub run` stores its batches in a child process (`jjj hub apply`) while it checks the next.

Killed with -9 in the middle of a stream, the apply process is started again and given the batches it had not
answered: every message is processed once and has exactly one receipt. When the worker stops, the child exits.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from sqlalchemy import func, select

from hub.infrastructure import tables
from jjj.db import make_engine
from tests.hub.integration.test_kill9 import encoded, processed, start_hub, wait
from tests.hub.integration.test_relay_process import _ready, alive, children, publish, sent
from tests.hub.integration.workload import workload

pytestmark = [pytest.mark.kafka]
COUNT = 12_000


def appliers(pid: int) -> list[int]:
    """The worker's child processes that are `jjj hub apply`."""
    return children(pid, b"apply", b"--in-fd")


def test_an_apply_process_killed_mid_stream_is_restarted_and_every_message_is_stored_once(settings) -> None:  # noqa: ANN001
    records = encoded(workload(COUNT), settings.keys_dir)
    ids = {json.loads(v)["message_id"] for _r, _k, v, _h in records}
    engine = make_engine(settings.database_url)
    publish(settings, records)
    hub = start_hub(settings)
    try:
        wait(lambda: _ready(engine) and processed(engine) > 0, 120)
        while processed(engine) < COUNT // 10:  # a batch or two in, with most of the stream still to come
            time.sleep(0.02)
        (child,) = appliers(hub.pid)
        os.kill(child, signal.SIGKILL)
        wait(lambda: not alive(child), 10)
        assert processed(engine) < COUNT  # killed mid-stream
        wait(lambda: processed(engine) == len(ids) and sent(engine) == (len(ids), len(ids)), 180)
        (again,) = appliers(hub.pid)
        assert again != child
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(timeout=90)
    assert hub.returncode == 0
    wait(lambda: not alive(again), 30)  # its input pipe closed with the worker

    p, o = tables.processed, tables.hub_outbox
    with engine.connect() as conn:
        stored = set(conn.execute(select(p.c.message_id)).scalars())
        receipts = conn.execute(select(o.c.value).where(o.c.kind.like("hub.receipt@%"))).scalars().all()
        codes = dict(conn.execute(select(p.c.code, func.count()).group_by(p.c.code)).all())
    assert stored == ids
    assert sorted(json.loads(v)["payload"]["for_message_id"] for v in receipts) == sorted(ids)
    assert sum(codes.values()) == len(ids) and 201 not in codes  # nothing was taken for a duplicate
