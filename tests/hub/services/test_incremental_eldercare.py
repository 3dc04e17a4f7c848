"""Eldercare re-adjudicates only what new facts can change: a resent claim line (already stored) and a rate table
restating the stored rates touch nothing. Proof of exactness: after every batch of a varied random stream, a full
recompute of every elder and claim from the stored facts leaves every state row as the intake left it and sends
no notice."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from hub.infrastructure import tables as t
from hub.services import eldercare
from hub.services.context import Batch
from tests.hub.services import builders as b

STATE = (t.eldercare_adjudications, t.eldercare_claims, t.eldercare_claim_notices, t.settlement_adjustments,
         t.settlement_late_periods)
VOLATILE = {"updated_at", "sent_at", "created_at", "noted_at"}  # the batch clock of the last rewrite


def state(engine) -> dict:  # noqa: ANN001
    out = {}
    with engine.connect() as conn:
        for table in STATE:
            rows = [{k: v for k, v in dict(r).items() if k not in VOLATILE}
                    for r in conn.execute(select(table)).mappings()]
            out[table.name] = sorted(rows, key=repr)
    return out


def full_recompute(hub) -> list:  # noqa: ANN001
    """Re-adjudicate every elder (all months) and re-notify every claim from the stored facts; returns the notices
    this would send."""
    L = t.eldercare_claim_lines
    with hub.engine.begin() as conn:
        batch = Batch(conn, hub.now, hub.prefix, hub.intake.policy)
        for r in conn.execute(select(L.c.elder_ref, L.c.claim_id).where(L.c.envelope_status == "actual")):
            batch.touch("elder", r.elder_ref)
            batch.touch("claim", r.claim_id)
        eldercare.recompute(batch)
        return batch.outgoing


def stream(rng: random.Random, n: int) -> list[dict]:
    claims: dict[str, dict] = {}
    out = []
    for i in range(n):
        at = i + 1
        roll = rng.random()
        if roll < 0.12:
            payer = rng.choice(["110102", "110000"])
            out.append(b.rates("bj", payer, rng.choice([60000, 60000, 55000]), table=f"T{rng.randrange(3)}", at=at,
                               since=rng.choice(["2026-01-01", "2026-04-01"])))
        elif roll < 0.25:
            elder = rng.randrange(1, 6)
            out.append(b.enrolment("he", f"E{elder}", elder, "110102", "he", at=at,
                                   valid_until=rng.choice(["2027-12-31", "2026-04-30"])))
        elif roll < 0.55 and claims:  # a resent claim: same lines, sometimes one more
            cid = rng.choice(sorted(claims))
            c = claims[cid]
            lines = list(c["lines"])
            if rng.random() < 0.3:
                lines.append((f"L{len(lines) + 1}", rng.randrange(1, 6), 30, 60000))
                c["lines"] = lines
            out.append(b.claim("he", cid, c["payer"], c["period"], lines, at=at))
        else:
            cid = f"C{len(claims)}"
            c = claims[cid] = {"payer": rng.choice(["110102", "110105"]),
                               "period": rng.choice(["2026-03", "2026-04", "2026-05", "2026-06"]),
                               "lines": [(f"L{k}", rng.randrange(1, 6), rng.choice([30, 28, 10]),
                                          rng.choice([60000, 55000])) for k in range(1, rng.randrange(2, 4))]}
            out.append(b.claim("he", cid, c["payer"], c["period"], c["lines"], at=at))
    return out


def test_skipped_touches_leave_the_state_of_a_full_recompute(hub) -> None:  # noqa: ANN001
    rng = random.Random(20261129)
    messages = stream(rng, 160)
    start, i, batches = hub.now, 0, 0
    while i < len(messages):
        size = rng.choice([1, 3, 8, 20])
        hub.now = start + timedelta(minutes=batches)
        hub.feed(*messages[i:i + size])
        i, batches = i + size, batches + 1
        before = state(hub.engine)
        assert full_recompute(hub) == []
        assert state(hub.engine) == before
    stored = state(hub.engine)
    assert stored["eldercare_adjudications"] and stored["eldercare_claim_notices"]


def test_a_resent_claim_and_a_restated_rate_table_touch_nothing(hub) -> None:  # noqa: ANN001
    hub.feed(b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"),
             b.claim("he", "C1", "110102", "2026-04", [("L1", 1, 30, 60000)], at=1))
    with hub.engine.begin() as conn:
        batch = Batch(conn, hub.now, hub.prefix)
        batch.messages = [b.claim("he", "C1", "110102", "2026-04", [("L1", 1, 30, 60000)], at=2),
                          b.rates("bj", "110000", 60000, table="T2", at=3),
                          b.claim("he", "C1", "110102", "2026-04", [("L1", 1, 30, 60000), ("L2", 1, 1, 10)], at=4),
                          b.rates("bj", "110000", 61000, table="T3", at=5)]
        eldercare.on_claim(batch, batch.messages[0])
        eldercare.on_entitlement_table(batch, batch.messages[1])
        assert not batch.touched
        eldercare.on_claim(batch, batch.messages[2])
        eldercare.on_entitlement_table(batch, batch.messages[3])
        assert dict(batch.touched) == {"elder_period": {(eldercare.ref_text(b.person(1)), "2026-04")},
                                       "claim": {"C1"}, "payer": {"110000"}}
