"""Fault tests on real brokers (slow).

* Broker down: a second, private broker (never the shared one on 9092) is stopped while the Beijing intake takes
  1,000 messages; intake keeps answering 202, the outbox grows; after the restart the outbox drains and the hub
  gives every message exactly one receipt (exactly once in effect).
* kill -9: the publisher runs in its own process and is killed mid-drain; a new one finishes the job and no
  message id is missing on the topic (duplicates of the last unacknowledged batch are allowed: the hub drops them
  by message id). The outbox is in the test database: SQLite, and PostgreSQL in the `-m db` pass.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.core import store
from adapters.core.intake import create_intake_app
from adapters.core.runtime import AdapterRuntime
from adapters.core.service import publish_loop
from adapters.core.spec import region
from jjj import broker
from jjj.bus.admin import apply_topics
from jjj.bus.topics import declared_topics, region_topic
from jjj.config import PROJECT_ROOT, Settings
from tests.adapters.conftest import context
from tests.adapters.kafka_helpers import beijing_reports, message_ids_on, wait_for

# jjj.broker.up leaves its Popen to the garbage collector while the broker runs, and kafka-python drops sockets to
# a stopped broker unclosed (collected later, in whichever test runs then): ResourceWarnings of other code, reported
pytestmark = [pytest.mark.kafka, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]


def test_broker_down_outbox_grows_then_drains_with_one_receipt_each(private_broker: Settings, tmp_path: Path,  # noqa: ANN001
                                                                   keys_dir: Path, database_url: str, hasher,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.bootstrap import HubServices
    from hub.entrypoints import consumer

    monkeypatch.setenv("JJJ_BJ_DATABASE_URL", f"sqlite:///{tmp_path / 'adapter-bj.db'}")
    settings = Settings(state_dir=tmp_path / "state", kafka_bootstrap=private_broker.kafka_bootstrap,
                        topic_prefix="ft", database_url=database_url, hub_group="ft-hub", keys_dir=keys_dir)
    apply_topics(settings.kafka_bootstrap, declared_topics("ft"))
    rt = AdapterRuntime("bj", settings, system_id="bj-adapter")
    client = create_intake_app(rt, region("bj"), context(region("bj"), hasher)).test_client()
    stop = threading.Event()
    pub = threading.Thread(target=publish_loop, args=(rt, stop.is_set))
    pub.start()
    try:
        assert client.post("/intake/disaster_report", json=beijing_reports(1, 9000)).status_code == 202
        wait_for(lambda: rt.status()["outbox_depth"] == 0, 30)

        broker.down(private_broker)
        accepted = []
        for i in range(0, 1000, 50):  # the provincial system keeps pushing while the broker is down
            resp = client.post("/intake/disaster_report", json=beijing_reports(50, i))
            assert resp.status_code == 202
            accepted.extend(resp.get_json()["accepted"])
        assert len(set(accepted)) == 1000 and rt.status()["outbox_depth"] == 1000

        broker.up(private_broker)
        wait_for(lambda: rt.status()["outbox_depth"] == 0, 60)
        hub = HubServices(settings, worker_id="ft-hub")
        threads = [threading.Thread(target=consumer.run, args=(hub, stop.is_set), kwargs={"poll_ms": 200}),
                   threading.Thread(target=rt.run_inbox, args=(stop.is_set,))]
        for t in threads:
            t.start()
        wait_for(lambda: rt.status()["receipts_accepted"] == 1001, 60)
    finally:
        stop.set()
        pub.join(timeout=30)
        for t in locals().get("threads", []):
            t.join(timeout=30)
    with rt.engine.connect() as conn:
        codes = dict(conn.execute(select(store.receipts.c.message_id, store.receipts.c.code)).all())
    assert {m: codes.get(m) for m in accepted} == {m: 100 for m in accepted}  # each applied once, accepted
    ids = message_ids_on(settings.kafka_bootstrap, region_topic("ft", "bj", "disaster"), 1001)
    assert set(accepted) <= set(ids)
    gc.collect()  # kafka-python drops sockets to the stopped broker without closing them: collect them here
    print(f"\nbroker-down test: 1000 accepted while down, {len(ids)} records on the topic, "
          f"{len(set(ids))} distinct, 1001 receipts")


PUBLISHER = """
import sys, threading
from adapters.core.runtime import AdapterRuntime
from adapters.core.service import publish_loop
from jjj.config import Settings
publish_loop(AdapterRuntime("bj", Settings.from_env()), threading.Event().is_set)
"""


@pytest.mark.db
def test_kill_9_mid_drain_loses_nothing(settings: Settings, database_url: str, hasher,  # noqa: ANN001
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # the adapter's outbox is in the test database: SQLite, or PostgreSQL when JJJ_TEST_DATABASE_URL is set
    monkeypatch.setenv("JJJ_BJ_DATABASE_URL", database_url)
    assert settings.adapter_database_url("bj") == database_url
    rt = AdapterRuntime("bj", settings, system_id="bj-adapter")
    client = create_intake_app(rt, region("bj"), context(region("bj"), hasher)).test_client()
    accepted = []
    for i in range(0, 6000, 500):
        accepted.extend(client.post("/intake/disaster_report", json=beijing_reports(500, i)).get_json()["accepted"])
    env = {**os.environ, "JJJ_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "JJJ_TOPIC_PREFIX": settings.topic_prefix,
           "JJJ_KEYS_DIR": str(settings.keys), "JJJ_STATE_DIR": str(settings.state_dir),
           "JJJ_BJ_DATABASE_URL": settings.adapter_database_url("bj")}

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", PUBLISHER], env=env, cwd=PROJECT_ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    first = start()
    try:
        wait_for(lambda: rt.status()["outbox_depth"] < 6000, 60, 0.02)
        first.send_signal(signal.SIGKILL)  # mid-drain: some batches acked and marked, the rest pending
        first.wait(timeout=10)
        left = rt.status()["outbox_depth"]
        assert 0 < left < 6000, left
        second = start()
        try:
            wait_for(lambda: rt.status()["outbox_depth"] == 0, 60)
        finally:
            second.send_signal(signal.SIGKILL)
            second.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    time.sleep(0.5)
    ids = message_ids_on(settings.kafka_bootstrap, region_topic(settings.topic_prefix, "bj", "disaster"), 6000)
    assert set(ids) == set(accepted)               # none missing, nothing foreign
    print(f"\nkill -9 test ({rt.engine.dialect.name}): killed with {left} of 6000 pending; topic holds {len(ids)} records, "
          f"{len(set(ids))} distinct ({len(ids) - len(set(ids))} re-sent after the kill, dropped by id at the hub)")
