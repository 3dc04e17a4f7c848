"""`jjj hub run`: a consumer worker (run several in one group to share the partitions)."""

from __future__ import annotations

import signal
import threading

import click

from jjj.config import Settings


def stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


@click.group("hub")
def hub_group() -> None:
    """The hub's consumer workers."""


@hub_group.command("run")
@click.option("--worker-id", default="hub-1", show_default=True, help="Kafka client id of this worker.")
def hub_run(worker_id: str) -> None:
    """Consume every regional topic, reconcile, answer with receipts (Ctrl-C stops after the current batch)."""
    from hub.bootstrap import HubServices
    from hub.entrypoints.consumer import run

    stop = stop_on_signals()
    run(HubServices(Settings.from_env(), worker_id=worker_id), stop.is_set)
