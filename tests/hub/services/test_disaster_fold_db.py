"""The worker folds each touched event forward from its memoised summary (hub.services.disasters.iter_summaries)
against the test database (SQLite, or PostgreSQL with JJJ_TEST_DATABASE_URL): the same ``disaster_events`` rows
as a worker that rebuilds every event from all its revisions, a memo miss or eviction falls back to the rebuild,
and what a batch reads does not grow with the events' histories."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import delete, event, func, insert, select, update

from hub.infrastructure import tables as t
from hub.services import disasters
from tests.hub.services import builders as b
from tests.hub.services.test_order_independence import reset


def flood(events: int, revisions: int, *, first: int = 1) -> list[dict]:
    """``revisions`` 续报 per event, in order, the affected figure growing (and falling once, without a reason)."""
    return [b.disaster("bj", f"E{e}", "initial" if r == 1 else "update", r, 100 * r - (150 if r == 4 else 0) + e,
                       at=10 * r + e, deaths=12 if r == 3 else 0)
            for r in range(first, first + revisions) for e in range(1, events + 1)]


#: every way an event can change: out-of-order 续报, a 核报, a late 续报, a second 核报, corrections older and
#: newer than the 核报, a cancel, a typhoon reference, and a duplicate replay
MIXED = [
    *flood(3, 4),
    b.disaster("bj", "E1", "update", 2, 999, at=1),  # a revision 2 again (other id): inside the chain
    b.disaster("bj", "E2", "final", 6, 700, at=80),
    b.disaster("bj", "E2", "update", 7, 710, at=81),  # update_after_final
    b.disaster("bj", "E2", "final", 8, 720, at=82),  # second_final
    b.correction("bj", "E2", 5, 650, at=83),  # correction_not_newer
    b.correction("bj", "E2", 9, 730, at=84),
    b.correction("bj", "E3", 9, 730, at=85),  # a correction before any 核报 stands in for it
    *flood(3, 3, first=5),
    b.msg("disaster.cancel", {"event_id": "E1", "reason_code": "merged", "merged_into_event_id": "E9",
                                    "reason": "合并"}, "bj", at=90),
    b.disaster("bj", "E1", "update", 9, 900, at=91),
]


def rows(hub) -> list[dict]:  # noqa: ANN001
    return [{k: v for k, v in r.items() if k != "updated_at"}
            for r in hub.rows(t.disaster_events, "region", "event_id")]


def fresh_rows(hub, messages: list[dict], batch: int) -> list[dict]:  # noqa: ANN001
    """The rows of a worker whose memo is emptied before every batch: every event rebuilt from all revisions."""
    reset(hub.engine)
    hub.intake.cache.clear()
    for i in range(0, len(messages), batch):
        hub.intake.cache.clear()
        hub.feed(*messages[i:i + batch], batch=batch)
    return rows(hub)


def test_the_memoised_worker_writes_the_rows_of_the_full_rebuild(hub) -> None:  # noqa: ANN001
    for batch in (1, 3, 7):
        expected = fresh_rows(hub, MIXED, batch)
        reset(hub.engine)
        hub.intake.cache.clear()
        hub.feed(*MIXED, batch=batch)
        assert rows(hub) == expected
        assert hub.intake.cache[disasters.SUMMARIES]  # the memo was used
    by_event = {r["event_id"]: r for r in expected}
    assert {e: r["status"] for e, r in by_event.items()} == {"E1": "cancelled", "E2": "closed", "E3": "closed"}
    assert by_event["E1"]["decreases"] and by_event["E2"]["ignored"]


def test_a_flood_folds_without_rebuilding(hub, monkeypatch) -> None:  # noqa: ANN001
    rebuilt: list[set] = []
    iter_events = disasters.iter_events

    def spy(conn, keys, status=disasters.ACTUAL):  # noqa: ANN001, ANN202
        rebuilt.append(set(keys))
        return iter_events(conn, keys, status)

    monkeypatch.setattr(disasters, "iter_events", spy)
    messages = flood(4, 12)
    for i in range(0, len(messages), 4):
        hub.feed(*messages[i:i + 4], batch=4)
    assert [k for k in rebuilt if k] == []  # the first batch's new events are built from the batch's rows
    monkeypatch.setattr(disasters, "iter_events", iter_events)
    assert rows(hub) == fresh_rows(hub, messages, 4)


def test_a_memo_miss_or_eviction_rebuilds_the_same_rows(hub, monkeypatch) -> None:  # noqa: ANN001
    expected = fresh_rows(hub, MIXED, 2)
    reset(hub.engine)
    hub.intake.cache.clear()
    monkeypatch.setattr(disasters, "SUMMARIES_MAX", 2)  # every batch of 2 events evicts the third
    hub.feed(*MIXED, batch=2)
    assert len(hub.intake.cache[disasters.SUMMARIES]) <= 2
    assert rows(hub) == expected


def test_a_stale_memo_entry_is_not_trusted(hub) -> None:  # noqa: ANN001
    """A memo that counted a revision the table does not hold (its batch rolled back) rebuilds the event."""
    messages = flood(1, 6)
    hub.feed(*messages[:3], batch=3)
    memo = hub.intake.cache[disasters.SUMMARIES]
    entry = memo[("bj", "E1")]
    memo[("bj", "E1")] = disasters._Entry(replace(entry.summary, count=entry.summary.count + 1),
                                          entry.defaults, entry.current_row, entry.first_received_at)
    hub.feed(*messages[3:], batch=3)
    assert memo[("bj", "E1")].summary.count == 6
    assert rows(hub) == fresh_rows(hub, messages, 3)


def test_what_a_batch_reads_does_not_grow_with_history(hub) -> None:  # noqa: ANN001
    """Statements on ``disaster_reports`` and ``disaster_revision_counts`` and revision rows fetched per batch of
    one new revision per event: the same after 3 revisions as after 40. The new revisions are the batch's own rows
    (the events' revision counts prove they are the stored ones), so no revision is re-read and nothing is counted
    over an event's history; new events are built from the batch too."""
    reads: list[list[str]] = []
    fetched: list[int] = []
    fetch = disasters._fetch

    def on_execute(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        for table in ("disaster_reports", "disaster_revision_counts"):
            if table in statement and reads:
                reads[-1].append(f"{statement.split()[0]} {table}" + (" count(" if "count(" in statement else ""))

    def spy(conn, ids):  # noqa: ANN001, ANN202
        out = fetch(conn, ids)
        fetched[-1] += len(out)
        return out

    disasters_fetch, disasters._fetch = disasters._fetch, spy
    event.listen(hub.engine, "before_cursor_execute", on_execute)
    try:
        messages = flood(5, 40)
        for i in range(0, len(messages), 5):  # one new revision of each of the 5 events per batch
            reads.append([])
            fetched.append(0)
            hub.feed(*messages[i:i + 5], batch=5)
    finally:
        event.remove(hub.engine, "before_cursor_execute", on_execute)
        disasters._fetch = disasters_fetch
    for later in range(40):  # the first batch too: no memo, but the events are new (count = the batch's rows)
        assert reads[later] == ["INSERT disaster_reports", "SELECT disaster_revision_counts",
                                "INSERT disaster_revision_counts"], later
        assert fetched[later] == 0, later
    assert rows(hub) == fresh_rows(hub, messages, 5)


def spy_fetch(monkeypatch) -> list[int]:  # noqa: ANN001
    """Revision rows fetched from the table, per fetch, from now until ``monkeypatch.undo()``."""
    fetched: list[int] = []
    fetch = disasters._fetch

    def spy(conn, ids):  # noqa: ANN001, ANN202
        out = fetch(conn, ids)
        fetched.append(len(out))
        return out

    monkeypatch.setattr(disasters, "_fetch", spy)
    return fetched


def test_an_event_with_older_revisions_and_no_memo_entry_is_rebuilt_from_the_table(hub, monkeypatch) -> None:  # noqa: ANN001
    """A memo miss whose event has stored revisions besides the batch's is not built from the batch alone."""
    messages = flood(2, 6)
    hub.feed(*messages[:6], batch=6)
    hub.intake.cache.clear()
    fetched = spy_fetch(monkeypatch)
    hub.feed(*messages[6:8], batch=2)
    assert fetched == [8]  # both events, all their revisions
    hub.feed(*messages[8:], batch=4)
    assert fetched == [8]  # memoised again: folded from the batch
    monkeypatch.undo()
    assert rows(hub) == fresh_rows(hub, messages, 2)


def stored_counts(hub) -> dict:  # noqa: ANN001
    """Actual revisions per event, counted over ``disaster_reports``."""
    r = t.disaster_reports
    with hub.engine.connect() as conn:
        return {(row[0], row[1]): row[2] for row in conn.execute(
            select(r.c.region, r.c.event_id, func.count()).where(r.c.envelope_status == "actual")
            .group_by(r.c.region, r.c.event_id))}


def kept_counts(hub) -> dict:  # noqa: ANN001
    return {(row["region"], row["event_id"]): row["count"] for row in hub.rows(t.disaster_revision_counts)}


def test_the_kept_revision_counts_equal_counting_the_stored_revisions(hub) -> None:  # noqa: ANN001
    """Batches of every size, duplicates, corrections and cancels, and a drill (exercise revisions are not counted)."""
    drill = replace_status(b.disaster("bj", "E7", "initial", 1, 10, at=1), "exercise")
    for batch in (1, 4):
        reset(hub.engine)
        hub.intake.cache.clear()
        for i in range(0, len(MIXED), batch):
            hub.feed(*MIXED[i:i + batch], batch=batch)
        hub.feed(drill, MIXED[0])  # a drill and a duplicate (201): neither is an actual revision stored
        assert kept_counts(hub) == stored_counts(hub) == {("bj", "E1"): 10, ("bj", "E2"): 12, ("bj", "E3"): 8}


def test_a_wrong_count_makes_the_worker_rebuild_the_event_and_correct_it(hub, monkeypatch) -> None:  # noqa: ANN001
    """A count that disagrees with the memo (here: another writer's revision the count saw) is never folded over:
    the event is rebuilt from its stored revisions, and the count is set to the revisions read."""
    messages = flood(2, 6)
    hub.feed(*messages[:6], batch=6)
    with hub.engine.begin() as conn:
        conn.execute(update(t.disaster_revision_counts).where(t.disaster_revision_counts.c.event_id == "E1")
                     .values(count=t.disaster_revision_counts.c.count + 7))
    fetched = spy_fetch(monkeypatch)
    hub.feed(*messages[6:8], batch=2)
    assert fetched == [4]  # E1 alone, all its stored revisions; E2 folded from the batch
    assert kept_counts(hub) == stored_counts(hub) == {("bj", "E1"): 4, ("bj", "E2"): 4}
    monkeypatch.undo()
    hub.feed(*messages[8:], batch=4)
    assert rows(hub) == fresh_rows(hub, messages, 2)


def test_recount_sets_the_counts_of_revisions_written_without_the_intake(hub) -> None:  # noqa: ANN001
    hub.feed(*flood(3, 4), batch=5)
    with hub.engine.begin() as conn:
        conn.execute(delete(t.disaster_revision_counts))
        conn.execute(insert(t.disaster_revision_counts), [{"region": "bj", "event_id": "E9", "count": 2}])
        disasters.recount(conn)
    assert kept_counts(hub) == stored_counts(hub) == {("bj", "E1"): 4, ("bj", "E2"): 4, ("bj", "E3"): 4}


def replace_status(message: dict, status: str) -> dict:
    return {**message, "status": status}


def test_migration_0016_fills_the_counts_from_stored_revisions(database_url) -> None:  # noqa: ANN001
    from alembic import command
    from sqlalchemy import text

    from hub.migrations import config, upgrade
    from jjj.db import make_engine

    upgrade(database_url, "0015")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            for i, (event_id, status) in enumerate((("E1", "actual"), ("E1", "actual"), ("E1", "exercise"),
                                                    ("E2", "actual"))):
                conn.execute(text("INSERT INTO disaster_reports (message_id, region, event_id, kind, sent_at,"
                                  " received_at, payload, envelope_status) VALUES (:m, 'bj', :e, 'disaster.report',"
                                  " '2026-07-30T20:00:00+08:00', :at, '{}', :s)"),
                             {"m": f"M{i}", "e": event_id, "s": status, "at": datetime(2026, 7, 30, tzinfo=UTC)})
        upgrade(database_url)
        with engine.connect() as conn:
            assert sorted(tuple(r) for r in conn.execute(text(
                "SELECT region, event_id, count FROM disaster_revision_counts"))) == [("bj", "E1", 2), ("bj", "E2", 1)]
        command.downgrade(config(database_url), "0015")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM disaster_reports")).scalar_one() == 4
    finally:
        engine.dispose()


def test_two_workers_taking_turns_on_one_event_keep_its_count_and_rows(hub, keys_dir) -> None:  # noqa: ANN001
    """A rebalance hands an event's partition from worker A to worker B and back: each worker's memo is stale when
    the event comes back to it, the count tells, and the event is rebuilt; the count is never set from a stale
    read, only added to (two additions to one row both count)."""
    from tests.hub.services.conftest import Hub

    other = Hub(hub.engine, keys_dir)
    other.offsets = itertools.count(10_000)  # the same partitions, later offsets
    messages = flood(2, 9)
    hub.feed(*messages[:6], batch=6)  # worker A: revisions 1-3 of E1 and E2
    other.feed(*messages[6:12], batch=6)  # worker B: 4-6 (no memo: rebuilt from the table)
    hub.feed(*messages[12:], batch=6)  # worker A again: its memo says 3, the table 6
    assert kept_counts(hub) == stored_counts(hub) == {("bj", "E1"): 9, ("bj", "E2"): 9}
    assert rows(hub) == fresh_rows(hub, messages, 6)
    with hub.engine.begin() as conn:
        disasters._keep_counts(conn, {("bj", "E1"): 5})
    with hub.engine.begin() as conn:
        disasters._keep_counts(conn, {("bj", "E1"): 3, ("bj", "E3"): 2})
    assert kept_counts(hub) == {("bj", "E1"): 17, ("bj", "E2"): 9, ("bj", "E3"): 2}
