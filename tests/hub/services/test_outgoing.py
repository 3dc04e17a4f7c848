"""The hub builds its own messages on a trusted fast path (no per-message validation): every message a realistic
workload (plus rejections, duplicates and a statement run) makes it send must still satisfy the contract."""

from __future__ import annotations

import schemas
from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services import jobs
from hub.services.receipts import receipt_payload
from hub.services.records import Record, Verdict
from tests.hub.integration.workload import workload


def test_every_hub_built_message_satisfies_the_contract(hub) -> None:  # noqa: ANN001
    msgs = workload(400)
    hub.feed(*msgs, batch=150)
    hub.feed(*msgs[:30])  # duplicates (201)
    bad = hub.record(msgs[40])
    hub.intake.process([Record(bad.topic, 0, 10_000, bad.key, bad.value[:-3], bad.headers)])  # 410
    jobs.run_statements(hub.engine, Period(2026, 5), hub.now)
    rows = [r for r in hub.rows(t.hub_outbox, "seq") if not r["kind"].startswith("dlq.")]
    kinds = {r["kind"].split("@")[0] for r in rows}
    assert {"hub.receipt", "hub.status_change", "hub.routed_request", "hub.statement_notice"} <= kinds
    for row in rows:
        msg = schemas.decode(row["value"])  # full validation
        assert schemas.validate_message(msg) == msg


def test_receipt_values_are_clamped_to_the_contract_limits() -> None:
    record = Record("jjj." + "x" * 150 + ".bj.disaster", 0, 1, b"k" * 300, b"{}", {})
    verdict = Verdict(420, "r" * 3000, "理" * 3000, ["p" * 400] * 150, "rule." + "x" * 100)
    payload = receipt_payload(record, verdict, record.position, "2026-07-30T12:00:00+08:00")
    msg = schemas.build_message("hub.receipt", payload, sender={"region": "hub", "unit_code": "000000",
                                                                 "system_id": "jjj-hub"})
    assert len(msg["payload"]["paths"]) == 100 and len(msg["payload"]["for_message_id"]) == 64
