"""`jjj schemas generate|check|validate`: the published contract artifacts (JSON Schema, examples, AsyncAPI)."""

from __future__ import annotations

import sys

import click


@click.group("schemas")
def schemas_group() -> None:
    """The message contract: regenerate or check schemas/jsonschema, schemas/examples and schemas/asyncapi.yaml."""


@schemas_group.command("generate")
def schemas_generate() -> None:
    """Regenerate every artifact from schemas.registry (and delete stale ones)."""
    from schemas.tools.generate import write

    changed = write()
    for rel in changed:
        click.echo(f"wrote schemas/{rel}")
    click.echo(f"{len(changed)} file(s) changed")


@schemas_group.command("check")
def schemas_check() -> None:
    """Exit 1 if the committed artifacts differ from what `generate` would write."""
    from schemas.tools.generate import drift

    stale = drift()
    for rel in stale:
        click.echo(f"drift: schemas/{rel}", err=True)
    if stale:
        click.echo("run `jjj schemas generate` and commit the result", err=True)
        sys.exit(1)
    click.echo("schemas artifacts are up to date")


@schemas_group.command("validate")
@click.argument("files", nargs=-1, type=click.File("rb"), required=True)
def schemas_validate(files) -> None:
    """Validate message files (JSON); print the receipt code and reason of each; exit 1 if any is invalid."""
    from schemas import ContractError, decode

    bad = 0
    for fh in files:
        try:
            msg = decode(fh.read(), fast=False)
            click.echo(f"{fh.name}: 100 accepted ({msg['kind']})")
        except ContractError as exc:
            bad += 1
            click.echo(f"{fh.name}: {int(exc.code)} {exc.reason} | {exc.reason_zh}")
    if bad:
        sys.exit(1)
