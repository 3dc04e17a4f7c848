"""The local broker commands: `kafka up` is harmless when the broker runs, a missing Java says what to install,
`topics apply` is idempotent and repairs drifted configs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from jjj.bus.topics import declared_topics

JJJ = [sys.executable, "-m", "jjj.cli"]


def run_jjj(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*JJJ, *args], capture_output=True, text=True, timeout=120, env=env or dict(os.environ))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.kafka
def test_kafka_up_on_a_running_broker_changes_nothing(kafka_bootstrap: str) -> None:
    done = run_jjj("kafka", "up")
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout
    assert "nothing to do" in done.stdout
    status = run_jjj("kafka", "status")
    assert status.returncode == 0
    assert status.stdout.startswith(f"Kafka ready on {kafka_bootstrap}")


def test_kafka_up_without_java_says_what_to_install(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JJJ_")}
    env.update(PATH=str(Path(sys.executable).parent), JJJ_STATE_DIR=str(tmp_path), JJJ_KAFKA_PORT=str(port),
               JJJ_KAFKA_CONTROLLER_PORT=str(free_port()))
    done = run_jjj("kafka", "up", env=env)
    assert done.returncode == 1
    assert "error: `java` was not found on PATH." in done.stderr
    assert "Java 17 or newer" in done.stderr
    assert "JJJ_KAFKA_BOOTSTRAP" in done.stderr


def test_kafka_status_reports_an_unreachable_broker(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, JJJ_STATE_DIR=str(tmp_path), JJJ_KAFKA_BOOTSTRAP=f"127.0.0.1:{port}")
    done = run_jjj("kafka", "status", env=env)
    assert done.returncode == 1
    assert done.stdout.strip() == f"Kafka not reachable on 127.0.0.1:{port}"


@pytest.mark.kafka
def test_topics_apply_twice_creates_once_then_changes_nothing(kafka_bootstrap: str, topic_prefix: str) -> None:
    env = dict(os.environ, JJJ_KAFKA_BOOTSTRAP=kafka_bootstrap, JJJ_TOPIC_PREFIX=topic_prefix)
    first = run_jjj("topics", "apply", env=env)
    assert first.returncode == 0, first.stderr
    created = sorted(line.removeprefix("created ") for line in first.stdout.splitlines() if line.startswith("created "))
    assert created == sorted(s.name for s in declared_topics(topic_prefix))
    assert len(created) == 23
    second = run_jjj("topics", "apply", env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0] == "topics up to date: nothing changed"


@pytest.mark.kafka
def test_topics_apply_repairs_a_drifted_config(kafka_bootstrap: str, topic_prefix: str) -> None:
    env = dict(os.environ, JJJ_KAFKA_BOOTSTRAP=kafka_bootstrap, JJJ_TOPIC_PREFIX=topic_prefix)
    assert run_jjj("topics", "apply", env=env).returncode == 0
    topic = f"{topic_prefix}.he.relief"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    resource = [ConfigResource(ConfigResourceType.TOPIC, topic, ["retention.ms"])]
    try:
        # Right after creation the broker may still apply the creation's configs: retry until our drift shows.
        for _ in range(50):
            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": "1000"})])
            time.sleep(0.2)
            if admin.describe_configs(resource, config_filter="all")["topic"][topic]["retention.ms"]["value"] == "1000":
                break
    finally:
        admin.close()
    again = run_jjj("topics", "apply", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == f"configs of {topic} set: {{'retention.ms': '31536000000'}}"
    assert run_jjj("topics", "apply", env=env).stdout.splitlines()[0] == "topics up to date: nothing changed"
