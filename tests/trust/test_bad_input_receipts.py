"""Documented receipts for bad input (ISSUE 7 "Bad input"), through the real broker and the real hub worker.

Every record below is signed by Beijing (so the signature check passes and the later checks are the ones that
answer): malformed JSON 200, an oversized record 330, an unknown major version 200 naming the major, an eldercare
kind on the disaster topic 310, the same message twice 100 then 201, and a 续报 sent before its 初报 (both 100, the
event's current revision is the newest). Rejected records are in `dead_letters` and on `<p>.dlq` with their original
bytes and context headers; every record has exactly one receipt on `<p>.to.bj`.
"""

from __future__ import annotations

import base64
import json
from collections import Counter

import pytest
from sqlalchemy import select

import schemas
from hub.infrastructure import tables as t
from jjj.bus.topics import dlq_topic, inbox_topic, region_topic
from jjj.signing import Signer
from tests.hub.services import builders as b
from tests.trust.conftest import read_topic, send_raw

pytestmark = pytest.mark.kafka

OVERSIZED = 1_040_000  # under the topic's max.message.bytes (1,048,576), over the hub's limit (1,000,000)


def _raw(msg: dict) -> bytes:
    """A message serialised as-is (no validation: some cases are invalid on purpose)."""
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_each_bad_input_gets_its_documented_receipt_and_dead_letter(settings, hub) -> None:  # noqa: ANN001
    bj = Signer.load(settings.keys, "bj")
    prefix = settings.topic_prefix
    disaster_topic = region_topic(prefix, "bj", "disaster")

    def record(value: bytes, mid: str, kind: str, key: str = "k", topic: str = disaster_topic) -> tuple:
        return topic, key.encode(), value, bj.headers(mid, kind, value)

    big_msg = b.disaster("bj", "BJ-EV-BIG", "initial", 1, 10, county="110111")
    oversized = _raw(big_msg)[:-1] + b',"pad":"' + b"x" * (OVERSIZED - len(_raw(big_msg)) - 9) + b'"}'
    assert len(oversized) == OVERSIZED
    major = b.disaster("bj", "BJ-EV-MAJOR", "initial", 1, 10, county="110111")
    major["schema_version"] = "9.0"
    elder = b.enrolment("bj", "E-WRONG-TOPIC", 7, "110102", "tj")
    dup = b.disaster("bj", "BJ-EV-DUP", "initial", 1, 10, county="110111")
    first = b.disaster("bj", "BJ-EV-ORDER", "initial", 1, 10, county="110111", at=0)
    second = b.disaster("bj", "BJ-EV-ORDER", "update", 2, 25, county="110111", at=60)

    cases = [
        record(oversized, big_msg["message_id"], "disaster.report@1.0"),
        record(_raw(major), major["message_id"], "disaster.report@9.0"),
        record(schemas.encode(elder), elder["message_id"], "eldercare.enrolment@1.0"),
        record(schemas.encode(dup), dup["message_id"], "disaster.report@1.0", "BJ-EV-DUP"),
        record(schemas.encode(dup), dup["message_id"], "disaster.report@1.0", "BJ-EV-DUP"),
        record(schemas.encode(second), second["message_id"], "disaster.report@1.0", "BJ-EV-ORDER"),  # 续报 first
        record(schemas.encode(first), first["message_id"], "disaster.report@1.0", "BJ-EV-ORDER"),
    ]
    send_raw(settings.kafka_bootstrap, cases)
    hub.wait_processed(len(cases))
    hub.wait_outbox_empty()

    receipts = read_topic(settings.kafka_bootstrap, inbox_topic(prefix, "bj"), min_count=len(cases))
    payloads = [schemas.decode(r.value)["payload"] for r in receipts]
    assert len(payloads) == len(cases)  # exactly one receipt per record, the duplicate included
    by_id: dict[str, list[dict]] = {}
    for p in payloads:
        by_id.setdefault(p["for_message_id"], []).append(p)

    [too_big] = [p for p in payloads if p["code"] == 330]
    assert too_big["reason"] == f"message has {OVERSIZED} bytes, more than 1000000"
    assert too_big["for_message_id"].startswith(f"{disaster_topic}/")
    # an envelope the hub cannot read is known by its position, like undecodable bytes
    [unknown_major] = [p for p in payloads if p["code"] == 200]
    assert unknown_major["for_message_id"].startswith(f"{disaster_topic}/")
    assert unknown_major["paths"] == ["schema_version"]
    assert unknown_major["reason"] == ("schema_version: Schema version 9.0 of disaster.report has unknown major "
                                       "version 9; this reader knows 1.x.")
    assert "主版本 9 未知" in unknown_major["reason_zh"]
    [wrong_topic] = by_id[elder["message_id"]]
    assert (wrong_topic["code"], wrong_topic["paths"], wrong_topic["for_kind"]) == (310, ["kind"],
                                                                                   "eldercare.enrolment")
    assert wrong_topic["reason"] == f"kind eldercare.enrolment does not belong on topic {disaster_topic}"
    assert [p["code"] for p in by_id[dup["message_id"]]] in ([100, 201], [201, 100])
    assert sorted(p["outcome"] for p in by_id[dup["message_id"]]) == ["accepted", "accepted"]
    assert "duplicate of a message already processed" in next(
        p["reason"] for p in by_id[dup["message_id"]] if p["code"] == 201)
    assert [p["code"] for p in by_id[first["message_id"]] + by_id[second["message_id"]]] == [100, 100]

    with hub.services.engine.connect() as conn:
        event = conn.execute(select(t.disaster_events).where(t.disaster_events.c.event_id == "BJ-EV-ORDER")).one()
        dead = list(conn.execute(select(t.dead_letters).order_by(t.dead_letters.c.offset)))
        processed = Counter(r.code for r in conn.execute(select(t.processed.c.code)))
    assert (event.revision, event.current_message_id, event.report_count) == (2, second["message_id"], 2)
    assert processed == Counter({100: 3, 201: 1, 200: 1, 330: 1, 310: 1})

    rejected = {oversized: 330, _raw(major): 200, schemas.encode(elder): 310}
    assert sorted((r.code, base64.b64decode(r.original)) for r in dead) == sorted(
        (code, value) for value, code in rejected.items())
    for row in dead:
        assert (row.topic, row.region, row.replayed_at) == (disaster_topic, "bj", None)
        assert row.reason
    assert next(r.paths for r in dead if r.code == 310) == ["kind"]

    dlq = read_topic(settings.kafka_bootstrap, dlq_topic(prefix), min_count=len(rejected))
    assert sorted(len(r.value) for r in dlq) == sorted(len(v) for v in rejected)
    for r in dlq:
        h = {k: v.decode() for k, v in r.headers if k.startswith("jjj-dlq-")}
        assert r.value in rejected  # the original bytes, unchanged
        assert int(h["jjj-dlq-code"]) == rejected[r.value]
        assert h["jjj-dlq-topic"] == disaster_topic
        assert int(h["jjj-dlq-offset"]) >= 0 and h["jjj-dlq-partition"].isdigit()
        assert h["jjj-dlq-reason"]
        if rejected[r.value] == 310:
            assert h["jjj-dlq-paths"] == "kind"


UNDECODABLE = [b'{"message_id": "01J0000000000000000000BAD1", "kind": "disaster.report", ',  # cut off mid-object
               b"\xff\xfe not UTF-8 \x80",
               b"[1, 2, 3]"]  # JSON, but not an object


def test_undecodable_bytes_get_200_and_never_block_the_partition(settings, hub) -> None:  # noqa: ANN001
    """Found by this file (fixed in 9a64279): the receipt of undecodable bytes failed validation (path "") and the
    exception killed the hub worker without committing, so the poison record blocked its partition for good."""
    bj = Signer.load(settings.keys, "bj")
    topic = region_topic(settings.topic_prefix, "bj", "disaster")
    after = b.disaster("bj", "BJ-EV-AFTER", "initial", 1, 10, county="110111")
    values = [*UNDECODABLE, schemas.encode(after)]
    # one partition key: the good message sits behind the poison ones on the same partition
    send_raw(settings.kafka_bootstrap, [(topic, b"same", v, bj.headers(f"M{i}", "disaster.report@1.0", v))
                                        for i, v in enumerate(values)])
    hub.wait_processed(len(values))
    hub.wait_outbox_empty()
    receipts = read_topic(settings.kafka_bootstrap, inbox_topic(settings.topic_prefix, "bj"), min_count=len(values))
    payloads = sorted((schemas.decode(r.value)["payload"] for r in receipts), key=lambda p: p["code"])
    assert [p["code"] for p in payloads] == [100, 200, 200, 200]
    assert payloads[0]["for_message_id"] == after["message_id"]
    for p in payloads[1:]:
        assert p["for_message_id"].startswith(f"{topic}/") and p["outcome"] == "rejected"
        assert p["reason"].startswith("Not valid UTF-8 JSON") or p["reason"] == "Not a JSON object.", p["reason"]
    dlq = read_topic(settings.kafka_bootstrap, dlq_topic(settings.topic_prefix), min_count=3)
    assert sorted(r.value for r in dlq) == sorted(UNDECODABLE)
    assert {dict(r.headers)["jjj-dlq-code"] for r in dlq} == {b"200"}
