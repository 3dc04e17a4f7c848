"""Hub workers and the scheduler serve /metrics when given a port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.kafka
def test_a_hub_worker_serves_its_metrics(settings) -> None:
    port = free_port()
    env = dict(os.environ, JJJ_KAFKA_BOOTSTRAP=settings.kafka_bootstrap, JJJ_TOPIC_PREFIX=settings.topic_prefix,
               JJJ_DATABASE_URL=settings.database_url, JJJ_KEYS_DIR=str(settings.keys),
               JJJ_HUB_GROUP=settings.hub_group, JJJ_STATE_DIR=str(settings.state_dir))
    proc = subprocess.Popen([sys.executable, "-m", "jjj.cli", "hub", "run", "--metrics-port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = ""
        for _ in range(100):
            try:
                body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=1).text
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert "# HELP jjj_hub_records_total Records consumed by the hub" in body
        assert "# HELP jjj_hub_batch_seconds" in body
    finally:
        proc.terminate()
        proc.wait(timeout=30)
