"""The Alembic migrations yield exactly the schema of the table metadata (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hub.migrations import target_metadata, upgrade
from jjj.db import make_engine


def test_upgrade_head_matches_the_metadata_with_no_differences(database_url) -> None:  # noqa: ANN001
    upgrade(database_url)
    upgrade(database_url)  # a second upgrade is a no-op
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, target_metadata()) == []
        names = set(inspect(engine).get_table_names())
        assert {"processed_messages", "disaster_events", "settlement_statements", "audit_log"} <= names
    finally:
        engine.dispose()


def test_0018_counts_the_stored_id_lists_and_a_downgrade_leaves_them_to_be_rebuilt(database_url) -> None:  # noqa: ANN001
    from alembic import command
    from sqlalchemy import text

    from hub.migrations import config

    upgrade(database_url, "0017")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO verification_state (request_id, region, status, due_on, expected, answered, missing, late,"
                " duplicates, unexpected, updated_at) VALUES ('V1', 'bj', 'open', '2024-08-01', 2, 1, '[]',"
                " '[\"a\", \"b\"]', '[\"c\"]', '[]', '2024-08-01 00:00:00')"))
            conn.execute(text("INSERT INTO verification_winners (request_id, winners) VALUES ('V1', '[]')"))
        upgrade(database_url)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT late_count, duplicate_count, unexpected_count FROM verification_state"))
            assert row.one() == (2, 1, 0)
        command.downgrade(config(database_url), "0017")
        with engine.connect() as conn:
            row = conn.execute(text("SELECT late, duplicates, unexpected FROM verification_state")).one()
            assert [json.loads(v) if isinstance(v, str) else v for v in row] == [[], [], []]
            # no stored winners: the request's next recompute aggregates all its answers and writes the lists again
            assert conn.execute(text("SELECT count(*) FROM verification_winners")).scalar() == 0
    finally:
        engine.dispose()
