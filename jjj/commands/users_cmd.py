"""`jjj users add|list|set-role|token`: the web's users, roles and API tokens (never hard-coded)."""

from __future__ import annotations

import click

from jjj.config import Settings


def _engine():  # noqa: ANN202
    from hub.entrypoints.web import auth_store
    from jjj.db import make_engine

    engine = make_engine(Settings.from_env().database_url)
    auth_store.create_all(engine)
    return engine


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


@click.group("users")
def users_group() -> None:
    """Manage dashboard/API users: roles coordinator, region_operator, district_officer, admin."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["coordinator", "region_operator", "district_officer", "admin"]))
@click.option("--region", type=click.Choice(["bj", "tj", "he"]), help="Region of a region operator.")
@click.option("--district", help="GB/T 2260 code of a district settlement officer's district.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="JJJ_NEW_USER_PASSWORD", help="Prompted when not given (or JJJ_NEW_USER_PASSWORD).")
def add(username: str, role: str, region: str | None, district: str | None, password: str) -> None:
    """Create a user."""
    from hub.entrypoints.web.auth_store import UserError, add_user

    try:
        user = add_user(_engine(), username, password, role, region=region, district=district)
    except UserError as exc:
        _fail(exc)
    click.echo(f"added {user.username} ({user.role})")


@users_group.command("list")
def list_() -> None:
    """List users and their roles."""
    from hub.entrypoints.web.auth_store import list_users

    for u in list_users(_engine()):
        click.echo(f"{u.username}\t{u.role}\t{u.region or '-'}\t{u.district or '-'}")


@users_group.command("set-role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["coordinator", "region_operator", "district_officer", "admin"]))
@click.option("--region", type=click.Choice(["bj", "tj", "he"]))
@click.option("--district")
def set_role_(username: str, role: str, region: str | None, district: str | None) -> None:
    """Change a user's role (and its region or district)."""
    from hub.entrypoints.web.auth_store import UserError, set_role

    try:
        user = set_role(_engine(), username, role, region=region, district=district)
    except UserError as exc:
        _fail(exc)
    click.echo(f"{user.username} is now {user.role}")


@users_group.command("token")
@click.argument("username")
@click.option("--label", default="api", show_default=True)
def token(username: str, label: str) -> None:
    """Issue an API bearer token for USERNAME (printed once; only its hash is stored)."""
    from hub.entrypoints.web.auth_store import UserError, issue_token

    try:
        click.echo(issue_token(_engine(), username, label))
    except UserError as exc:
        _fail(exc)
