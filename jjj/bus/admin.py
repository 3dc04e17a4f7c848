"""Idempotent topic management with kafka-python's admin client."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError

from jjj.bus.topics import TopicSpec
from jjj.errors import BusError


def cluster_ready(bootstrap: str, timeout_s: float = 3.0, **security: object) -> bool:
    """True when a metadata request succeeds within the timeout (connection noise is not logged while polling)."""
    kafka_logger = logging.getLogger("kafka")
    saved = kafka_logger.level
    kafka_logger.setLevel(logging.CRITICAL)
    try:
        return _cluster_ready(bootstrap, timeout_s, **security)
    finally:
        kafka_logger.setLevel(saved)


def _port_open(bootstrap: str, timeout_s: float) -> bool:
    """A refused connection answers at once; without this check the admin client retries until its timeout."""
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout_s):
                return True
        except (OSError, ValueError):
            continue
    return False


def _cluster_ready(bootstrap: str, timeout_s: float, **security: object) -> bool:
    if not _port_open(bootstrap, timeout_s):
        return False
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000), **security)
    except (KafkaError, OSError, ValueError):
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


@dataclass
class ApplyResult:
    created: list[str]
    partitions_added: dict[str, int]
    configs_changed: dict[str, dict[str, str]]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.partitions_added or self.configs_changed)

    def summary(self) -> str:
        if not self.changed:
            return "topics up to date: nothing changed"
        lines = [f"created {t}" for t in self.created]
        lines += [f"partitions of {t} raised to {n}" for t, n in self.partitions_added.items()]
        lines += [f"configs of {t} set: {c}" for t, c in self.configs_changed.items()]
        return "\n".join(lines)


def apply_topics(bootstrap: str, specs: list[TopicSpec], timeout_s: float = 30.0, **security: object) -> ApplyResult:
    """Create missing topics, raise partition counts and set drifted configs; a second run changes nothing."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000), **security)
    except KafkaError as exc:
        raise BusError(f"cannot reach Kafka to apply topics: {exc}", bootstrap=bootstrap) from exc
    try:
        return _apply(admin, specs)
    except KafkaError as exc:
        raise BusError(f"applying topics failed: {exc}", bootstrap=bootstrap) from exc
    finally:
        admin.close()


def _apply(admin: KafkaAdminClient, specs: list[TopicSpec]) -> ApplyResult:
    existing = set(admin.list_topics())
    missing = [s for s in specs if s.name not in existing]
    result = ApplyResult([], {}, {})
    if missing:
        admin.create_topics({s.name: {"num_partitions": s.partitions, "replication_factor": 1, "configs": s.configs}
                             for s in missing}, wait_for_metadata=True)
        result.created = [s.name for s in missing]
    present = [s for s in specs if s.name in existing]
    if not present:
        return result
    described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([s.name for s in present])}
    grow = {s.name: s.partitions for s in present if described.get(s.name, 0) < s.partitions}
    if grow:
        admin.create_partitions(grow)
        result.partitions_added = grow
    resources = [ConfigResource(ConfigResourceType.TOPIC, s.name, list(s.configs)) for s in present]
    current = admin.describe_configs(resources, config_filter="all")["topic"]
    to_alter = []
    for s in present:
        have = {k: str(v.get("value")) for k, v in current.get(s.name, {}).items()}
        diff = {k: v for k, v in s.configs.items() if have.get(k) != v}
        if diff:
            to_alter.append(ConfigResource(ConfigResourceType.TOPIC, s.name, diff))
            result.configs_changed[s.name] = diff
    if to_alter:
        admin.alter_configs(to_alter)
    return result


def delete_topics_with_prefix(bootstrap: str, prefix: str, timeout_s: float = 30.0, **security: object) -> list[str]:
    """Delete every topic whose name starts with `<prefix>.` (test and benchmark clean-up; never the live prefix)."""
    if not prefix or not _port_open(bootstrap, 2.0):
        return []
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000), **security)
    except KafkaError as exc:
        raise BusError(f"cannot reach Kafka to delete topics: {exc}", bootstrap=bootstrap) from exc
    try:
        doomed = [t for t in admin.list_topics() if t.startswith(prefix + ".")]
        if doomed:
            admin.delete_topics(doomed)
        return doomed
    except KafkaError as exc:
        raise BusError(f"deleting topics failed: {exc}", bootstrap=bootstrap) from exc
    finally:
        admin.close()
