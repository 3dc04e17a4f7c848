"""Envelope: message ids, versions, senders, status and receipt codes."""

import pytest

from schemas import (
    KINDS,
    EnvelopeError,
    ReceiptCode,
    SenderNotAllowed,
    UnknownMajorVersion,
    build_message,
    new_message_id,
    validate_message,
)
from schemas.envelope import message_id_time_ms
from schemas.tools.samples import SENDERS, sample_message, sample_payload

from .helpers import DELETE, mutated, rejection


def test_message_ids_are_ulids_monotonic_within_a_process():
    ids = [new_message_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == 2000
    assert all(len(i) == 26 for i in ids)


def test_message_ids_order_by_time_and_encode_it():
    a, b = new_message_id(now_ms=1_700_000_000_000), new_message_id(now_ms=1_800_000_000_000)
    assert a < b and message_id_time_ms(b) == 1_800_000_000_000


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.27"])
def test_every_minor_of_a_known_major_is_accepted(version):
    msg = mutated("eldercare.claim", {"schema_version": version})
    assert validate_message(msg)["schema_version"] == version


def test_a_newer_minor_keeps_its_new_optional_fields():
    msg = mutated("eldercare.claim", {"schema_version": "1.1", "payload.lines.0.note": "新增可选字段"})
    assert validate_message(msg)["payload"]["lines"][0]["note"] == "新增可选字段"


def test_the_current_minor_refuses_unknown_fields():
    err = rejection(mutated("eldercare.claim", {"payload.lines.0.note": "x"}))
    assert err.paths == ["payload.lines[0].note"]


def test_an_unknown_major_is_rejected_with_a_reason():
    err = rejection(mutated("eldercare.claim", {"schema_version": "2.0"}))
    assert isinstance(err, UnknownMajorVersion) and err.code is ReceiptCode.BAD_ENVELOPE
    assert err.reason == ("schema_version: Schema version 2.0 of eldercare.claim has unknown major version 2; "
                          "this reader knows 1.x.")
    assert err.reason_zh == "schema_version：eldercare.claim 的版本 2.0 的主版本 2 未知；本系统支持 1.x。"


@pytest.mark.parametrize(("changes", "path", "key"), [
    ({"message_id": "01ARZ3NDEKTSV4RRFFQ69G5FAv"}, "message_id", "ulid"),
    ({"kind": "disaster.forecast"}, "kind", "unknown_kind"),
    ({"schema_version": "v1"}, "schema_version", "version"),
    ({"status": "draft"}, "status", "choice"),
    ({"sent_at": "2024-07-31T09:00:00"}, "sent_at", "timestamp"),
    ({"correlation_id": DELETE}, "correlation_id", "required"),
    ({"sender.region": "sh"}, "sender.region", "choice"),
    ({"sender.unit_code": "120000"}, "sender.unit_code", "sender_unit"),
    ({"sender.unit_code": "310000"}, "sender.unit_code", "sender_unit"),
    ({"extra": 1}, "extra", "unknown"),
    ({"payload": []}, "payload", "type_object"),
])
def test_envelope_faults_are_code_200(changes, path, key):
    err = rejection(mutated("relief.receipt", changes))
    assert isinstance(err, EnvelopeError) and err.code is ReceiptCode.BAD_ENVELOPE
    assert (err.paths, err.errors[0].key) == ([path], key)


def test_a_district_unit_of_the_senders_region_may_send():
    assert validate_message(mutated("relief.receipt", {"sender.unit_code": "110111"}))


def test_not_an_object_is_a_bad_envelope():
    err = rejection([1, 2])
    assert (err.code, err.paths) == (ReceiptCode.BAD_ENVELOPE, [""])


def test_regions_may_not_send_hub_kinds():
    err = rejection(mutated("hub.statement_notice", {"sender": SENDERS["tj"]}))
    assert isinstance(err, SenderNotAllowed) and err.code == 310
    assert err.reason_zh == "sender.region：地区 'tj' 无权发送 hub.statement_notice。"


def test_expiry_before_sending_is_refused():
    err = rejection(mutated("relief.receipt", {"expires_at": "2024-07-31T08:00:00+08:00"}))
    assert (err.paths, err.errors[0].key) == (["expires_at"], "expiry_order")


def test_build_message_fills_the_envelope_and_validates():
    msg = build_message("eldercare.claim", sample_payload("eldercare.claim"), sender=SENDERS["he"], status="test")
    assert msg["status"] == "test" and msg["references"] == [] and msg["schema_version"] == "1.0"
    assert msg["sent_at"].endswith("+08:00")


def test_registry_describes_every_kind():
    assert len(KINDS) == 31
    for kind, spec in KINDS.items():
        assert spec.kind == kind and spec.family == kind.split(".")[0] and spec.version == "1.0"
        assert spec.direction == ("hub" if spec.family == "hub" else "region")
        assert spec.senders == (("hub",) if spec.family == "hub" else ("bj", "tj", "he"))
        assert spec.title_zh and spec.title_en
        assert spec.partition_key(sample_payload(kind))


@pytest.mark.parametrize(("kind", "key", "topic"), [
    ("disaster.report", "BJ-2024-0731-FLOOD-01", "jjj.bj.disaster"),
    ("relief.stock_movement", "HE-LF-01", "jjj.bj.relief"),
    ("eldercare.claim", "CL-HE-2024-07-0007", "jjj.bj.eldercare"),
    ("eldercare.payment", "ST-110102-HE-2024-07", "jjj.bj.eldercare"),
    ("hub.receipt", "BJ-2024-0731-FLOOD-01", "jjj.to.bj"),
    ("hub.status_change", "claim:CL-HE-2024-07-0007", "jjj.hub.status"),
])
def test_partition_keys_and_topics(kind, key, topic):
    spec = KINDS[kind]
    assert spec.partition_key(sample_payload(kind)) == key
    assert spec.topic("bj") == topic


@pytest.mark.parametrize("code", list(ReceiptCode))
def test_every_receipt_code_has_chinese_and_english_text(code):
    assert code.zh and code.en and code.zh != code.en


def test_receipt_code_values_are_the_contracts():
    assert {c.name: int(c) for c in ReceiptCode} == {
        "ACCEPTED": 100, "BAD_ENVELOPE": 200, "DUPLICATE": 201, "EXPIRED": 203, "UNKNOWN_SENDER": 300,
        "SENDER_NOT_ALLOWED": 310, "TOO_LARGE": 330, "SCHEMA_INVALID": 400, "BAD_SIGNATURE": 410,
        "BUSINESS_RULE": 420, "HUB_ERROR": 500}
    assert ReceiptCode.DUPLICATE.accepted and not ReceiptCode.BUSINESS_RULE.accepted
    assert ReceiptCode.HUB_ERROR.retryable


def test_sample_messages_are_valid_and_load_unchanged():
    for kind in KINDS:
        assert validate_message(sample_message(kind)) == sample_message(kind)
