"""`jjj adapter <region> run|convert|import|status`."""

from __future__ import annotations

import json
import threading

import click

from jjj.config import REGIONS, Settings


@click.group("adapter")
def adapter_group() -> None:
    """A region's adapter: native formats in, canonical messages out, receipts back."""


def _runtime(region: str):  # noqa: ANN202
    from adapters.core.runtime import AdapterRuntime

    return AdapterRuntime(region, Settings.from_env())


@adapter_group.command("push")
@click.argument("region", type=click.Choice(REGIONS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def adapter_push(region: str, file: str) -> None:
    """Take one Beijing-style JSON disaster report into the outbox and publish it (walking skeleton)."""
    from adapters.beijing.mapping import map_disaster_report

    rt = _runtime(region)
    with open(file, encoding="utf-8") as fh:
        ids = rt.accept([map_disaster_report(json.load(fh))])
    click.echo(f"accepted {ids[0]}")
    sent = rt.publisher().drain(until_empty=True)
    click.echo(f"published {sent}")


@adapter_group.command("status")
@click.argument("region", type=click.Choice(REGIONS))
def adapter_status(region: str) -> None:
    """Outbox depth and age of the oldest unsent message."""
    rt = _runtime(region)
    pub = rt.publisher()
    click.echo(f"outbox depth {pub.depth()}, oldest unsent {pub.oldest_pending_age_s():.0f}s")


@adapter_group.command("run")
@click.argument("region", type=click.Choice(REGIONS))
def adapter_run(region: str) -> None:
    """Publisher + inbox until Ctrl-C."""
    from jjj.commands.hub_cmd import stop_on_signals

    rt = _runtime(region)
    stop = stop_on_signals()
    pub = rt.publisher()
    t = threading.Thread(target=pub.drain, kwargs={"until_empty": False, "stop": stop.is_set}, daemon=True)
    t.start()
    rt.run_inbox(stop.is_set)
    t.join(timeout=10)
