"""`jjj security apply|acls|env`: SCRAM users and ACLs of the bus; `rebuild_command` (attached as `jjj hub rebuild`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from jjj.config import Settings
from jjj.errors import JJJError


def _target(settings: Settings) -> tuple[str, dict[str, object], Path]:
    """Bootstrap, admin client options and secrets folder: an external cluster when JJJ_KAFKA_SASL_USERNAME names
    its admin (secrets from JJJ_KAFKA_SECRETS_DIR), else the local secure broker of `jjj kafka up --secure`."""
    from jjj.bus.clients import security_options
    from jjj.security.broker import SecureBroker

    local = SecureBroker.from_settings(settings)
    secrets_dir = Path(os.environ.get("JJJ_KAFKA_SECRETS_DIR", str(local.secrets_dir)))
    if os.environ.get("JJJ_KAFKA_SASL_USERNAME"):
        return settings.kafka_bootstrap, security_options(), secrets_dir
    return local.bootstrap, local.admin_options(), secrets_dir


@click.group("security")
def security_group() -> None:
    """Bus security: SCRAM-SHA-512 users (one per region, one for the hub) and prefixed ACLs (contracts.md)."""


@security_group.command("apply")
@click.option("--topics/--no-topics", default=True, show_default=True, help="Also create the declared topics.")
@click.option("--prune", is_flag=True, help="Remove ACLs of the managed users that the layout does not list.")
@click.option("--rotate", multiple=True, help="Re-create this user's credential (after changing its password file).")
def security_apply(topics: bool, prune: bool, rotate: tuple[str, ...]) -> None:
    """Create missing users and ACLs; running it twice changes nothing the second time."""
    from jjj.bus.admin import apply_topics
    from jjj.bus.topics import declared_topics
    from jjj.security.acls import apply_security

    settings = Settings.from_env()
    bootstrap, options, secrets_dir = _target(settings)
    try:
        if topics:
            click.echo(apply_topics(bootstrap, declared_topics(settings.topic_prefix), **options).summary())
        result = apply_security(bootstrap, options, secrets_dir, prefix=settings.topic_prefix,
                                hub_group=settings.hub_group, prune=prune, rotate=rotate)
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(result.summary())
    click.echo(f"passwords: {secrets_dir}/<user>.password (0600); give each region only its own file")


@security_group.command("acls")
def security_acls() -> None:
    """Print the desired ACL layout for the configured prefix (what `apply` enforces)."""
    from jjj.security.acls import desired_rules

    settings = Settings.from_env()
    for r in desired_rules(settings.topic_prefix, settings.hub_group):
        click.echo(f"User:{r.user:<10} ALLOW {r.operation:<8} {r.resource:<16} {r.pattern:<8} {r.name}")


@security_group.command("env")
@click.argument("user")
def security_env(user: str) -> None:
    """Print the JJJ_KAFKA_* lines a process needs to connect as USER (the password stays in its file)."""
    from jjj.security import secrets as sec

    settings = Settings.from_env()
    bootstrap, _, secrets_dir = _target(settings)
    click.echo(f"JJJ_KAFKA_BOOTSTRAP={bootstrap}")
    for k, v in sec.client_env(secrets_dir, user).items():
        click.echo(f"{k}={v}")


@click.command("rebuild")
@click.option("--target", "target_url", required=True, help="Database URL of the fresh database to rebuild into.")
@click.option("--from-beginning", "from_beginning", is_flag=True, help="Replay the regional topics from offset 0.")
@click.option("--from-timestamp", "from_timestamp", default=None,
              help="RFC 3339 time: replay records written at or after it (into a database restored to that point).")
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Compare the derived tables with the live database afterwards.")
def rebuild_command(target_url: str, from_beginning: bool, from_timestamp: str | None, compare: bool) -> None:
    """Rebuild the hub's state from the regional topics into TARGET (receipts are recorded, not re-sent)."""
    from datetime import datetime

    from jjj.recovery import compare_state, rebuild

    if not from_beginning and not from_timestamp:
        raise click.UsageError("give --from-beginning or --from-timestamp")
    settings = Settings.from_env()
    since = datetime.fromisoformat(from_timestamp) if from_timestamp else None
    try:
        stats = rebuild(settings, target_url, from_timestamp=since)
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(stats.summary())
    if compare:
        diff = compare_state(settings.database_url, target_url)
        click.echo(diff.summary())
        sys.exit(0 if diff.equal else 1)
