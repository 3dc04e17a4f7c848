"""Exchange health reads ``processed_counts`` (records per region and receipt code, newest time), kept by the
intake in each batch's transaction: it always equals grouping every processed record; migration 0011 fills it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from hub.infrastructure import tables as t
from tests.hub.services import builders as b
from tests.hub.services.conftest import Hub


def grouped(hub: Hub) -> dict:
    P = t.processed
    with hub.engine.connect() as conn:
        return {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(
            select(P.c.region, P.c.code, func.count(), func.max(P.c.received_at)).group_by(P.c.region, P.c.code))}


def counted(hub: Hub) -> dict:
    return {(r["region"], r["code"]): (r["count"], r["last_at"]) for r in hub.rows(t.processed_counts)}


def test_counts_equal_grouping_every_record_across_batches(hub: Hub) -> None:
    start = hub.now
    c1 = b.claim("he", "C1", "110102", "2026-05", [("L1", 1, 31, 60000)], at=1)
    hub.feed(b.rates("bj", "110000", 60000), b.enrolment("he", "E1", 1, "110102", "he"), c1)
    hub.now = start + timedelta(minutes=5)
    # the same claim message again (201), a confirmation of an unknown statement (420) and a new claim (100)
    hub.feed(c1,
             b.msg("eldercare.confirmation", {"statement_id": "ST-NONE", "confirmed_at": b.ts(2),
                                              "confirmed_fen": 1}, "he", at=2),
             b.claim("he", "C2", "110102", "2026-06", [("L1", 1, 30, 60000)], at=3))
    assert {k: v[0] for k, v in counted(hub).items()} == {("bj", 100): 1, ("he", 100): 3, ("he", 201): 1,
                                                         ("he", 420): 1}
    assert counted(hub) == grouped(hub)
    assert counted(hub)[("he", 100)][1] > counted(hub)[("bj", 100)][1]  # the newest record's time


def test_migration_0011_fills_the_counts_from_stored_records(database_url) -> None:  # noqa: ANN001
    from alembic import command
    from sqlalchemy import text

    from hub.migrations import config, upgrade
    from jjj.db import make_engine

    upgrade(database_url, "0010")
    engine = make_engine(database_url)
    at = datetime(2026, 6, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            for i, (region, code) in enumerate((("bj", 100), ("bj", 100), ("bj", 400), ("tj", 410))):
                conn.execute(text("INSERT INTO processed_messages (message_id, topic, partition, \"offset\", region,"
                                  " kind, code, reason, received_at) VALUES (:m, 't', 0, :o, :r, NULL, :c, NULL, :at)"),
                             {"m": f"M{i}", "o": i, "r": region, "c": code, "at": at + timedelta(seconds=i)})
        upgrade(database_url)
        with engine.connect() as conn:
            assert sorted(tuple(r) for r in conn.execute(text(
                "SELECT region, code, count FROM processed_counts"))) == [("bj", 100, 2), ("bj", 400, 1),
                                                                        ("tj", 410, 1)]
        command.downgrade(config(database_url), "0010")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM processed_messages")).scalar_one() == 4
    finally:
        engine.dispose()
