"""How a step reaches the platform: through its region's native intake, or (bus faults) straight onto the bus.

Every scenario step is rendered the way the region's own system sends it (``jjj.demo.native``) and handed to the
running adapter (`jjj adapter <r> run`): Beijing's JSON is pushed to ``POST /intake/<format>`` (token and
``Idempotency-Key``), Tianjin's CSV and Hebei's XML / CAP files are dropped (atomically) in the adapter's watched
folder.  The adapter maps, validates, stores in its outbox, publishes and takes the receipts in; the demo only
learns the message ids (HTTP answer, or the adapter's outbox after the file moved to ``done/``).
An answer quotes the hub message it answers, as the region's system would: its id is taken from the adapter's
deliveries (routed requests, statement notices).  Bus faults are produced directly, signed (or mis-signed) like a
misbehaving provincial gateway would.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

import schemas
from adapters.core import store
from adapters.core.runtime import AdapterRuntime
from jjj.bus.clients import make_producer
from jjj.bus.topics import region_topic
from jjj.config import REGION_UNIT_CODES, REGIONS, Settings
from jjj.demo.faults import deterministic_ulid, raw_bytes
from jjj.demo.ledger import Ledger
from jjj.demo.native import Native, render
from jjj.demo.timeline import Step
from jjj.errors import JJJError
from jjj.signing import Signer

BUS_FAULTS = ("plain", "tampered", "foreign_sender", "expired", "twice")


class IntakeRefused(JJJError):
    """The adapter refused a step's native input (located errors attached), or it never came back from a folder."""


class Delivery:
    """Plays steps: returns the message ids it handed over, and records them in the ledger."""

    def __init__(self, settings: Settings, ledger: Ledger, steps: Mapping[str, Step] | None = None,
                 ids: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None) -> None:
        self.settings, self.ledger = settings, ledger
        self.steps, self.person_ids = dict(steps or {}), dict(ids or {})
        env = os.environ if env is None else env
        self.runtimes = {r: AdapterRuntime(r, settings, system_id=f"{r}-demo-feed") for r in REGIONS}
        self.intake = {r: (f"http://127.0.0.1:{env.get(f'JJJ_{r.upper()}_INTAKE_PORT')}",
                           env.get(f"JJJ_{r.upper()}_INTAKE_TOKEN", "")) for r in REGIONS}
        self.drop = {r: Path(d) for r in REGIONS if (d := env.get(f"JJJ_{r.upper()}_DROP_DIR"))}
        self._ids = ledger.message_ids()
        self._producer = None
        self._hub_engine = None
        self.last_intake = ""

    def references(self, step: Step) -> tuple[str, ...]:
        """The hub messages this step answers, as the region's system received them (its adapter's deliveries):
        a statement is answered by its notice, a routed request by the hub's routed copy."""
        if any(sid.startswith("eldercare/statement-run/") for sid in step.refers_to):
            notice = self.statement_notice(step.region, step.payload["statement_id"])
            return (notice,) if notice else ()
        out = []
        for sid in step.refers_to:
            asked = self.steps[sid]
            routed = self.routed(step.region, asked.kind, schemas.KINDS[asked.kind].partition_key(asked.payload))
            if routed is None:
                raise IntakeRefused(f"{step.step_id}: the hub never routed {sid} to {step.region}")
            out.append(routed)
        return tuple(out)

    def routed(self, region: str, kind: str, entity_id: str, timeout_s: float = 90.0) -> str | None:
        """The id of the ``hub.routed_request`` carrying ``kind`` about ``entity_id`` in ``region``'s deliveries."""
        deadline = time.monotonic() + timeout_s
        d = store.deliveries
        while True:
            with self.runtimes[region].engine.connect() as conn:
                for mid, body in conn.execute(select(d.c.message_id, d.c.body).where(d.c.kind == "hub.routed_request")
                                              .order_by(d.c.seq)):
                    p = body.get("payload") or {}
                    if p.get("original_kind") == kind and p.get("entity_id") == entity_id:
                        return mid
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)

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
        """Hand ``step`` over; ``last_intake`` says which way it went (HTTP / file / CAP / bus / hub job)."""
        if step.kind == "demo.statement_run":
            self.last_intake = "hub job run_statements"
            ids = self._statement_run(step)
        elif step.fault in BUS_FAULTS:
            self.last_intake = "bus (raw Kafka record)"
            ids = self._fault(step)
        else:
            out = render(step, self.person_ids, self.references(step) if step.refers_to else ())
            self.last_intake = out.label
            ids = self._push(step, out) if out.intake == "http" else self._drop(step, out)
        self.ledger.record(step.step_id, ids)
        self._ids[step.step_id] = ids
        return ids

    # -- native intakes ------------------------------------------------------------------------------------------
    def _push(self, step: Step, out: Native) -> list[str]:
        """POST the JSON to the adapter's intake; 202 → the accepted ids; 400 → refused (expected for a fault)."""
        url, token = self.intake[step.region]
        req = urllib.request.Request(f"{url}/intake/{out.format}", data=out.body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "X-JJJ-Token": token,
            "Idempotency-Key": f"jjj-demo:{step.step_id}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (the adapter we started)
                return json.loads(resp.read())["accepted"]
        except urllib.error.HTTPError as exc:
            answer = exc.read().decode("utf-8", "replace")
            if exc.code == 400 and step.fault == "native":
                return []
            raise IntakeRefused(f"{step.step_id}: {out.label} answered {exc.code}: {answer[:500]}") from None

    def _drop(self, step: Step, out: Native, timeout_s: float = 60.0) -> list[str]:
        """Write the file into the watched folder (temp name, then an atomic rename), wait until the adapter moved
        it to done/ or failed/, and read the message ids it wrote to its outbox meanwhile."""
        folder, rt = self.drop[step.region], self.runtimes[step.region]
        folder.mkdir(parents=True, exist_ok=True)
        t = store.outbox
        with rt.engine.connect() as conn:
            before = conn.execute(select(func.coalesce(func.max(t.c.seq), 0))).scalar_one()
        tmp, final = folder / f".{out.filename}.part", folder / out.filename
        tmp.write_bytes(out.body)
        os.replace(tmp, final)
        deadline = time.monotonic() + timeout_s
        while final.exists():
            if time.monotonic() > deadline:
                raise IntakeRefused(f"{step.step_id}: {out.label} was not picked up within {timeout_s:.0f}s")
            time.sleep(0.1)
        if (folder / "failed" / out.filename).exists():
            raise IntakeRefused(f"{step.step_id}: {out.label} could not be read (moved to failed/)")
        with rt.engine.connect() as conn:
            ids = list(conn.execute(select(t.c.message_id).where(t.c.seq > before, t.c.kind.not_like("heartbeat.%"))
                                    .order_by(t.c.seq)).scalars())
            if not ids and step.fault != "native":
                why = conn.execute(select(store.rejects.c.location, store.rejects.c.problems)
                                   .where(store.rejects.c.source == out.filename)).all()
                raise IntakeRefused(f"{step.step_id}: {out.label} gave no message: {why}")
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
