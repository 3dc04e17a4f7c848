"""How a step reaches the platform: through its region's adapter, or (faults) straight onto the bus.

Good messages go through ``AdapterRuntime.accept`` into the adapter's outbox, the same call the native intakes
end in; the adapter process (`jjj adapter <r> run`) publishes them and takes the receipts in. Faults are
produced directly, signed (or mis-signed) like a misbehaving provincial gateway would.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from adapters.core import store
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import Canonical
from jjj.bus.clients import make_producer
from jjj.bus.topics import region_topic
from jjj.config import REGION_UNIT_CODES, REGIONS, Settings
from jjj.demo.faults import deterministic_ulid, raw_bytes
from jjj.demo.ledger import Ledger
from jjj.demo.timeline import Step
from jjj.signing import Signer


class Delivery:
    """Plays steps: returns the message ids it handed over, and records them in the ledger."""

    def __init__(self, settings: Settings, ledger: Ledger) -> None:
        self.settings, self.ledger = settings, ledger
        self.runtimes = {r: AdapterRuntime(r, settings, system_id=f"{r}-demo-feed") for r in REGIONS}
        self._ids = ledger.message_ids()
        self._producer = None
        self._hub_engine = None

    def references(self, step: Step) -> tuple[str, ...]:
        """Message ids this step answers; a statement is answered by referencing the hub's notice of it."""
        if any(sid.startswith("eldercare/statement-run/") for sid in step.refers_to):
            notice = self.statement_notice(step.region, step.payload["statement_id"])
            return (notice,) if notice else ()
        return tuple(mid for sid in step.refers_to for mid in self._ids.get(sid, [])[:1])

    def statement_notice(self, region: str, statement_id: str, timeout_s: float = 60.0) -> str | None:
        """The id of the hub's ``hub.statement_notice`` about ``statement_id`` in ``region``'s adapter inbox."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self.runtimes[region].engine.connect() as conn:
                for mid, body in conn.execute(select(store.deliveries.c.message_id, store.deliveries.c.body)
                                              .where(store.deliveries.c.kind == "hub.statement_notice")):
                    if (body.get("payload") or {}).get("statement_id") == statement_id:
                        return mid
            if time.monotonic() > deadline:
                return None
            time.sleep(0.3)

    def play(self, step: Step) -> list[str]:
        if step.kind == "demo.statement_run":
            ids = self._statement_run(step)
        else:
            ids = self._fault(step) if step.fault else self.runtimes[step.region].accept(
                [Canonical(step.kind, step.payload, references=self.references(step))])
        self.ledger.record(step.step_id, ids)
        self._ids[step.step_id] = ids
        return ids

    # -- the hub's statement day, brought forward to the scenario's time -----------------------------------------
    def _statement_run(self, step: Step) -> list[str]:
        """Wait until every message played so far has its receipt (claims adjudicated), then issue the period's
        statements with the hub's own job (what `jjj scheduler run` does on the statement day)."""
        from hub.domain.calendar import Period
        from hub.services.jobs import run_statements
        from jjj.db import make_engine

        ids = [m for sid, mids in self._ids.items() if not sid.startswith("fault/") for m in mids]
        deadline = time.monotonic() + 120
        while any(v is None for v in self.receipts(ids).values()) and time.monotonic() < deadline:
            time.sleep(0.3)
        engine = self._hub_engine or make_engine(self.settings.database_url)
        self._hub_engine = engine
        period = step.payload["period"]
        run_statements(engine, Period.parse(period), datetime.now(UTC), prefix=self.settings.topic_prefix)
        # the answers to the statements reference the hub's notices: wait until the payees' adapters have them
        from jjj.demo import eldercare

        for key in eldercare.statement_groups():
            if key[0] == period:
                self.statement_notice(key[2], eldercare.statement_id(*key), timeout_s=90)
        return []

    # -- faults --------------------------------------------------------------------------------------------------
    def _fault(self, step: Step) -> list[str]:
        now = datetime.now(UTC).astimezone(step.when.tzinfo)
        sender = "he" if step.fault == "foreign_sender" else step.region
        mid = deterministic_ulid(step.step_id, now)
        msg = {"message_id": mid, "kind": step.kind, "schema_version": "1.0",
               "sender": {"region": sender, "unit_code": REGION_UNIT_CODES[sender], "system_id": f"{sender}-legacy-gw"},
               "sent_at": now.isoformat(timespec="seconds"), "status": "actual", "references": [],
               "correlation_id": None, "expires_at": None, "payload": step.payload}
        if step.fault == "expired":
            msg["sent_at"] = step.when.isoformat(timespec="seconds")
            msg["expires_at"] = (step.when + timedelta(hours=1)).isoformat(timespec="seconds")
        value = raw_bytes(msg)
        headers = Signer.load(self.settings.keys, step.region).headers(mid, f"{step.kind}@1.0", value)
        if step.fault == "tampered":
            value = value.replace(b'"on_hand":2100', b'"on_hand":9100')  # changed after signing
        topic = region_topic(self.settings.topic_prefix, step.region, step.family)
        producer = self._producer or make_producer(self.settings.kafka_bootstrap, client_id="demo-faults")
        self._producer = producer
        key = str(step.payload.get("event_id") or step.payload.get("adapter_id") or step.step_id).encode()
        for _ in range(2 if step.fault == "twice" else 1):
            producer.send(topic, value=value, key=key, headers=headers)
        producer.flush(timeout=30)
        return [mid]

    def outbox_depth(self) -> int:
        return sum(rt.status()["outbox_depth"] for rt in self.runtimes.values())

    def receipts(self, message_ids: list[str]) -> dict[str, dict | None]:
        """Receipt (code, outcome) per message id, looked up in every adapter's inbox."""
        out: dict[str, dict | None] = {}
        for mid in message_ids:
            rec = None
            for rt in self.runtimes.values():
                rec = rt.receipt_for(mid)
                if rec:
                    break
            out[mid] = rec
        return out

    def receipt_codes(self) -> Counter:
        """Receipt code → count over every adapter's inbox (a duplicate's 201 is not kept: its id has a receipt)."""
        out: Counter = Counter()
        for rt in self.runtimes.values():
            with rt.engine.connect() as conn:
                out.update(dict(conn.execute(select(store.receipts.c.code, func.count())
                                             .group_by(store.receipts.c.code)).all()))
        return out

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=10)
