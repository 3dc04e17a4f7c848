"""``receipt_message`` (one envelope dict written out) makes byte for byte the receipt of the general path
(``receipt_message_slow``: ``receipt_payload`` + ``outgoing``) for every shape of verdict: each receipt code, long and
empty reasons, paths to clamp or drop, rules, keys (absent, empty, not UTF-8, blank), envelope statuses the contract
knows and others, correlation ids, undecodable records. Ids and clock readings are made deterministic in both."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest

import schemas
from hub.services import outgoing, receipts
from hub.services.records import Record, Verdict
from schemas.validate import SHANGHAI, now_rfc3339


@pytest.fixture
def fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count()
    monkeypatch.setattr(outgoing, "new_message_id", lambda: f"01HZZZZZZZZZZZZZZZZZZ{next(counter):05d}")
    monkeypatch.setattr(outgoing, "now_text", lambda: "2026-05-01T08:00:00.123+08:00")


def _messages() -> list[dict | None]:
    base = {"message_id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "kind": "eldercare.claim", "schema_version": "1.0"}
    return [
        None,
        {},
        base,
        {**base, "status": "exercise", "correlation_id": "corr-1"},
        {**base, "status": "test"},
        {**base, "status": "bogus"},
        {**base, "status": None},
        {"kind": "disaster.report", "correlation_id": None},
    ]


def _verdicts() -> list[Verdict]:
    out = []
    for code in sorted(int(c) for c in schemas.ReceiptCode):
        out += [
            Verdict(code),
            Verdict(code, "reason", "原因", ["payload.a", " ", "", "x" * 400], "rule.id"),
            Verdict(code, "r" * 3000, "原" * 2500, [f"p{i}" for i in range(150)], "r" * 100),
            Verdict(code, " ", "", [], ""),
        ]
    return out


KEYS = [None, b"", b"key-1", b"\xff\xfe bad", b"   ", "区县".encode() * 100]


def test_receipts_are_byte_identical_to_the_general_path(fixed_ids: None) -> None:
    n = 0
    for message, verdict, key in itertools.product(_messages(), _verdicts(), KEYS):
        v = Verdict(verdict.code, verdict.reason, verdict.reason_zh, list(verdict.paths), verdict.rule, message=message)
        record = Record("jjj.r.120000.eldercare", 3, 17, key, b"{}", {})
        mid = (message or {}).get("message_id") or record.position
        fast = receipts.receipt_message("jjj", "120000", record, v, mid, "2026-05-01T00:00:00.5+00:00")
        slow = receipts.receipt_message_slow("jjj", "120000", record, v, mid, "2026-05-01T00:00:00.5+00:00")
        assert fast.message_id != slow.message_id  # each made its own id: compare with the ids aligned
        assert fast.value.replace(fast.message_id.encode(), b"ID") == slow.value.replace(
            slow.message_id.encode(), b"ID"
        )
        assert (fast.kind_at_version, fast.topic, fast.key, fast.headers) == (
            slow.kind_at_version,
            slow.topic,
            slow.key,
            slow.headers,
        )
        # the contract's partition key of a receipt: the entity key, else the message id
        assert fast.key == schemas.KINDS["hub.receipt"].partition_key(json.loads(slow.value)["payload"])
        n += 1
    assert n > 1000


def test_a_receipt_is_keyed_by_the_original_entity_so_one_entity_s_receipts_keep_their_order() -> None:
    message = {"message_id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "kind": "disaster.report", "status": "actual"}
    keyed = Record("jjj.bj.disaster", 0, 5, b"BJ-E1", b"{}", {})
    unkeyed = Record("jjj.bj.disaster", 0, 6, None, b"{}", {})
    for record, key in ((keyed, "BJ-E1"), (unkeyed, "01JABCDEFGHJKMNPQRSTVWXYZ0")):
        for make in (receipts.receipt_message, receipts.receipt_message_slow):
            assert make("jjj", "bj", record, Verdict(100, message=message), message["message_id"], "t").key == key


def test_the_slow_path_runs_when_outgoing_messages_are_validated(
    fixed_ids: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(outgoing, "VALIDATE", True)
    monkeypatch.setattr(receipts, "receipt_message_slow", lambda *a: calls.append(a) or "slow")
    record = Record("jjj.r.120000.eldercare", 0, 1, b"k", b"{}", {})
    assert receipts.receipt_message("jjj", "120000", record, Verdict(100, message={}), "m", "t") == "slow"
    assert len(calls) == 1


def test_the_clock_text_is_now_rfc3339s() -> None:
    for ms in [0, 1, 999, 1_000, 1_700_000_000_000, 1_777_777_777_777, 1_800_000_000_999, 4_102_444_799_999]:
        want = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)).astimezone(SHANGHAI)
        assert outgoing.text_of_ms(ms) == want.isoformat(timespec="milliseconds")
    for _ in range(2000):
        before = now_rfc3339()
        got = outgoing.now_text()
        after = now_rfc3339()
        assert before <= got <= after  # one fixed offset: the texts sort as the instants
        assert len(got) == len(before)
