"""`jjj hub run|migrate|statements run`: consumer workers, schema upgrades and statement runs."""

from __future__ import annotations

import json
import signal
import threading

import click

from jjj.config import Settings
from jjj.metrics_http import metrics_port_option, serve_metrics


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


@click.group("hub")
def hub_group() -> None:
    """The hub's consumer workers and maintenance."""


@hub_group.command("run")
@click.option("--worker-id", default="hub-1", show_default=True, help="Kafka client id of this worker.")
@click.option("--relay", type=click.Choice(["process", "thread"]), envvar="JJJ_HUB_RELAY", default="process",
              show_default=True, help="Send receipts and routed messages from a child process (`jjj hub relay`, "
              "on another core) or from a thread of this worker. Env: JJJ_HUB_RELAY.")
@click.option("--apply", "apply_", type=click.Choice(["process", "inline"]), envvar="JJJ_HUB_APPLY",
              default="process", show_default=True, help="Store each batch in a child process (`jjj hub apply`) "
              "while this one consumes and checks the next, or in this process. Env: JJJ_HUB_APPLY.")
@metrics_port_option
def hub_run(worker_id: str, relay: str, apply_: str, metrics_port: int) -> None:
    """Consume every regional topic, reconcile, answer with receipts (Ctrl-C stops after the current batch)."""
    from hub.bootstrap import HubServices
    from hub.entrypoints.consumer import MallocTrim, run

    serve_metrics(metrics_port)
    stop = stop_on_signals()
    MallocTrim.on_request()
    run(HubServices(Settings.from_env(), worker_id=worker_id), stop.is_set, relay=relay, apply=apply_)


@hub_group.command("apply", hidden=True)
@click.option("--worker-id", default="hub-apply", show_default=True)
@click.option("--in-fd", type=int, required=True, help="Pipe of batches from the worker that started this process.")
@click.option("--out-fd", type=int, required=True, help="Pipe of answers back to it.")
def hub_apply(worker_id: str, in_fd: int, out_fd: int) -> None:
    """Store the batches a `jjj hub run` worker checked (started by it; ends when it closes the pipe)."""
    from hub.bootstrap import HubServices
    from hub.entrypoints.consumer import MallocTrim
    from hub.entrypoints.pipeline import apply_main

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # its life is the worker's (the pipe), not the terminal's signals
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    MallocTrim.on_request()
    apply_main(HubServices(Settings.from_env(), worker_id=worker_id), in_fd, out_fd)


@hub_group.command("relay")
@click.option("--worker-id", default="hub-relay", show_default=True, help="Kafka client id of this relay.")
@click.option("--wake-fd", type=int, default=None, hidden=True,
              help="Pipe from the worker that started this relay: wake-ups; end of file stops it.")
@click.option("--drain-s", type=float, default=10.0, show_default=True,
              help="On stop, keep sending what is pending for up to this many seconds.")
def hub_relay(worker_id: str, wake_fd: int | None, drain_s: float) -> None:
    """Send the hub outbox (receipts, routed messages, dead letters) to Kafka until stopped.

    Every `jjj hub run` worker starts one itself (unless `--relay thread`); run it alone to drain an outbox left by
    stopped workers. Relays running at once may send a row twice; receivers drop a repeat by message id."""
    from hub.bootstrap import HubServices
    from hub.entrypoints.consumer import MallocTrim, relay_main

    MallocTrim.on_request()
    if wake_fd is not None:  # started by a worker: its life is the worker's (the pipe), not the terminal's signals
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop = threading.Event()
    else:
        stop = stop_on_signals()
    relay_main(HubServices(Settings.from_env(), worker_id=worker_id), stop.is_set, wake_fd=wake_fd,
               drain_s=drain_s)


@hub_group.command("migrate")
def hub_migrate() -> None:
    """Upgrade the hub database to the newest schema (alembic upgrade head)."""
    from hub.migrations import upgrade

    url = Settings.from_env().database_url
    upgrade(url)
    click.echo("hub database at head")


@hub_group.group("statements")
def statements_group() -> None:
    """Eldercare settlement statements."""


@statements_group.command("run")
@click.option("--period", required=True, help="The month to settle, YYYY-MM.")
def statements_run(period: str) -> None:
    """Issue the period's statements (idempotent: a second run issues nothing) and publish the notices."""
    from datetime import UTC, datetime

    from hub.bootstrap import HubServices
    from hub.domain.calendar import Period
    from hub.services import jobs, queries

    services = HubServices(Settings.from_env(), worker_id="statements")
    ids = jobs.run_statements(services.engine, Period.parse(period), datetime.now(UTC),
                              prefix=services.settings.topic_prefix)
    sent = services.publisher().drain(until_empty=True)
    click.echo(json.dumps({"period": period, "issued": len(ids), "notices_sent": sent,
                           "netting": queries.netting(services.engine, period)}, ensure_ascii=False, indent=2))


def _attach_rebuild() -> None:
    """`jjj hub rebuild` lives with the other recovery tools (jjj.recovery) and is attached here."""
    from jjj.commands.security_cmd import rebuild_command

    hub_group.add_command(rebuild_command, "rebuild")


_attach_rebuild()
