"""`jjj audit verify|list`: check the hash chain of the audit trail and show recent entries."""

from __future__ import annotations

import json
import sys

import click

from jjj.config import Settings


def _engine():  # noqa: ANN202
    from jjj.audit import create_audit_tables
    from jjj.db import make_engine

    engine = make_engine(Settings.from_env().database_url)
    create_audit_tables(engine)
    return engine


@click.group("audit")
def audit_group() -> None:
    """The append-only, hash-chained audit trail (messages accepted/rejected, officer actions)."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Walk the chain; exit 0 and print the head hash (record it elsewhere as an anchor), or exit 1 and say where
    the chain breaks."""
    from jjj.audit import verify

    result = verify(_engine())
    click.echo(result.summary())
    sys.exit(0 if result.ok else 1)


@audit_group.command("list")
@click.option("--limit", default=20, show_default=True)
@click.option("--action", default=None, help="Only entries with this action (e.g. message.rejected, dlq.replay).")
def audit_list(limit: int, action: str | None) -> None:
    """The newest entries, newest first."""
    from jjj.audit import entries

    for e in entries(_engine(), limit=limit, action=action):
        click.echo(f"{e['seq']:>8} {e['at']} {e['actor']:<16} {e['action']:<20} {e['subject']} "
                   f"{json.dumps(e['detail'], ensure_ascii=False, sort_keys=True)}")
