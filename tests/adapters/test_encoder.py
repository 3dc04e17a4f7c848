"""`adapters.core.encoder.Encoder` gives exactly what `schemas.encode(msg, fast=True)` gives: the same bytes for
good messages, the same contract errors for bad ones, whatever the envelope."""

from __future__ import annotations

import copy

import pytest

import schemas
from adapters.core.encoder import Encoder

SENDER = {"region": "tj", "unit_code": "120000", "system_id": "tj-adapter"}
PAYLOAD = {"depot": {"depot_id": "TJ-CK-BC01", "name": "天津市救灾物资储备库（北辰）", "tier": "province",
                     "unit_code": "120113"},
           "movement_id": "TJ-TZ-202607-000001", "movement_type": "outbound", "occurred_at": "2026-07-31T14:05:00+08:00",
           "item_code": "tent_single", "spec": "12㎡", "unit": "顶", "batch": "2024-05", "quantity": 3,
           "balance_after": 99999, "dispatch_id": "TJ-DB-2026-0001", "reason": "支援武清区防汛"}


def message(i: int, **changes) -> dict:  # noqa: ANN003
    msg = {"message_id": schemas.new_message_id(), "kind": "relief.stock_movement", "schema_version": "1.0",
           "sender": dict(SENDER), "sent_at": f"2026-07-31T14:05:{i % 60:02d}.{i % 1000:03d}+08:00",
           "status": "actual", "references": [], "correlation_id": None, "expires_at": None,
           "payload": copy.deepcopy(PAYLOAD)}
    msg["payload"]["movement_id"] = f"TJ-TZ-202607-{i:06d}"
    msg.update(changes)
    return msg


def outcome(fn, msg: dict):  # noqa: ANN001, ANN201
    try:
        return fn(copy.deepcopy(msg))
    except schemas.ContractError as exc:
        return (type(exc).__name__, exc.code, exc.reason, [(e.path, e.en, e.zh, e.rule) for e in exc.errors or []])


def test_the_encoder_gives_what_schemas_encode_gives() -> None:
    enc, ref = Encoder(), lambda m: schemas.encode(m, fast=True)
    first = message(0)
    assert enc.encode(copy.deepcopy(first)) == ref(first)  # the shape is learnt from an accepted message
    bad_payloads = [{"quantity": -3}, {"quantity": 1.5}, {"unit": ""}, {"occurred_at": "yesterday"},
                    {"depot": {"depot_id": "x"}}, {"extra": 1}, {"item_code": "no-such-item"}, {"balance_after": -1}]
    cases = [message(i) for i in range(1, 40)]  # same shape, new ids, sent_at now and then the same
    cases += [message(50, sent_at=cases[-1]["sent_at"])]
    for i, change in enumerate(bad_payloads):
        m = message(100 + i, sent_at=cases[-1]["sent_at"])
        m["payload"].update(change)
        cases.append(m)
    same = cases[-1]["sent_at"]
    cases += [
        message(200, sent_at=same, message_id="not-an-id"), message(201, sent_at=same, message_id="8" * 26),
        message(202, sent_at=same, payload=[1]), message(203, sent_at=same, payload=None),
        message(204, sent_at="2026-07-31 14:05:00"),  # not RFC 3339
        message(205, sent_at=same, status="exercise"), message(206, sent_at=same, references=[first["message_id"]]),
        message(207, sent_at=same, expires_at="2026-07-31T14:00:00+08:00"),  # expires before it is sent
        message(208, sent_at=same, correlation_id="req-1"), message(209, sent_at=same, schema_version="1.1"),
        message(210, sent_at=same, sender={**SENDER, "unit_code": "110000"}),  # a Beijing code from Tianjin
    ]
    self_ref = message(211, sent_at=same)
    self_ref["references"] = [self_ref["message_id"]]
    cases.append(self_ref)
    missing = message(212, sent_at=same)
    del missing["correlation_id"]
    cases.append(missing)
    for m in cases + cases[::-1]:  # again, with every shape learnt
        assert outcome(enc.encode, m) == outcome(ref, m), m
    assert sum(isinstance(outcome(ref, m), tuple) for m in cases) >= 15  # the refusals were exercised


@pytest.mark.parametrize("n", [3])
def test_a_shape_whose_bytes_cannot_be_rebuilt_is_not_used(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.core import encoder

    monkeypatch.setattr(encoder, "_dumps", lambda v: b"[]")  # any disagreement with schemas.encode
    enc = Encoder()
    msgs = [message(i, sent_at="2026-07-31T14:05:00.000+08:00") for i in range(n)]
    assert [enc.encode(copy.deepcopy(m)) for m in msgs] == [schemas.encode(m, fast=True) for m in msgs]


def test_messages_of_a_learnt_shape_skip_the_envelope_check(monkeypatch: pytest.MonkeyPatch) -> None:
    real, calls = schemas.encode, []
    monkeypatch.setattr(schemas, "encode", lambda m, fast=False: calls.append(m["message_id"]) or real(m, fast=fast))
    enc = Encoder()
    msgs = [message(i, sent_at="2026-07-31T14:05:00.000+08:00") for i in range(30)]
    msgs += [message(i, sent_at="2026-07-31T14:05:00.001+08:00") for i in range(30, 40)]
    out = [enc.encode(copy.deepcopy(m)) for m in msgs]
    assert calls == [msgs[0]["message_id"], msgs[30]["message_id"]]  # a new shape, a new sent_at
    assert out == [real(m, fast=True) for m in msgs]
