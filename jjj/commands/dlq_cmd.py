"""`jjj dlq list|show|replay`: the hub's dead letters (rejected records with their original bytes)."""

from __future__ import annotations

import base64
import getpass
import json
import os
import sys

import click

from jjj.config import Settings
from jjj.errors import JJJError


def _engine():  # noqa: ANN202
    from hub.infrastructure import tables
    from jjj.audit import create_audit_tables
    from jjj.db import make_engine

    engine = make_engine(Settings.from_env().database_url)
    tables.create_all(engine)
    create_audit_tables(engine)
    return engine


@click.group("dlq")
def dlq_group() -> None:
    """Dead letters: list, inspect and replay rejected records (replays are audited)."""


@dlq_group.command("list")
@click.option("--limit", default=50, show_default=True)
@click.option("--code", type=int, default=None, help="Only this receipt code (e.g. 410).")
@click.option("--pending", is_flag=True, help="Only dead letters not replayed yet.")
def dlq_list(limit: int, code: int | None, pending: bool) -> None:
    """Newest first: id, code, region, original position, message id, reason."""
    from jjj.recovery import dead_letters

    rows = dead_letters(_engine(), limit=limit, code=code, pending=pending)
    for r in rows:
        mark = "replayed" if r["replayed_at"] else "pending"
        click.echo(f"{r['id']:>6} {r['code']} {r['region']:<3} {r['topic']}/{r['partition']}/{r['offset']:<8} "
                   f"{mark:<8} {r['message_id'] or '-':<32} {r['reason'][:100]}")
    click.echo(f"({len(rows)} dead letters)")


@dlq_group.command("show")
@click.argument("dl_id", type=int)
def dlq_show(dl_id: int) -> None:
    """One dead letter with its original bytes (ID-number-like strings masked)."""
    from jjj.recovery import dead_letter
    from jjj.security.pii_scan import mask_text

    try:
        r = dead_letter(_engine(), dl_id)
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    original = base64.b64decode(r["original"])
    for k in ("id", "message_id", "topic", "partition", "offset", "region", "code", "reason", "paths",
              "received_at", "replayed_at"):
        click.echo(f"{k:>12}: {r[k]}")
    click.echo(f"{'bytes':>12}: {len(original)}")
    text = original.decode("utf-8", "replace")
    try:
        text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        pass
    click.echo(mask_text(text))


@dlq_group.command("replay")
@click.argument("dl_id", type=int)
@click.option("--reason", required=True, help="Why it is replayed now (stored in the audit trail).")
@click.option("--actor", default=None, help="Officer user name (default: JJJ_OPERATOR or the login name).")
def dlq_replay(dl_id: int, reason: str, actor: str | None) -> None:
    """Re-produce the original record (value and signature headers) to its topic; the hub processes it again."""
    from jjj.recovery import replay

    actor = actor or os.environ.get("JJJ_OPERATOR") or getpass.getuser()
    try:
        where = replay(Settings.from_env(), _engine(), dl_id, reason=reason, actor=actor)
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"dead letter {dl_id} replayed to {where['topic']}/{where['partition']}/{where['offset']} by {actor}")
