"""Several `jjj hub run` workers in one consumer group share a partitioned topic set with no double effect: every
message is processed once and answered by exactly one receipt (run on PostgreSQL by the `-m db` pass)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jjj.bench.consume import committed
from jjj.bench.data import MessageFactory, produce
from jjj.config import PROJECT_ROOT, Settings
from jjj.signing import Signer

pytestmark = [pytest.mark.slow, pytest.mark.kafka]
N = 3000


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "JJJ_STATE_DIR": str(settings.state_dir), "JJJ_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
            "JJJ_TOPIC_PREFIX": settings.topic_prefix, "JJJ_DATABASE_URL": settings.database_url,
            "JJJ_HUB_GROUP": settings.hub_group, "JJJ_KEYS_DIR": str(settings.keys), "PYTHONPATH": str(PROJECT_ROOT)}


def test_three_workers_in_one_group_apply_each_message_once(settings: Settings, tmp_path: Path) -> None:
    from kafka import KafkaAdminClient

    from hub.infrastructure import tables as t
    from jjj.bus.clients import make_producer
    from jjj.db import make_engine

    signers = {r: Signer.load(settings.keys, r) for r in ("bj", "tj", "he")}
    producer = make_producer(settings.kafka_bootstrap, client_id="scale-out-load")
    assert produce(producer, signers, MessageFactory(settings.topic_prefix, distinct=200).messages(N)) == N
    producer.close()
    # tables first, so three workers starting at once do not race to create them
    t.create_all(make_engine(settings.database_url))
    jjj = Path(sys.executable).parent / "jjj"
    # logs into files: a pipe nobody reads while the workers run fills up and blocks their next log line
    logs = [tmp_path / f"w{i}.log" for i in range(3)]
    files = [p.open("wb") for p in logs]
    workers = [subprocess.Popen([str(jjj), "hub", "run", "--worker-id", f"w{i}"], env=_env(settings),
                                stdout=subprocess.DEVNULL, stderr=files[i]) for i in range(3)]
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    members_seen = 0
    try:
        deadline = time.monotonic() + 240
        while committed(admin, settings.hub_group) < N:
            assert time.monotonic() < deadline, "the workers did not finish in time:\n" + _tails(logs)
            assert all(w.poll() is None for w in workers), _tails(logs)
            group = admin.describe_groups([settings.hub_group]).get(settings.hub_group, {})
            members_seen = max(members_seen, len(group.get("members") or []))
            time.sleep(0.5)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        for f in files:
            f.close()
        admin.close()
    assert members_seen == 3
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        processed = conn.execute(select(func.count(), func.count(t.processed.c.message_id.distinct()))).one()
        answered = [json.loads(v)["payload"]["for_message_id"] for v in conn.execute(
            select(t.hub_outbox.c.value).where(t.hub_outbox.c.kind.like("hub.receipt@%"))).scalars()]
        duplicates = conn.execute(select(func.count()).select_from(t.processed)
                                  .where(t.processed.c.code == 201)).scalar_one()
    engine.dispose()
    assert tuple(processed) == (N, N)
    assert (len(answered), len(set(answered))) == (N, N)  # one receipt per message
    assert duplicates == 0


def _tails(logs: list[Path]) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs)
