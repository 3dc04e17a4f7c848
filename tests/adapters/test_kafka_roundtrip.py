"""On the real broker: pushed and imported messages reach the hub, every one gets its receipt, and a hub message
for the region is stored for delivery."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

import schemas
from adapters.core import store
from adapters.core.importer import import_file
from adapters.core.intake import create_intake_app
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import region
from hub.bootstrap import HubServices
from hub.entrypoints import consumer
from jjj.bus.clients import make_producer
from jjj.bus.topics import inbox_topic
from jjj.signing import Signer
from schemas.tools.samples import PAYLOADS
from tests.adapters.conftest import context, sample
from tests.adapters.kafka_helpers import beijing_reports, wait_for

pytestmark = pytest.mark.kafka


def test_every_published_message_ends_with_the_hubs_receipt(settings, hasher) -> None:  # noqa: ANN001
    bj, tj = (AdapterRuntime(c, settings, system_id=region(c).system_id) for c in ("bj", "tj"))
    client = create_intake_app(bj, region("bj"), context(region("bj"), hasher)).test_client()
    assert client.post("/intake/disaster_report", json=beijing_reports(3)).status_code == 202
    s = import_file(tj, region("tj").formats["disaster"], sample("tianjin", "disaster_2026-07-31.csv"),
                    context(region("tj"), hasher), progress=False)
    assert s.accepted_messages == 3
    assert bj.publisher().drain(until_empty=True) == 3 and tj.publisher().drain(until_empty=True) == 3

    stop = threading.Event()
    hub = HubServices(settings, worker_id="hub-adapter-test")
    threads = [threading.Thread(target=consumer.run, args=(hub, stop.is_set), kwargs={"poll_ms": 200}),
               threading.Thread(target=bj.run_inbox, args=(stop.is_set,)),
               threading.Thread(target=tj.run_inbox, args=(stop.is_set,))]
    for t in threads:
        t.start()
    try:
        for rt in (bj, tj):
            wait_for(lambda rt=rt: rt.status()["unreceipted"] == 0 and rt.status()["receipts_accepted"] == 3)
        assert bj.status()["receipts_rejected"] == tj.status()["receipts_rejected"] == 0
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)


def test_a_hub_message_for_the_region_is_kept_for_delivery(settings) -> None:  # noqa: ANN001
    from_region, referral = PAYLOADS["referral.referral"]
    bj = AdapterRuntime(referral["to_region"], settings)  # the region the referral is addressed to
    routed = schemas.build_message("hub.routed_request", {
        "original_message_id": schemas.new_message_id(), "original_kind": "referral.referral",
        "from_region": from_region, "to_region": referral["to_region"], "entity_id": referral["referral_id"],
        "payload": referral},
        sender={"region": "hub", "unit_code": "000000", "system_id": "jjj-hub"})
    value = schemas.encode(routed)
    signer = Signer.load(settings.keys, "hub")
    producer = make_producer(settings.kafka_bootstrap, client_id="test-hub")
    producer.send(inbox_topic(settings.topic_prefix, referral["to_region"]), key=referral["referral_id"].encode(), value=value,
                  headers=signer.headers(routed["message_id"], "hub.routed_request@1.0", value)).get(timeout=30)
    producer.close()
    stop = threading.Event()
    t = threading.Thread(target=bj.run_inbox, args=(stop.is_set,))
    t.start()
    try:
        wait_for(lambda: bj.status()["deliveries_pending"] == 1, timeout_s=30)
    finally:
        stop.set()
        t.join(timeout=20)
    with bj.engine.connect() as conn:
        row = conn.execute(select(store.deliveries)).one()
        assert conn.execute(select(func.count()).select_from(store.receipts)).scalar_one() == 0
    assert (row.message_id, row.kind, row.body["payload"]["entity_id"]) == (
        routed["message_id"], "hub.routed_request", referral["referral_id"])
