"""Region isolation on the secure broker (ISSUE 7 proof): each user may do exactly what contracts.md allows; the
assertions check the broker's own authorization errors."""

from __future__ import annotations

import gc
import uuid
import warnings

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import GroupAuthorizationFailedError, KafkaError, TopicAuthorizationFailedError
from kafka.structs import OffsetAndMetadata

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def produce(options: dict, topic: str) -> object:
    producer = KafkaProducer(acks="all", enable_idempotence=True, max_block_ms=10_000, request_timeout_ms=10_000,
                             **options)
    try:
        return producer.send(topic, key=b"k", value=b"{}").get(timeout=15)
    finally:
        producer.close(timeout=5)


def consume(options: dict, topic: str, group: str | None = None) -> list:
    """Subscribe in `group`, or (no group) ask partition 0's offsets and fetch it directly: both paths must hit the
    authorizer (kafka-python only logs an unauthorized topic's metadata; the offset request raises)."""
    consumer = KafkaConsumer(group_id=group, auto_offset_reset="earliest", enable_auto_commit=False,
                             request_timeout_ms=10_000, **options)
    if group:
        consumer.subscribe([topic])
    else:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
    try:
        if not group:
            consumer.end_offsets([tp])
        records = []
        for _ in range(3):
            for batch in consumer.poll(timeout_ms=1500).values():
                records.extend(batch)
        if group:
            consumer.commit()
        return records
    finally:
        consumer.close()


def test_beijing_writes_its_own_topics_with_the_idempotent_producer(as_user, secure_prefix) -> None:  # noqa: ANN001
    md = produce(as_user("jjj-bj"), f"{secure_prefix}.bj.disaster")
    assert md.topic == f"{secure_prefix}.bj.disaster"
    assert md.offset >= 0


@pytest.mark.parametrize("topic", ["tj.disaster", "he.relief", "to.bj", "to.tj", "hub.status", "dlq"])
def test_beijing_cannot_write_anywhere_else(as_user, secure_prefix, topic: str) -> None:  # noqa: ANN001
    with pytest.raises(TopicAuthorizationFailedError):
        produce(as_user("jjj-bj"), f"{secure_prefix}.{topic}")


@pytest.mark.parametrize("topic", ["to.he", "to.tj", "tj.disaster", "bj.disaster", "dlq"])
def test_beijing_cannot_read_others_or_regional_topics(as_user, secure_prefix, topic: str) -> None:  # noqa: ANN001
    with pytest.raises(TopicAuthorizationFailedError):
        consume(as_user("jjj-bj"), f"{secure_prefix}.{topic}")


def test_beijing_reads_its_inbox_and_the_status_topic_in_its_own_group(as_user, secure_prefix) -> None:  # noqa: ANN001
    hub = as_user("jjj-hub")
    produce(hub, f"{secure_prefix}.to.bj")
    produce(hub, f"{secure_prefix}.hub.status")
    assert len(consume(as_user("jjj-bj"), f"{secure_prefix}.to.bj", group=f"{secure_prefix}-adapter-bj")) >= 1
    assert len(consume(as_user("jjj-bj"), f"{secure_prefix}.hub.status", group=f"{secure_prefix}-adapter-bj-status")) >= 1


def test_beijing_cannot_read_another_inbox_even_in_its_own_group(as_user, secure_prefix) -> None:  # noqa: ANN001
    tp = TopicPartition(f"{secure_prefix}.to.he", 0)
    consumer = KafkaConsumer(group_id=f"{secure_prefix}-adapter-bj", enable_auto_commit=False, request_timeout_ms=10_000,
                             **as_user("jjj-bj"))
    try:
        consumer.assign([tp])
        with pytest.raises(TopicAuthorizationFailedError):
            consumer.end_offsets([tp])
        with pytest.raises(TopicAuthorizationFailedError):  # group allowed, topic not: the commit is refused
            consumer.commit({tp: OffsetAndMetadata(0, "", -1)})
    finally:
        consumer.close()


def test_beijing_cannot_join_the_hubs_group_or_another_regions(as_user, secure_prefix) -> None:  # noqa: ANN001
    for group in (f"jjj-hub-{secure_prefix}", f"{secure_prefix}-adapter-tj"):
        with pytest.raises(GroupAuthorizationFailedError):
            consume(as_user("jjj-bj"), f"{secure_prefix}.to.bj", group=group)


def test_the_hub_reads_every_region_and_writes_only_its_topics(as_user, secure_prefix) -> None:  # noqa: ANN001
    produce(as_user("jjj-tj"), f"{secure_prefix}.tj.relief")
    assert len(consume(as_user("jjj-hub"), f"{secure_prefix}.tj.relief", group=f"jjj-hub-{secure_prefix}")) >= 1
    for topic in ("to.he", "hub.status", "dlq"):
        assert produce(as_user("jjj-hub"), f"{secure_prefix}.{topic}").offset >= 0
    with pytest.raises(TopicAuthorizationFailedError):
        produce(as_user("jjj-hub"), f"{secure_prefix}.bj.disaster")  # the hub never speaks for a region


def _refused(options: dict, topic: str) -> bool:
    """True when the broker lets the client do nothing. kafka-python leaks its wake-up socket pair when a client's
    constructor fails; that (library) leak is collected here so it does not surface in a later test."""
    try:
        produce({"api_version": (3, 9), "metadata_max_age_ms": 1000, **options}, topic)
    except KafkaError:
        return True
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
    return False


def test_unauthenticated_and_wrong_password_clients_get_nothing(secure_broker, secure_prefix) -> None:  # noqa: ANN001
    topic = f"{secure_prefix}.bj.disaster"
    assert _refused({"bootstrap_servers": secure_broker.bootstrap}, topic)
    assert _refused({"bootstrap_servers": secure_broker.bootstrap, "security_protocol": "SASL_PLAINTEXT",
                     "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "jjj-bj",
                     "sasl_plain_password": uuid.uuid4().hex}, topic)


def test_security_apply_is_idempotent(secure_broker, secure_prefix) -> None:  # noqa: ANN001
    from jjj.security.acls import apply_security, current_rules, desired_rules

    again = apply_security(secure_broker.bootstrap, secure_broker.admin_options(), secure_broker.secrets_dir,
                           prefix=secure_prefix, hub_group=f"jjj-hub-{secure_prefix}")
    assert (again.changed, again.summary()) == (False, "users and ACLs up to date: nothing changed")
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=secure_broker.bootstrap, **secure_broker.admin_options())
    try:
        have = set(current_rules(admin))
    finally:
        admin.close()
    assert set(desired_rules(secure_prefix, f"jjj-hub-{secure_prefix}")) <= have
