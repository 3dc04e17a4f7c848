"""Verification aggregates are folded incrementally (a batch's new answers into the stored winners); a full
aggregation of every answer with the domain's ``aggregate`` must give exactly the same state rows and messages.

The same random stream of requests and responses (late, duplicate, unexpected, earlier-than-the-winner answers,
drills, answers before their request) runs twice, in the same batches and at the same clock: once as the intake
does it, once with the stored winners dropped before every batch (every request then takes the full path)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete, select

import schemas
from hub.infrastructure import tables
from hub.infrastructure import tables as t
from hub.services import audit
from hub.services.jobs import run_deadlines
from jjj.audit import audit_metadata
from tests.hub.services import builders as b
from tests.hub.services.conftest import Hub

ITEMS = ("real_estate", "vehicles", "deposits")


def stream(rng: random.Random, n: int) -> list[dict]:
    out, requests = [], []
    for i in range(n):
        at = i * 90 + rng.randrange(60)
        if requests and rng.random() < 0.1:  # a resent request (stored already): no new fact, a recompute
            m = b.verification_request("bj", rng.choice(requests), ["he"], at=at)
        elif rng.random() < 0.25 or not requests:
            rid = f"VR-{len(requests)}"
            requests.append(rid)
            region = rng.choice(["bj", "tj"])
            targets = ["he"] if rng.random() < 0.5 else ["he", "tj" if region == "bj" else "bj"]
            items = tuple(rng.sample(ITEMS, rng.randrange(1, 3)))
            m = b.verification_request(region, rid, targets, at=at, items=items)
            m["payload"]["response_deadline"] = b.ts(at + rng.choice([600, 6000, 30000]))
        else:
            rid = rng.choice(requests + ["VR-unknown"])
            region = rng.choice(["he", "tj", "bj"])
            answered = at + rng.choice([-3000, -200, 0, 200, 9000, 40000])  # earlier than others, or late
            m = b.verification_response(region, rid, tuple(rng.sample(ITEMS, rng.randrange(1, 4))), at=at)
            for item in m["payload"]["results"][0]["items"]:
                item["feedback_at"] = b.ts(answered + rng.randrange(3))
        if rng.random() < 0.1:
            m["status"] = "exercise"
        out.append(m)
    return out


def run(hub, messages: list[dict], sizes: list[int], *, full: bool) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    start, i = hub.now, 0
    for k, size in enumerate(sizes):
        if full:
            with hub.engine.begin() as conn:
                conn.execute(delete(t.verification_winners))
        hub.now = start + timedelta(hours=6 * k)
        hub.feed(*messages[i:i + size])
        if k % 3 == 2:  # the scheduler's deadline job between batches
            run_deadlines(hub.engine, hub.now + timedelta(hours=1), prefix=hub.prefix)
        i += size
    S = t.verification_state
    with hub.engine.connect() as conn:
        state = [{k: v for k, v in dict(r).items() if k != "updated_at"}
                 for r in conn.execute(select(S).order_by(S.c.request_id)).mappings()]
        sent = [(r.topic, schemas.decode(r.value)) for r in conn.execute(
            select(t.hub_outbox.c.topic, t.hub_outbox.c.value).order_by(t.hub_outbox.c.seq))]
    return state, [(topic, m["kind"], m["payload"], m.get("references"), m.get("status")) for topic, m in sent
                   if m["kind"] in ("hub.aggregated_response", "hub.status_change")]


def test_folding_new_answers_equals_aggregating_all_of_them(engine, keys_dir) -> None:  # noqa: ANN001
    rng = random.Random(8)
    messages = stream(rng, 220)
    sizes, left = [], len(messages)
    while left > 0:
        sizes.append(min(left, rng.choice([1, 2, 5, 13, 30])))
        left -= sizes[-1]
    # last, every request sent again (no new answer): requests whose result went out, complete or overdue, and
    # open ones take the path that only re-derives the status
    ids = sorted({m["payload"]["request_id"] for m in messages if m["kind"] == "verification.request"})
    messages += [b.verification_request("bj", rid, ["he"], at=220 * 90 + k) for k, rid in enumerate(ids)]
    sizes.append(len(ids))
    full = run(Hub(engine, keys_dir), messages, sizes, full=True)
    tables.metadata.drop_all(engine)  # the same database again, empty
    audit_metadata.drop_all(engine)
    tables.create_all(engine)
    audit.create_tables(engine)
    incremental = run(Hub(engine, keys_dir), messages, sizes, full=False)
    assert incremental == full
    state, sent = incremental
    assert {r["status"] for r in state} == {"open", "complete", "overdue"}
    assert any(r["late_count"] for r in state) and any(r["duplicate_count"] for r in state)
    assert any(r["unexpected_count"] for r in state)
    assert sum(kind == "hub.aggregated_response" for _, kind, *_ in sent) > 5
