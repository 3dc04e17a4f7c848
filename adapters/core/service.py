"""`jjj adapter <region> run`: intake HTTP + publisher + inbox + deliveries + heartbeat (+ folder watch, poller).

Each part is a thread over the same database; the outbox is the only hand-over between intake and publisher, so
a broker outage only makes the outbox grow while intake keeps accepting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from adapters.core.delivery import WebhookDeliverer
from adapters.core.intake import create_intake_app
from adapters.core.metrics import AdapterMetrics
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import RegionSpec
from jjj.config import Settings

log = logging.getLogger(__name__)


def heartbeat_loop(runtime: AdapterRuntime, stop: Callable[[], bool], interval_s: float) -> None:
    while not stop():
        try:
            runtime.beat()
        except Exception:  # noqa: BLE001 - a heartbeat must never take the adapter down
            log.exception("heartbeat failed")
        deadline = time.monotonic() + interval_s
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.2)


def publish_loop(runtime: AdapterRuntime, stop: Callable[[], bool]) -> None:
    """Drain the outbox forever; a broker that is down at start is waited for (the outbox grows meanwhile)."""
    from jjj.errors import JJJError

    backoff = 1.0
    while not stop():
        try:
            pub = runtime.publisher()
        except (JJJError, OSError, Exception) as exc:  # noqa: B014, BLE001 - kafka-python raises NoBrokersAvailable
            log.warning("broker not reachable (%s); outbox keeps growing, retrying in %.0fs", exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        try:
            # an idle loop waits on the runtime's wake event, which every outbox commit of this process sets
            # (intake, import, poller): a message accepted while idle goes out at once; the 50 ms look (one indexed
            # query) remains for rows written by another process (`jjj adapter <r> import`)
            pub.drain(until_empty=False, idle_sleep_s=0.05, stop=stop)
        finally:
            pub.producer.close(timeout=5)


def run_adapter(spec: RegionSpec, settings: Settings, stop: threading.Event, *, host: str = "127.0.0.1",
                port: int | None = None, heartbeat_s: float = 15.0) -> None:
    from werkzeug.serving import make_server

    runtime = AdapterRuntime(spec.code, settings, system_id=spec.system_id)
    ctx = runtime.context(spec.config)
    metrics = AdapterMetrics(runtime)
    threads: list[threading.Thread] = []

    def start(name: str, target: Callable, *args: object) -> None:
        t = threading.Thread(target=target, args=args, name=f"{spec.code}-{name}", daemon=True)
        t.start()
        threads.append(t)

    start("publisher", publish_loop, runtime, stop.is_set)
    start("inbox", runtime.run_inbox, stop.is_set)
    start("heartbeat", heartbeat_loop, runtime, stop.is_set, heartbeat_s)
    if url := spec.setting("webhook_url"):
        start("webhook", WebhookDeliverer(runtime.engine, url, token=spec.setting("webhook_token")).run, stop.is_set)
    if folder := spec.setting("drop_dir"):
        from adapters.core.watch import watch

        start("watch", watch, runtime, spec, ctx, Path(folder), stop.is_set,
              float(spec.setting("drop_scan_s", "2.0")), metrics)
    if poll_url := spec.setting("poll_url"):
        from adapters.core.poller import Poller

        start("poller", Poller(runtime, spec, ctx, poll_url, token=spec.setting("poll_token")).run, stop.is_set)
    listen = int(port if port is not None else spec.setting("intake_port", str(spec.intake_port)))
    server = make_server(host, listen, create_intake_app(runtime, spec, ctx, metrics), threaded=True)
    start("intake", server.serve_forever)
    log.info("adapter %s running: intake http://%s:%d, outbox %s", spec.code, host, server.port,
             settings.adapter_database_url(spec.code).split("@")[-1])
    stop.wait()
    server.shutdown()
    for t in threads:
        t.join(timeout=15)
