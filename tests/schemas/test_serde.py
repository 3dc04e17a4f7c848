"""Bytes ⇄ messages: UTF-8 JSON with Chinese unescaped, validated both ways, faults as typed errors."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kafka.serializer import Deserializer, Serializer

from schemas import KINDS, ContractError, ReceiptCode, decode, encode, new_message_id
from schemas.serde import BadMessage, MessageDeserializer, MessageSerializer
from schemas.tools.samples import sample_message

from .helpers import mutated


def test_encode_writes_compact_utf8_with_chinese_unescaped():
    data = encode(sample_message("disaster.report"))
    assert "山洪".encode() in data and b"\\u" not in data and b", " not in data


@pytest.mark.parametrize("kind", list(KINDS))
def test_round_trip_is_identical(kind):
    msg = sample_message(kind)
    data = encode(msg)
    assert decode(data) == msg
    assert decode(data, fast=False) == msg
    assert encode(decode(data)) == data


@pytest.mark.parametrize(("data", "code", "en"), [
    (b"\xff\xfe", ReceiptCode.BAD_ENVELOPE, "Not valid UTF-8 JSON: not UTF-8 at byte 0"),
    (b"{", ReceiptCode.BAD_ENVELOPE, "Not valid UTF-8 JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    (b'{"a": NaN}', ReceiptCode.BAD_ENVELOPE, "Not valid UTF-8 JSON: NaN is not JSON"),
    (b'{"a": 1, "a": 2}', ReceiptCode.BAD_ENVELOPE, "Not valid UTF-8 JSON: duplicate key in object"),
    (b"[" * 100_000 + b"]" * 100_000, ReceiptCode.TOO_LARGE, "Message has 200000 bytes, more than the limit of 100000."),
    (b"[]", ReceiptCode.BAD_ENVELOPE, "Not a JSON object."),
])
def test_bad_bytes_become_typed_errors(data, code, en):
    with pytest.raises(ContractError) as exc:
        decode(data, max_bytes=100_000)
    assert exc.value.code is code
    assert exc.value.errors[0].en == en and exc.value.errors[0].zh


def test_deep_nesting_is_a_bad_envelope_not_a_crash():
    with pytest.raises(ContractError) as exc:
        decode(b"[" * 50_000 + b"]" * 50_000)
    assert exc.value.code is ReceiptCode.BAD_ENVELOPE


def test_encode_refuses_an_invalid_message():
    with pytest.raises(ContractError) as exc:
        encode(mutated("eldercare.claim", {"payload.total_fen": 1.5}))
    assert exc.value.code is ReceiptCode.SCHEMA_INVALID


def test_kafka_serializer_classes_follow_kafka_python_3():
    ser, de = MessageSerializer(), MessageDeserializer()
    assert isinstance(ser, Serializer) and isinstance(de, Deserializer)
    msg = sample_message("relief.receipt")
    data = ser.serialize("jjj.bj.relief", [], msg)
    assert de.deserialize("jjj.bj.relief", [], data) == msg
    assert ser.serialize("t", [], None) is None and de.deserialize("t", [], None) is None


def test_kafka_deserializer_returns_a_bad_message_instead_of_raising():
    bad = MessageDeserializer().deserialize("jjj.bj.relief", [("k", b"v")], b"not json")
    assert isinstance(bad, BadMessage)
    assert (bad.topic, bad.headers, bad.data, bad.error.code) == ("jjj.bj.relief", (("k", b"v"),), b"not json", 200)
    with pytest.raises(ContractError):
        MessageDeserializer(on_error="raise").deserialize("t", [], b"not json")


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1,
                max_size=40)


@st.composite
def valid_messages(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    msg = sample_message(kind)
    msg["message_id"] = new_message_id()
    msg["status"] = draw(st.sampled_from(["actual", "exercise", "test"]))
    msg["correlation_id"] = draw(st.none() | st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,20}\Z"))
    msg["sender"]["system_id"] = draw(st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,30}\Z"))
    p = msg["payload"]
    for free in ("narrative", "reason", "note", "description", "purpose"):
        if free in p:
            p[free] = draw(_text)
    if kind == "heartbeat.heartbeat":
        p["outbox_depth"] = draw(st.integers(0, 10**15))
    if kind == "referral.closure":
        p["total_assistance_fen"] = draw(st.integers(0, 10**12))
    return msg


@settings(max_examples=150, deadline=None)
@given(valid_messages())
def test_any_valid_message_survives_encode_decode_unchanged(msg):
    assert decode(encode(msg)) == msg
    assert decode(encode(msg), fast=False) == msg


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_contract_error(data):
    try:
        decode(data)
    except ContractError as exc:
        assert exc.code in (ReceiptCode.BAD_ENVELOPE, ReceiptCode.TOO_LARGE)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(_text, c, max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(KINDS)), st.lists(st.tuples(st.integers(0, 6), _json), min_size=1, max_size=3))
def test_randomly_damaged_messages_give_only_contract_errors_and_both_validators_agree(kind, damage):
    from schemas import validate_message
    from schemas.fast import validate_fast

    msg = sample_message(kind)
    for depth, value in damage:
        obj, key = msg, None
        for _ in range(depth):  # walk down a deterministic path, then replace what is there
            if isinstance(obj, dict) and obj:
                key = sorted(obj)[depth % len(obj)]
                if not isinstance(obj[key], dict | list) or not obj[key]:
                    break
                obj = obj[key]
            elif isinstance(obj, list) and obj:
                key = 0
                if not isinstance(obj[0], dict | list) or not obj[0]:
                    break
                obj = obj[0]
        if isinstance(obj, dict) and key in obj:
            obj[key] = value
    outcomes = []
    for fn in (validate_message, validate_fast):
        try:
            outcomes.append(("ok", fn(json.loads(json.dumps(msg)))))
        except ContractError as exc:
            outcomes.append((int(exc.code), exc.paths, exc.rule))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("text", [
    b'{"a":1,"a":2}',  # compact, as senders write
    b'{"a":{"b":1,"b":1}}',  # nested, even with the same value twice
    b'{"x":[{"k":"\xe5\xb1\xb1","k":"\xe5\xb1\xb1"}]}',  # inside an array, Chinese unescaped
    b'{"a": 1, "a": 1}',  # spaced
])
def test_a_key_twice_is_refused_whatever_the_layout(text):
    with pytest.raises(ContractError) as exc:
        decode(text)
    assert exc.value.code is ReceiptCode.BAD_ENVELOPE
    assert exc.value.errors[0].en == "Not valid UTF-8 JSON: duplicate key in object"


def test_a_duplicate_before_a_syntax_error_is_reported_as_before():
    """The duplicate is met (end of its object) before the bad tail, so it is what the error names."""
    with pytest.raises(ContractError) as exc:
        decode(b'{"a":{"b":1,"b":2},"c":}')
    assert exc.value.errors[0].en == "Not valid UTF-8 JSON: duplicate key in object"


@pytest.mark.parametrize("kind", list(KINDS))
def test_canonical_and_spaced_texts_decode_to_the_same_message(kind):
    msg = sample_message(kind)
    data = encode(msg)
    spaced = json.dumps(json.loads(data), ensure_ascii=True, indent=1).encode()
    assert data != spaced and decode(data) == decode(spaced) == msg


@pytest.mark.parametrize("kind", list(KINDS))
def test_what_encode_writes_takes_parse_fast_path(kind, monkeypatch):
    """Every kind's canonical bytes are orjson's own compact form, so `parse` takes them without the strict
    (duplicate-key hook) parser: the strict parser is made to fail here and decoding still works."""
    import schemas.serde as serde

    msg = sample_message(kind)
    data = encode(msg)
    monkeypatch.setattr(serde.json, "loads", lambda *a, **k: pytest.fail("strict parser used"))
    assert decode(data) == msg
