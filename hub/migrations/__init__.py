"""Alembic migrations of the hub database (hub tables + the audit log). ``upgrade(url)`` = ``alembic upgrade head``."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def config(url: str):  # noqa: ANN201
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(config(url), revision)


def target_metadata() -> list:
    from hub.infrastructure.tables import metadata
    from jjj.audit import audit_metadata

    return [metadata, audit_metadata]
