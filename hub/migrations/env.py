"""Alembic environment: the hub's tables and the audit log, on SQLite (batch mode) or PostgreSQL."""

from __future__ import annotations

import os

from alembic import context

from hub.migrations import target_metadata
from jjj.db import make_engine

cfg = context.config
url = cfg.attributes.get("database_url") or os.environ.get("JJJ_DATABASE_URL", "sqlite:///state/hub.db")


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata(),
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
