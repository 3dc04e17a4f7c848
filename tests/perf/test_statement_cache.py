"""A hub worker compiles each SQL statement shape once: statements built per batch must not change shape with the
batch's contents (an OR of one term per key compiled a new statement for every count and None pattern, and the
engine's compiled cache kept each with its bound values: the worker's RSS grew ~3 KB per message,
docs/perf/hub-memory.md). On the test database (SQLite, or PostgreSQL with JJJ_TEST_DATABASE_URL)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hub.services.context import Batch
from hub.services.intake import Intake
from hub.services.records import Record
from hub.services.relief import recompute_costs
from jjj.bench.data import MessageFactory, signed_headers
from jjj.signing import KeyRegistry, Signer


def _cached(engine) -> int:  # noqa: ANN001
    return len(engine._compiled_cache)  # noqa: SLF001 - the cache under test


def test_cost_ledger_statements_keep_one_shape_whatever_the_events(engine) -> None:  # noqa: ANN001
    event_sets = [
        {("actual", "he", "HE-1")},
        {("actual", None, None)},
        {("actual", "he", "HE-1"), ("actual", "bj", "BJ-2"), ("exercise", None, None)},
        {("actual", None, None), ("exercise", None, None), ("test", "tj", "TJ-3"), ("actual", "tj", "TJ-4")},
        {("actual", "he", f"HE-{i}") for i in range(37)} | {("exercise", None, None)},
    ]
    sizes = []
    for events in event_sets:
        with engine.begin() as conn:
            recompute_costs(Batch(conn, datetime.now(UTC), "jjj"), events)
        sizes.append(_cached(engine))
    assert sizes == [sizes[0]] * len(event_sets)


def _records(keys_dir, n: int, seed: int) -> list[Record]:  # noqa: ANN001
    signers = {r: Signer.load(keys_dir, r) for r in ("bj", "tj", "he", "hub")}
    messages = list(MessageFactory("jjj", seed=seed, distinct=40).messages(n))
    out = []
    for i in range(0, n, 250):
        chunk = messages[i:i + 250]
        for m, h in zip(chunk, signed_headers(signers, chunk), strict=True):
            out.append(Record(m.topic, 0, len(out), m.key.encode(), m.value, dict(h)))
    return out


def test_the_intake_compiles_each_statement_in_a_bounded_number_of_shapes(engine, keys_dir) -> None:  # noqa: ANN001
    """The bench mix in batches of many sizes: each statement (its text up to WHERE) is compiled in at most three
    shapes (the disaster look-ups have one ``region = ? AND id IN (...)`` term per region present in the batch);
    before the fix the cost ledger's SELECT and DELETE had one shape per batch."""
    intake = Intake(engine, KeyRegistry.load(keys_dir), prefix="jjj")
    records = _records(keys_dir, 4000, seed=1)
    start = 0
    for size in (500, 7, 61, 233, 499, 3, 150, 347, 200, 1, 499, 300, 500, 111, 89, 500):
        intake.process(records[start:start + size])
        start += size
    assert start == len(records)
    shapes = Counter(c.string.split("WHERE")[0] for c in engine._compiled_cache.values())  # noqa: SLF001
    assert {sql: n for sql, n in shapes.items() if n > 3} == {}
