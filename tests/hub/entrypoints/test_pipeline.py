"""The pipelined worker's plain parts: what crosses the pipe, which offsets a stored batch commits, what the front
does with an answer, and that a poll made only to keep the group membership loses no record."""

from __future__ import annotations

import os
import pickle
from multiprocessing.connection import Connection
from types import SimpleNamespace

import pytest
from kafka.structs import OffsetAndMetadata, TopicPartition

from hub.entrypoints import consumer as worker
from hub.entrypoints import pipeline
from hub.services.records import Record, Verdict


def rec(topic: str, partition: int, offset: int) -> Record:
    return Record(topic, partition, offset, b"k", b'{"a":1}', {"jjj-id": b"m"}, 17)


def test_a_batch_crosses_the_pipe_unchanged() -> None:
    records = [rec("jjj.bj.disaster", 0, 5), rec("jjj.he.relief", 2, 9)]
    verdicts = [Verdict(100, message={"message_id": "m1", "payload": {"名": "张"}}),
                Verdict(410, "bad signature", "签名校验失败", ["x"], "r")]
    seq, back, vs = pipeline.decode_batch(pipeline.encode_batch(7, records, verdicts))
    assert (seq, back, vs) == (7, records, verdicts)


def test_a_message_that_is_its_value_as_read_is_parsed_again_not_pickled() -> None:
    """The child gets the same message either way; only a message that is not its record's exact compact parse (key
    order, spacing, a value JSON cannot hold) is pickled."""
    value = '{"message_id":"m1","payload":{"名":"张","n":[1,2]}}'.encode()
    as_read = {"message_id": "m1", "payload": {"名": "张", "n": [1, 2]}}
    reordered = {"payload": {"名": "张", "n": [1, 2]}, "message_id": "m1"}
    odd = {"message_id": "m1", "payload": {1.5j}}  # orjson cannot write it
    records = [Record("jjj.bj.disaster", 0, i, b"k", value, {}, 0) for i in range(3)]
    verdicts = [Verdict(100, message=m) for m in (as_read, reordered, odd)]
    data = pipeline.encode_batch(1, records, verdicts)
    _seq, _rows, checked = pickle.loads(data)
    assert [c[5] for c in checked] == [pipeline.AS_READ, reordered, odd]
    _seq, back, vs = pipeline.decode_batch(data)
    assert (back, vs) == (records, verdicts)


def test_a_batch_commits_the_offset_after_its_last_record_per_partition() -> None:
    records = [rec("t", 0, 5), rec("t", 1, 3), rec("t", 0, 7), rec("u", 0, 0), rec("t", 0, 6)]
    assert pipeline.batch_offsets(records) == {TopicPartition("t", 0): 8, TopicPartition("t", 1): 4,
                                              TopicPartition("u", 0): 1}


def test_only_partitions_still_assigned_are_committed() -> None:
    consumer = SimpleNamespace(assignment=lambda: {TopicPartition("t", 0)})
    got = worker.offsets_to_commit(consumer, {TopicPartition("t", 0): 8, TopicPartition("t", 1): 4})
    assert got == {TopicPartition("t", 0): OffsetAndMetadata(8, "", -1)}


def test_records_returned_by_a_keepalive_poll_are_rewound() -> None:
    seeks = []
    consumer = SimpleNamespace(seek=lambda tp, offset: seeks.append((tp, offset)))
    tp = TopicPartition("t", 3)
    worker.keep_position(consumer, {tp: [SimpleNamespace(offset=41), SimpleNamespace(offset=42)],
                                      TopicPartition("t", 4): []})
    assert seeks == [(tp, 41)]


def _pipe_to(applier: pipeline.ApplyProcess) -> Connection:
    r, w = os.pipe()
    applier._in = Connection(r, writable=False)  # noqa: SLF001 - the answers' end, as start() would set it
    return Connection(w, readable=False)


def test_the_front_reads_answers_and_stops_on_a_reported_failure() -> None:
    applier = pipeline.ApplyProcess("w")
    child = _pipe_to(applier)
    assert applier.answer(0.01) is None
    child.send_bytes(pickle.dumps((3, {"accepted": 2}, None)))
    assert applier.answer(1) == (3, {"accepted": 2})
    child.send_bytes(pickle.dumps((4, None, "IntegrityError: boom")))
    with pytest.raises(pipeline.ApplyFailed, match="IntegrityError: boom"):
        applier.answer(1)
    child.close()
    with pytest.raises(EOFError):
        applier.answer(1)
    applier._close()  # noqa: SLF001


def test_a_child_that_keeps_dying_is_not_started_again() -> None:
    applier = pipeline.ApplyProcess("w")
    applier.restarts = pipeline.MAX_RESTARTS
    applier.proc = SimpleNamespace(wait=lambda: -9)
    with pytest.raises(pipeline.ApplyFailed, match="died 4 times in a row"):
        applier.restart([])
