"""End-to-end latency at a steady rate: Beijing's adapter accepts disaster reports (outbox commit = "accepted"),
its publisher drains continuously, a `jjj hub run` worker consumes, and a prober asks the hub API for each probe
report until it answers 200. Latency = visible - accepted. Every tenth message is a probe; the rest is load."""

from __future__ import annotations

import os
import threading
import time
import uuid

from jjj.bench.api import client_with_token, percentile


def measure(env, db: str, vol, report, echo) -> None:  # noqa: ANN001
    import subprocess
    import sys

    from adapters.core.runtime import AdapterRuntime
    from adapters.core.spec import Canonical
    from jjj.config import PROJECT_ROOT
    from schemas.tools.samples import sample_payload

    prefix = env.create_topics(f"{env.prefix}e{db[:2]}")
    os.environ["JJJ_BJ_DATABASE_URL"] = env.database(db, "e2e_bj")
    settings = env.settings(env.database(db, "e2e_hub"), prefix=prefix)
    runtime = AdapterRuntime("bj", settings)
    # the hub worker first: its tables must exist before the API is asked
    jjj = os.path.join(os.path.dirname(sys.executable), "jjj")
    hub = subprocess.Popen([jjj, "hub", "run", "--worker-id", "bench-e2e"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env={**os.environ, **env.env_vars(settings),
                                                           "PYTHONPATH": str(PROJECT_ROOT)})
    stop = threading.Event()
    publisher = runtime.publisher()
    pub = threading.Thread(target=publisher.drain, kwargs={"until_empty": False, "idle_sleep_s": 0.01,
                                                           "stop": stop.is_set}, daemon=True)
    probes: dict[str, float] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    try:
        time.sleep(3)  # hub worker start-up (imports, tables, group join) is not latency
        os.environ.setdefault("JJJ_WEB_KAFKA_PROBE", "0")
        client, headers = client_with_token(settings)
        pub.start()

        def prober() -> None:
            while not stop.is_set() or probes:
                with lock:
                    waiting = list(probes.items())
                for event_id, accepted in waiting:
                    if client.get(f"/api/v1/disasters/bj/{event_id}", headers=headers).status_code == 200:
                        with lock:
                            latencies.append(time.monotonic() - accepted)
                            del probes[event_id]
                if stop.is_set() and time.monotonic() > deadline_end:
                    return
                time.sleep(0.01)

        deadline_end = time.monotonic() + vol.e2e_seconds + 15
        probe_thread = threading.Thread(target=prober, daemon=True)
        probe_thread.start()
        base = sample_payload("disaster.report")
        tick, per_tick = 0.1, max(1, vol.e2e_rate // 10)
        run_id = uuid.uuid4().hex[:4].upper()
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < vol.e2e_seconds:
            items = []
            for _ in range(per_tick):
                payload = dict(base, event_id=f"BJ-2026-{run_id}-{n:06d}")
                items.append(Canonical("disaster.report", payload))
                n += 1
            runtime.accept(items)
            accepted = time.monotonic()
            with lock:
                probes[items[0].payload["event_id"]] = accepted
            next_tick = start + tick * (n // per_tick)
            time.sleep(max(0.0, next_tick - time.monotonic()))
        stop.set()
        probe_thread.join(timeout=30)
    finally:
        stop.set()
        hub.terminate()
        hub.wait(timeout=30)
        pub.join(timeout=10)
        publisher.producer.close(timeout=10)
    if probes:
        report.note(db, f"e2e: {len(probes)} of {len(probes) + len(latencies)} probes never became visible")
    report.put("e2e_p50_s", db, round(percentile(latencies, 0.5), 3) if latencies else None)
    report.put("e2e_p99_s", db, round(percentile(latencies, 0.99), 3) if latencies else None)
    report.detail.setdefault(db, {}).update({"e2e_sent": n, "e2e_rate": round(n / vol.e2e_seconds),
                                             "e2e_probes": len(latencies)})
    echo(f"[{db}] e2e at {n / vol.e2e_seconds:.0f} msg/s: p50 {percentile(latencies, 0.5):.3f}s "
         f"p99 {percentile(latencies, 0.99):.3f}s over {len(latencies)} probes")
