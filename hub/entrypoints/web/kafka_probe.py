"""What the web can learn from Kafka for health pages: the hub consumer group's lag per region and whether it has
partitions assigned. Cached for a few seconds and bounded by short timeouts: the web never waits on the broker."""

from __future__ import annotations

import logging
import threading
import time

from jjj.config import Settings

log = logging.getLogger(__name__)
_CACHE_S = 15.0
_lock = threading.Lock()
_cache: dict[str, tuple[float, dict]] = {}


def _probe(settings: Settings) -> dict:
    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

    from jjj.bus.admin import cluster_ready
    from jjj.bus.clients import security_options

    sec = security_options()
    if not cluster_ready(settings.kafka_bootstrap, timeout_s=2):  # kafka-python leaks sockets on failed construction
        raise ConnectionError(f"no broker on {settings.kafka_bootstrap}")
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="jjj-web-probe",
                             request_timeout_ms=3000, **sec)
    try:
        committed = admin.list_group_offsets({settings.hub_group: None}).get(settings.hub_group) or {}
        groups = admin.describe_groups([settings.hub_group])
        members = sum(len(g.get("members") or []) for g in groups.values())
    finally:
        admin.close()
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, client_id="jjj-web-probe",
                             request_timeout_ms=3000, **sec)
    try:
        ends = consumer.end_offsets(list(committed)) if committed else {}
    finally:
        consumer.close()
    lag: dict[str, int] = {}
    for tp, meta in committed.items():
        parts = tp.topic.split(".")
        region = parts[-2] if len(parts) >= 3 else None
        if region and isinstance(tp, TopicPartition):
            lag[region] = lag.get(region, 0) + max(ends.get(tp, 0) - max(meta.offset, 0), 0)
    return {"lag": lag, "members": members, "ok": True}


def status(settings: Settings, enabled: bool = True) -> dict:
    """``{"ok", "lag": {region: records}, "members"}``; ``ok`` False (and empty lag) when the broker is unreachable
    or probing is off (``JJJ_WEB_KAFKA_PROBE=0``)."""
    if not enabled:
        return {"ok": False, "lag": {}, "members": 0, "error": "disabled"}
    key = f"{settings.kafka_bootstrap}/{settings.hub_group}"
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < _CACHE_S:
            return hit[1]
    try:
        result = _probe(settings)
    except Exception as exc:  # noqa: BLE001 - any broker failure means "unknown", never a 500
        log.debug("kafka probe failed: %s", exc)
        result = {"ok": False, "lag": {}, "members": 0, "error": exc.__class__.__name__}
    with _lock:
        _cache[key] = (now, result)
    return result
