"""Signed messages on the real broker and hub (ISSUE 7 item 2): unsigned, wrongly signed, expired-key, unknown-key and
sender-mismatch records are rejected with their codes and kept as dead letters (table `dead_letters` and topic
`<p>.dlq` with the original bytes and context headers); key rotation keeps in-flight messages valid until valid_to."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub.infrastructure import tables as t
from jjj.bus.topics import dlq_topic, inbox_topic
from jjj.signing import H_SIG, Signer, init_keys, retire_key
from tests.trust.conftest import bj_report, read_topic, send_raw

pytestmark = pytest.mark.kafka


def _signed(settings, owner: str, msg) -> list:  # noqa: ANN001
    return Signer.load(settings.keys, owner).headers(msg.message_id, msg.kind_at_version, msg.value)


def _forge(headers: list, **replace: bytes) -> list:
    return [(k, replace.get(k, v)) for k, v in headers]


def test_bad_records_get_their_codes_and_land_in_both_dead_letter_stores(settings, hub) -> None:  # noqa: ANN001
    good, unsigned, badsig, tampered, mismatch, unknown = (bj_report(settings) for _ in range(6))
    bj_headers = _signed(settings, "bj", badsig)
    cases = [
        (good, _signed(settings, "bj", good), 100),
        (unsigned, [("jjj-id", unsigned.message_id.encode())], 410),
        (badsig, _forge(bj_headers, **{H_SIG: bytes(64)}), 410),
        # a valid signature over other bytes: the value was changed after signing
        (tampered, _forge(_signed(settings, "bj", good), **{"jjj-id": tampered.message_id.encode()}), 410),
        (mismatch, _signed(settings, "tj", mismatch), 310),  # a Tianjin key on a Beijing topic
        (unknown, _forge(_signed(settings, "bj", unknown), **{"jjj-key": b"bj-19990101"}), 300),
    ]
    send_raw(settings.kafka_bootstrap, [(m.topic, m.key.encode(), m.value, h) for m, h, _ in cases])
    hub.wait_processed(len(cases))
    hub.wait_outbox_empty()

    with hub.services.engine.connect() as conn:
        processed = [r.code for r in conn.execute(select(t.processed))]
        dead = list(conn.execute(select(t.dead_letters).order_by(t.dead_letters.c.offset)))
    by_value = {m.value: code for m, _, code in cases}
    assert sorted(processed) == sorted(code for _, _, code in cases)
    rejected = [(m, code) for m, _, code in cases if code != 100]
    assert len(dead) == len(rejected)
    for row in dead:
        original = base64.b64decode(row.original)
        assert row.code == by_value[original]  # the exact original bytes are kept, with the code
        assert row.region == "bj"
        assert row.replayed_at is None

    dlq = read_topic(settings.kafka_bootstrap, dlq_topic(settings.topic_prefix), min_count=len(rejected))
    assert sorted(r.value for r in dlq) == sorted(m.value for m, _ in rejected)
    for r in dlq:
        h = dict(r.headers)
        assert int(h["jjj-dlq-code"]) == by_value[r.value]
        assert h["jjj-dlq-topic"].decode() == f"{settings.topic_prefix}.bj.disaster"
        assert h["jjj-dlq-reason"]
        assert h["jjj-key"].decode().startswith("hub-")  # the DLQ record itself is signed by the hub

    receipts = read_topic(settings.kafka_bootstrap, inbox_topic(settings.topic_prefix, "bj"), min_count=len(cases))
    import schemas

    codes = sorted(schemas.decode(r.value)["payload"]["code"] for r in receipts)
    assert codes == sorted(code for _, _, code in cases)  # exactly one receipt per record


def test_rotation_old_key_valid_until_valid_to_then_410(settings, hub) -> None:  # noqa: ANN001
    old_signer = Signer.load(settings.keys, "bj")
    [new_key] = init_keys(settings.keys, ("bj",), key_suffix="rotated")
    assert Signer.load(settings.keys, "bj").key_id == new_key != old_signer.key_id

    in_window, new_signed = bj_report(settings), bj_report(settings)
    retire_key(settings.keys, old_signer.key_id, datetime.now(UTC) + timedelta(hours=1))
    hub.services.__dict__.pop("keys", None)
    send_raw(settings.kafka_bootstrap, [
        (in_window.topic, in_window.key.encode(), in_window.value,
         old_signer.headers(in_window.message_id, in_window.kind_at_version, in_window.value)),
        (new_signed.topic, new_signed.key.encode(), new_signed.value, _signed(settings, "bj", new_signed))])
    hub.wait_processed(2)
    hub.stop.set()
    hub.thread.join(timeout=30)

    # after valid_to the old key no longer verifies: a fresh hub (registry reloaded) answers 410
    retire_key(settings.keys, old_signer.key_id, datetime.now(UTC) - timedelta(seconds=1))
    late = bj_report(settings)
    from tests.trust.conftest import HubThread

    hub2 = HubThread(settings, worker_id="hub-trust-2")
    hub2.thread.start()
    try:
        send_raw(settings.kafka_bootstrap, [(late.topic, late.key.encode(), late.value,
                                             old_signer.headers(late.message_id, late.kind_at_version, late.value))])
        hub2.wait_processed(3)
    finally:
        hub2.stop.set()
        hub2.thread.join(timeout=30)
    with hub2.services.engine.connect() as conn:
        codes = {r.message_id: (r.code, r.reason) for r in conn.execute(select(t.processed))}
    assert codes[in_window.message_id][0] == 100
    assert codes[new_signed.message_id][0] == 100
    late_code, late_reason = next(v for k, v in codes.items() if k not in (in_window.message_id, new_signed.message_id))
    assert late_code == 410
    assert "not valid now" in late_reason
