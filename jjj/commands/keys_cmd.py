"""`jjj keys init|list`: Ed25519 signing keys of the regions and the hub (development and demo)."""

from __future__ import annotations

import json

import click

from jjj.config import Settings
from jjj.signing import OWNERS, init_keys


@click.group("keys")
def keys_group() -> None:
    """Signing keys: `registry.json` holds every party's public keys, `private/` this machine's private keys."""


@keys_group.command("init")
@click.option("--owner", "owners", multiple=True, type=click.Choice(OWNERS), help="Only these parties (default all).")
def keys_init(owners: tuple[str, ...]) -> None:
    """Create a key pair for every party that has none; existing keys are kept."""
    settings = Settings.from_env()
    created = init_keys(settings.keys, owners or OWNERS)
    click.echo(f"created {', '.join(created)}" if created else "keys already present: nothing created")
    click.echo(f"registry: {settings.keys / 'registry.json'}")


@keys_group.command("rotate")
@click.argument("owner", type=click.Choice(OWNERS))
@click.option("--suffix", required=True, help="New key id suffix, e.g. 2027a (key id = <owner>-<suffix>).")
def keys_rotate(owner: str, suffix: str) -> None:
    """Add a new current key for OWNER; the old key stays valid for messages in flight."""
    created = init_keys(Settings.from_env().keys, (owner,), key_suffix=suffix)
    click.echo(f"new current key {created[0]}")


@keys_group.command("list")
def keys_list() -> None:
    """Show key ids, owners and validity (public information only)."""
    reg = json.loads((Settings.from_env().keys / "registry.json").read_text())
    for key_id, entry in reg["keys"].items():
        current = " (current)" if reg["current"].get(entry["owner"]) == key_id else ""
        click.echo(f"{key_id:20} {entry['owner']:4} from {entry['valid_from']} to {entry['valid_to'] or '-'}{current}")
