"""``hub.services.disasters._relink`` reads only what can link to a touched event (other regions' events of a
touched type, references from or to a touched event) and compares each touched event with its neighbours only: the
same ``disaster_links`` rows as the previous implementation, which read every stored event of the touched types and
every explicit reference (kept below as the oracle), over random multi-region histories in random batches."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from sqlalchemy import delete, event, or_, select

from hub.domain.disaster_links import link_events
from hub.infrastructure import tables as t
from hub.infrastructure.sql import upsert
from hub.services import disasters
from hub.services.disasters import _keys_in, _standin
from hub.services.policy import HubPolicy
from tests.hub.services import builders as b
from tests.hub.services.test_order_independence import reset

COUNTIES = {"bj": ["110111", "110112", "110113"], "tj": ["120114", "120115"], "he": ["131082", "130681"]}
ADJACENT = frozenset({("110112", "131082"), ("120114", "110111"), ("120115", "131082"), ("110113", "110111")})


def reference_relink(batch, touched) -> None:  # noqa: ANN001
    """The implementation before the neighbour index (every event of the touched types, every reference)."""
    if not touched:
        return
    conn, L, E = batch.conn, t.disaster_links, t.disaster_events
    conn.execute(
        delete(L).where(
            or_(_keys_in(L.c.a_region, L.c.a_event_id, touched), _keys_in(L.c.b_region, L.c.b_event_id, touched))
        )
    )
    types = {e.current.disaster_type for e in touched.values() if e.current}
    adjacency = batch.policy.adjacent_counties

    def near(counties: frozenset[str]) -> set[str]:
        return set(counties) | {c for pair in adjacency for c in pair if set(pair) & counties}

    own = {k[0] for k in touched}
    rows = [
        (r.region, r.event_id, r.disaster_type, set(r.counties))
        for r in conn.execute(
            select(E.c.region, E.c.event_id, E.c.disaster_type, E.c.counties).where(
                E.c.status != "cancelled",
                E.c.disaster_type.in_(types),
                *([E.c.region != next(iter(own))] if len(own) == 1 else []),
            )
        )
    ]
    by_county: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for r, e, dtype, counties in rows:
        for county in counties:
            by_county[(dtype, county)].append((r, e))
    rivals: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, ev in touched.items():
        if ev.current is None:
            continue
        dtype = ev.current.disaster_type
        found = {k for county in near(ev.current.counties) for k in by_county.get((dtype, county), ())}
        rivals[key] = sorted(k for k in found if k[0] != key[0])
    refs = {
        (r.region, r.event_id): r.shared_event_ref
        for r in conn.execute(
            select(E.c.region, E.c.event_id, E.c.shared_event_ref).where(E.c.shared_event_ref.is_not(None))
        )
    }
    wanted = {k for ks in rivals.values() for k in ks} | {tuple(v.split(":", 1)) for v in refs.values()} | set(refs)
    missing = wanted - set(touched)
    others = (
        {}
        if not missing
        else {
            (r.region, r.event_id): _standin(r)
            for r in conn.execute(
                select(
                    E.c.region,
                    E.c.event_id,
                    E.c.status,
                    E.c.current_message_id,
                    E.c.shared_event_ref,
                    E.c.disaster_type,
                    E.c.started_on,
                    E.c.ended_on,
                    E.c.counties,
                ).where(_keys_in(E.c.region, E.c.event_id, missing))
            )
        }
    )
    pool = dict(touched) | others
    links: dict = {}
    for key, keys in rivals.items():
        for other in keys:
            if other in pool:
                for lk in link_events([touched[key], pool[other]], adjacency, batch.now.date()):
                    links[(lk.a, lk.b)] = lk.reason
    for key, ref in refs.items():
        target = tuple(ref.split(":", 1))
        if target in pool and key in pool and target[0] != key[0]:
            a, b_ = sorted([key, target])
            links[(a, b_)] = "shared_ref"
    rows = [
        {"a_region": a[0], "a_event_id": a[1], "b_region": b_[0], "b_event_id": b_[1], "reason": reason}
        for (a, b_), reason in links.items()
        if a in touched or b_ in touched
    ]
    upsert(conn, L, rows)


def history(seed: int) -> list[dict]:
    """Events of three regions that move between counties and types, name each other (or themselves, or events
    that never arrive) as the same event, close, get corrected and cancelled."""
    rng = random.Random(seed)
    events = [(region, f"{region.upper()}-{i}") for region in COUNTIES for i in range(4)]
    revision: dict[tuple[str, str], int] = defaultdict(int)
    out: list[dict] = []
    for step in range(60):
        region, event_id = key = rng.choice(events)
        revision[key] += 1
        rev, at = revision[key], step
        roll = rng.random()
        if roll < 0.05:
            out.append(
                b.msg(
                    "disaster.cancel",
                    {
                        "event_id": event_id,
                        "reason_code": "merged",
                        "merged_into_event_id": f"{region.upper()}-0",
                        "reason": "合并",
                    },
                    region,
                    at=at,
                )
            )
        elif roll < 0.12 and rev > 1:
            out.append(b.correction(region, event_id, rev, 10 * rev, at=at))
        else:
            shared = None
            if rng.random() < 0.25:
                other = rng.choice([*events, ("tj", "TJ-404")])
                shared = {"region": other[0], "event_id": other[1]}
            stage = "initial" if rev == 1 else rng.choice(["update", "update", "update", "final"])
            out.append(
                b.disaster(
                    region,
                    event_id,
                    stage,
                    rev,
                    10 * rev,
                    at=at,
                    county=rng.choice(COUNTIES[region]),
                    dtype=rng.choice(["flood", "flood", "drought"]),
                    shared=shared,
                )
            )
    return out


def links(hub) -> list[dict]:  # noqa: ANN001
    return hub.rows(t.disaster_links, "a_region", "a_event_id", "b_region", "b_event_id")


@pytest.mark.parametrize("seed", range(6))
def test_relink_writes_the_links_of_the_reference(hub, monkeypatch, seed) -> None:  # noqa: ANN001
    hub.intake.policy = HubPolicy(adjacent_counties=ADJACENT)
    messages = history(seed)
    batches = [random.Random(seed).randint(1, 9) for _ in messages]
    results = {}
    for name, relink in (("reference", reference_relink), ("new", disasters._relink)):
        monkeypatch.setattr(disasters, "_relink", relink)
        reset(hub.engine)
        hub.intake.cache.clear()
        snapshots, i = [], 0
        for size in batches:
            if i >= len(messages):
                break
            hub.feed(*messages[i : i + size], batch=size)
            i += size
            snapshots.append(links(hub))
        results[name] = snapshots
    assert results["new"] == results["reference"]
    reasons = {r["reason"] for snapshot in results["new"] for r in snapshot}
    assert reasons == {"shared_ref", "same_area"}  # both rules were exercised


def test_a_one_region_batch_reads_no_event_of_its_own_region(hub) -> None:  # noqa: ANN001
    """Rivals are other regions' events: a batch of bj reports (bj and he events stored, he of another type) reads
    no candidate row, however many bj events of its type are stored."""
    hub.feed(
        *[b.disaster("bj", f"E{i}", "initial", 1, 10) for i in range(30)],
        b.disaster("he", "H1", "initial", 1, 10, county="131082", dtype="drought"),
    )
    read: list[int] = []

    def on_after(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if (
            statement.lstrip().startswith("SELECT")
            and "disaster_events.counties" in statement
            and "current_message_id" not in statement
        ):
            read.append(len(cursor.fetchall()) if cursor.description else 0)

    event.listen(hub.engine, "after_cursor_execute", on_after)
    try:
        hub.feed(b.disaster("bj", "E1", "update", 2, 20, at=5), b.disaster("bj", "E2", "update", 2, 20, at=5))
    finally:
        event.remove(hub.engine, "after_cursor_execute", on_after)
    assert read == [0]
    assert links(hub) == []
