"""`jjj scheduler run`: the single scheduler process (a database lease keeps it single)."""

from __future__ import annotations

import click

from jjj.config import Settings
from jjj.metrics_http import metrics_port_option, serve_metrics


@click.group("scheduler")
def scheduler_group() -> None:
    """Deadlines, statement runs, zero-report checks, region staleness."""


@scheduler_group.command("run")
@click.option("--holder", default=None, help="Lease holder name (default: host name + random suffix).")
@metrics_port_option
def scheduler_run(holder: str | None, metrics_port: int) -> None:
    """Run the scheduled jobs while holding the lease (Ctrl-C stops)."""
    from hub.bootstrap import HubServices
    from hub.entrypoints.scheduler import run

    serve_metrics(metrics_port)
    run(HubServices(Settings.from_env(), worker_id="scheduler"), holder=holder)
