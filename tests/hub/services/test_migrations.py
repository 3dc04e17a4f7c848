"""The Alembic migrations yield exactly the schema of the table metadata (on SQLite and PostgreSQL)."""

from __future__ import annotations

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
