"""A /metrics endpoint for processes that serve no HTTP of their own (hub workers, the scheduler)."""

from __future__ import annotations

import logging

import click
from prometheus_client import start_http_server

log = logging.getLogger(__name__)

metrics_port_option = click.option(
    "--metrics-port", type=int, default=0, show_default=True, envvar="JJJ_METRICS_PORT",
    help="Serve Prometheus /metrics on this port (127.0.0.1 unless JJJ_METRICS_HOST); 0 = off.")


def serve_metrics(port: int, host: str | None = None) -> None:
    """Start the exporter thread when a port is given."""
    import os

    if not port:
        return
    host = host or os.environ.get("JJJ_METRICS_HOST", "127.0.0.1")
    try:
        start_http_server(port, addr=host)
    except OSError as exc:  # a busy port must not stop a worker: it only loses its exporter
        log.error("metrics exporter not started on %s:%d: %s", host, port, exc)
        return
    log.info("metrics on http://%s:%d/metrics", host, port)
