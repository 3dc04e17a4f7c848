"""The transactional outbox's fast paths: rows in through a statement compiled once, out in seq order, marked sent
by seq runs only after the broker's ack (a prefix: per-key order), batch hash trees, and the cached partitioner
choosing exactly what kafka-python's default partitioner chooses."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, select

from jjj import merkle
from jjj.db import create_tables, make_engine
from jjj.outbox import OutboxPublisher, OutgoingMessage, enqueue, outbox_table, seq_runs
from jjj.signing import KeyRegistry, Signer, verify_record


def reference_build(values: list[bytes]) -> tuple[bytes, list[bytes]]:
    """The first (per-leaf, per-level) hash-tree builder, kept as the reference for the level-wise one."""
    level = [merkle.leaf_hash(v) for v in values]
    proofs: list[list[bytes]] = [[] for _ in values]
    positions = list(range(len(values)))
    while len(level) > 1:
        nxt = [merkle.node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
               for i in range(0, len(level), 2)]
        for leaf, pos in enumerate(positions):
            if pos ^ 1 < len(level):
                proofs[leaf].append((b"L" if pos ^ 1 < pos else b"R") + level[pos ^ 1])
            positions[leaf] = pos // 2
        level = nxt
    return level[0], [b"".join(p) for p in proofs]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 1000, 1025])
def test_the_hash_tree_equals_the_reference_and_every_proof_rebuilds_the_root(n: int) -> None:
    values = [os.urandom(1 + i % 97) for i in range(n)]
    root, proofs = merkle.build(values)
    assert (root, proofs) == reference_build(values)
    assert all(merkle.root_from_proof(v, p) == root for v, p in zip(values, proofs, strict=True))
    if n > 1:
        assert merkle.root_from_proof(values[0] + b"x", proofs[0]) != root


@pytest.mark.parametrize(("seqs", "runs"), [
    ([], []), ([5], [(5, 5)]), ([1, 2, 3], [(1, 3)]), ([1, 2, 4, 5, 9], [(1, 2), (4, 5), (9, 9)]),
    ([7, 9, 11], [(7, 7), (9, 9), (11, 11)]),
])
def test_seq_runs(seqs: list[int], runs: list[tuple[int, int]]) -> None:
    assert seq_runs(seqs) == runs


class Future:
    def __init__(self, ok: bool) -> None:
        self.is_done, self.ok = True, ok

    def succeeded(self) -> bool:
        return self.ok


class Producer:
    """Acknowledges the first ``ack`` sends of each batch, fails the rest (a broker that went away mid-batch)."""

    def __init__(self, ack: int = 10**9) -> None:
        self.ack, self.sent, self.config = ack, [], {}

    def send(self, topic: str, *, key: bytes, value: bytes, headers: list, partition: int | None = None) -> Future:
        self.sent.append((topic, key, value, dict(headers)))
        return Future(len(self.sent) <= self.ack)

    def flush(self, timeout: float | None = None) -> None:
        pass


def msg(i: int, key: str = "k", headers: dict | None = None) -> OutgoingMessage:
    return OutgoingMessage(f"m{i:04d}", "disaster.report@1.0", "t.bj.disaster", key, f'{{"n":{i}}}'.encode(), headers)


@pytest.fixture
def outbox(database_url: str, keys_dir):  # noqa: ANN001, ANN201
    engine = make_engine(database_url)
    table = outbox_table(MetaData(), "outbox")
    create_tables(table.metadata, engine)
    yield engine, table, Signer.load(keys_dir, "bj"), KeyRegistry.load(keys_dir)
    engine.dispose()


def test_rows_go_out_in_seq_order_signed_and_are_marked_only_after_the_ack(outbox) -> None:  # noqa: ANN001
    engine, table, signer, keys = outbox
    with engine.begin() as conn:
        assert enqueue(conn, table, [msg(i, key=f"k{i % 3}") for i in range(5)]) == 5
        enqueue(conn, table, [msg(5, headers={"jjj-dlq-reason": "bad 签名"})])
    pub = OutboxPublisher(engine, table, Producer(ack=4), signer, batch=10)
    pending = pub.pending()
    assert [(r.seq, r.message_id, r.key, r.headers) for r in pending] == [
        (i + 1, f"m{i:04d}", f"k{i % 3}", None) for i in range(5)] + [(6, "m0005", "k", {"jjj-dlq-reason": "bad 签名"})]
    assert pub.drain_once() == 4                  # the 5th send failed: it and everything after it stay pending
    assert [r.message_id for r in pub.pending()] == ["m0004", "m0005"]
    assert pub.depth() == 2
    producer = pub.producer
    for topic, key, value, headers in producer.sent:
        verify_record(keys, value, headers, expected_owner="bj")   # each record verifies alone (hash-tree proof)
        assert topic == "t.bj.disaster" and key in (b"k", b"k0", b"k1", b"k2")
    assert producer.sent[5][3]["jjj-dlq-reason"] == "bad 签名".encode()
    pub.producer = Producer()
    assert pub.drain(until_empty=True, idle_sleep_s=0.01) == 2 and pub.depth() == 0
    with engine.connect() as conn:
        sent = conn.execute(select(table.c.seq, table.c.sent_at).order_by(table.c.seq)).all()
    assert [s for s, _ in sent] == [1, 2, 3, 4, 5, 6] and all(at is not None for _, at in sent)


def test_a_row_committed_late_with_a_lower_seq_is_not_marked_by_a_later_batch(outbox) -> None:  # noqa: ANN001
    """The seq-run UPDATE covers only consecutive seqs of the batch: a gap (a writer still uncommitted) stays."""
    engine, table, signer, _ = outbox
    with engine.begin() as conn:
        enqueue(conn, table, [msg(i) for i in range(3)])
        conn.execute(table.delete().where(table.c.seq == 2))  # seq 2 is not visible to the publisher's read
    pub = OutboxPublisher(engine, table, Producer(), signer)
    assert [r.seq for r in pub.pending()] == [1, 3]
    with engine.begin() as conn:
        conn.execute(table.insert().values(seq=2, message_id="late", kind="k@1.0", topic="t.bj.disaster", key="k",
                                           value=b"{}", created_at=datetime.now(UTC)))
    rows = pub.pending()
    pub.pending = lambda limit=None: [r for r in rows if r.seq != 2]  # the batch read before "late" committed
    assert pub.drain_once() == 2
    del pub.pending
    assert [r.message_id for r in pub.pending()] == ["late"]


@pytest.mark.kafka
def test_the_cached_partitioner_picks_what_kafka_pythons_default_partitioner_picks(settings) -> None:  # noqa: ANN001
    from jjj.bus.clients import make_producer
    from jjj.bus.topics import region_topic

    engine = make_engine(settings.database_url)
    table = outbox_table(MetaData(), "outbox")
    create_tables(table.metadata, engine)
    producer = make_producer(settings.kafka_bootstrap, client_id="test-partitioner")
    try:
        topic = region_topic(settings.topic_prefix, "bj", "disaster")
        producer.partitions_for(topic)
        pub = OutboxPublisher(engine, table, producer, Signer.load(settings.keys, "bj"))
        partition = pub._partitioner()
        keys = [f"BJ-2026-{i:05d}".encode() for i in range(300)] + ["京-事件-中文".encode(), b"", b"x" * 300]
        expected = [producer._partition(topic, None, k, None, k, None) for k in keys]
        assert [partition(topic, k) for k in keys] == expected
        assert len(set(expected)) > 1
        assert partition(f"{settings.topic_prefix}.no.such.topic", b"k") is None  # unknown: the producer decides
    finally:
        producer.close(timeout=5)
        engine.dispose()


def test_the_partitioners_key_hash_cache_stays_bounded_when_keys_never_repeat(outbox) -> None:  # noqa: ANN001
    from types import SimpleNamespace

    from kafka.partitioner.default import DefaultPartitioner, murmur2

    from jjj.outbox import KEY_HASH_CACHE

    engine, table, signer, _ = outbox
    meta = SimpleNamespace(partitions_for_topic=lambda topic: {0, 1, 2})
    producer = SimpleNamespace(_metadata=meta, config={"partitioner": DefaultPartitioner()})
    pub = OutboxPublisher(engine, table, producer, signer)
    keys = [f"01J{i:023d}".encode() for i in range(KEY_HASH_CACHE * 2 + 500)]  # receipt keys: unique message ids
    sizes = []
    for start in range(0, len(keys), 2000):  # a partitioner per drained batch, as `drain_once` makes them
        partition = pub._partitioner()
        for k in keys[start:start + 2000]:
            assert partition("t.hub.receipts", k) == (murmur2(k) & 0x7FFFFFFF) % 3
            sizes.append(len(pub._key_hashes))
    assert max(sizes) == KEY_HASH_CACHE and len(pub._key_hashes) <= KEY_HASH_CACHE
    partition = pub._partitioner()
    assert [partition("t", b"depot-1") for _ in range(3)] == [(murmur2(b"depot-1") & 0x7FFFFFFF) % 3] * 3


def test_rows_acknowledged_just_before_a_database_failure_are_marked_afterwards_not_sent_again(  # noqa: ANN001
        outbox, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, table, signer, _ = outbox
    with engine.begin() as conn:
        enqueue(conn, table, [msg(i) for i in range(3)])
    pub = OutboxPublisher(engine, table, Producer(), signer)
    real, calls = pub._st.mark.executemany, []

    def database_gone_once(conn, rows) -> None:  # noqa: ANN001
        calls.append(rows)
        if len(calls) == 1:
            raise ConnectionError("server closed the connection unexpectedly")
        real(conn, rows)

    monkeypatch.setattr(pub._st.mark, "executemany", database_gone_once)
    with pytest.raises(ConnectionError):
        pub.drain_once()                                  # sent and acknowledged, but the mark failed
    assert pub.depth() == 3 and len(pub.producer.sent) == 3
    assert pub.drain(until_empty=True, idle_sleep_s=0.01) == 0  # the database is back: marked, nothing re-sent
    assert pub.depth() == 0 and len(pub.producer.sent) == 3
    assert [[(r["lo"], r["hi"]) for r in rows] for rows in calls] == [[(1, 3)], [(1, 3)]]


def test_a_drain_loop_holds_one_connection_and_reopens_it_after_a_database_failure(  # noqa: ANN001
        outbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several batches and the emptiness check share one checkout; a failure drops it and the next turn opens
    another (SQLite connections are not pooled: one per statement cost more than the statements)."""
    from sqlalchemy import event

    engine, table, signer, _ = outbox
    with engine.begin() as conn:
        enqueue(conn, table, [msg(i) for i in range(7)])
    checkouts: list[int] = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(1))
    pub = OutboxPublisher(engine, table, Producer(), signer, batch=3)
    assert pub.drain(until_empty=True, idle_sleep_s=0.01) == 7 and len(pub.producer.sent) == 7
    assert len(checkouts) == 1                     # 3 batches and the empty read, one connection
    with engine.begin() as conn:
        enqueue(conn, table, [msg(i) for i in range(7, 10)])
    real, calls = pub._st.mark.executemany, []

    def database_gone_once(conn, rows) -> None:  # noqa: ANN001
        calls.append(rows)
        if len(calls) == 1:
            raise ConnectionError("server closed the connection unexpectedly")
        real(conn, rows)

    monkeypatch.setattr(pub._st.mark, "executemany", database_gone_once)
    checkouts.clear()
    assert pub.drain(until_empty=True, idle_sleep_s=0.01) == 0  # acknowledged before the failure: marked, not resent
    assert pub.depth() == 0 and len(pub.producer.sent) == 10 and len(calls) == 2
    assert len(checkouts) == 3                     # the failed turn's, the next turn's, depth() outside the loop


def test_an_idle_drain_loop_is_woken_by_a_commit_in_the_same_process(outbox) -> None:  # noqa: ANN001
    import threading
    import time

    engine, table, signer, _ = outbox
    pub = OutboxPublisher(engine, table, Producer(), signer)
    stop = threading.Event()
    loop = threading.Thread(target=pub.drain, kwargs={"until_empty": False, "idle_sleep_s": 30, "stop": stop.is_set})
    loop.start()
    try:
        time.sleep(0.3)                            # the loop found nothing and waits (up to 30 s)
        with engine.begin() as conn:
            enqueue(conn, table, [msg(1)])
        started = time.monotonic()
        pub.wake()
        while pub.depth() and time.monotonic() - started < 10:
            time.sleep(0.01)
        assert pub.depth() == 0 and time.monotonic() - started < 5
    finally:
        stop.set()
        pub.wake()
        loop.join(timeout=10)
    assert not loop.is_alive() and len(pub.producer.sent) == 1
