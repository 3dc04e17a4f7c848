"""End-to-end latency at a steady rate, with every part in its own process as in production: Beijing's adapter
(`jjj adapter beijing run`: HTTP intake, outbox, publisher), a hub worker (`jjj hub run`), and this process as the
provincial system (it POSTs disaster reports to the adapter's intake) and as the prober (it asks the hub API).

Latency = the hub API shows the probe's revision of its event − the adapter answered 202 "accepted" for it (the
outbox commit). Each request carries ``rate / 10`` reports, ten a second, revisions of 3,000 events in turn (a flood's
续报 rhythm: ten revisions each in a minute, not 30,000 new events); every request's first report is a probe.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from jjj.bench.api import client_with_token, percentile
from jjj.bench.consume import family

SAMPLE = "adapters/beijing/samples/disaster_report.json"  # Beijing's native push format (Chinese field names)


EVENTS = 3000  # a flood's reporting units: 3,000 events, each sending 续报 after 续报 (revision n // EVENTS + 1)


def _report(base: dict, run_id: str, n: int) -> tuple[str, int, dict]:
    """Report ``n`` of the run: event ``n % EVENTS`` at revision ``n // EVENTS + 1`` (初报 first, then 续报, each a
    minute later than the one before; the figures stay, so no check flags them)."""
    event_id, revision = f"BJ-2026-{run_id}-{n % EVENTS:04d}", n // EVENTS + 1
    minute = datetime(2026, 7, 30, 10, 0) + timedelta(minutes=revision)
    return event_id, revision, dict(base, 灾情编号=event_id, 报告阶段="初报" if revision == 1 else "续报",
                                    报告次数=revision, 统计截止时间=minute.strftime("%Y-%m-%d %H:%M:%S"))


def _wait_http(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout_s}s")


def measure(env, db: str, vol, report, echo) -> None:  # noqa: ANN001
    import json

    import requests

    from jjj.config import PROJECT_ROOT
    from jjj.db import make_engine

    prefix = env.create_topics(f"{env.prefix}e{db[:2]}")
    settings = env.settings(env.database(db, "e2e_hub"), prefix=prefix)
    key_file = env.root / "person.key"
    key_file.write_text(secrets.token_hex(32), encoding="ascii")
    from jjj.demo.setup import _free_port

    port = _free_port()
    common = {**os.environ, **env.env_vars(settings), "PYTHONPATH": str(PROJECT_ROOT)}
    jjj = os.path.join(os.path.dirname(sys.executable), "jjj")
    procs: list[subprocess.Popen] = []
    stop = threading.Event()
    probes: dict[str, float] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    n = 0
    try:
        bj_url = env.database(db, "e2e_bj")
        # the hub first: its tables must exist before the API is asked; start-up is not latency
        procs.append(subprocess.Popen([jjj, "hub", "run", "--worker-id", "bench-e2e"], env=common,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen(
            [jjj, "adapter", "beijing", "run", "--port", str(port), "--heartbeat", "5"],
            env={**common, "JJJ_BJ_DATABASE_URL": bj_url, "JJJ_PERSON_KEY_FILE": str(key_file),
                 "JJJ_PERSON_KEY_ID": "k1", "JJJ_BJ_INTAKE_TOKEN": ""},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        intake = f"http://127.0.0.1:{port}"
        _wait_http(f"{intake}/livez", procs[1])
        engine = make_engine(settings.database_url)
        _wait_for_tables(engine, procs[0])
        engine.dispose()  # the prober opens its own below
        os.environ.setdefault("JJJ_WEB_KAFKA_PROBE", "0")
        client, headers = client_with_token(settings)

        from sqlalchemy import select

        from hub.infrastructure import tables as t

        events = t.disaster_events
        reader = make_engine(settings.database_url)

        def prober() -> None:
            """One cheap query every 10 ms finds which waiting probes have landed; each is then confirmed through
            the API, and its latency taken when the API answered 200 (polling every probe through the API cost
            the bench process a whole core, taken from the hub and the adapter it measures)."""
            # one connection for the whole run, a short read transaction per look: on SQLite, opening one (pragmas)
            # and closing it (the last connection of a WAL database checkpoints it) 100 times a second competed
            # with the hub it measures
            conn = reader.connect()
            try:
                _probe_loop(conn)
            finally:
                conn.close()

        # one statement text whatever the number of waiting probes (PostgreSQL: an array parameter, so the server
        # parses and plans it once and psycopg prepares it; an IN list was a new statement at every size)
        if reader.dialect.name == "postgresql":
            from sqlalchemy import String, any_, bindparam
            from sqlalchemy.dialects.postgresql import ARRAY

            landed = events.c.event_id == any_(bindparam("ids", type_=ARRAY(String)))
        else:
            from sqlalchemy import bindparam

            landed = events.c.event_id.in_(bindparam("ids", expanding=True))
        look = select(events.c.event_id, events.c.revision).where(events.c.region == "bj", landed)

        def _probe_loop(conn) -> None:  # noqa: ANN001
            while time.monotonic() < deadline_end and (not stop.is_set() or probes):
                with lock:
                    waiting = dict(probes)
                if waiting:
                    ids = {event_id for event_id, _ in waiting}
                    with conn.begin():
                        stored = dict(conn.execute(look, {"ids": sorted(ids)}).all())
                    for (event_id, revision), accepted in waiting.items():
                        if (stored.get(event_id) or 0) < revision:
                            continue
                        answer = client.get(f"/api/v1/disasters/bj/{event_id}", headers=headers)
                        if answer.status_code == 200 and answer.get_json()["revision"] >= revision:
                            seen = time.monotonic()
                            with lock:
                                latencies.append(seen - accepted)
                                del probes[(event_id, revision)]
                time.sleep(0.01)

        deadline_end = time.monotonic() + float(os.environ.get("JJJ_BENCH_E2E_SECONDS") or vol.e2e_seconds) + 20
        probe_thread = threading.Thread(target=prober, daemon=True)
        probe_thread.start()
        base = json.loads((PROJECT_ROOT / SAMPLE).read_text(encoding="utf-8"))
        tick, per_tick = 0.1, max(1, vol.e2e_rate // 10)
        run_id = uuid.uuid4().hex[:4].upper()
        start = time.monotonic()
        ticks = 0
        seconds = float(os.environ.get("JJJ_BENCH_E2E_SECONDS") or vol.e2e_seconds)  # iterate at a shorter run
        sessions = threading.local()
        late = [0]

        def post(reports: list) -> None:
            """One request of the tick: its probe's clock starts when the adapter answered 202."""
            if not hasattr(sessions, "s"):
                sessions.s = requests.Session()
            answer = sessions.s.post(f"{intake}/intake/disaster_report", json=[r[2] for r in reports], timeout=30)
            accepted = time.monotonic()
            if answer.status_code != 202:
                raise RuntimeError(f"adapter intake answered {answer.status_code}: {answer.text[:500]}")
            with lock:
                probes[reports[0][:2]] = accepted  # (event id, revision): visible when the API shows it

        # the ticks are sent from a small pool: a slow answer (the box is busy) no longer delays the next tick, so
        # the offered rate stays the steady rate asked for (a single sender fell to 230-400 msg/s under load)
        from concurrent.futures import ThreadPoolExecutor

        futures = []
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="e2e-post") as pool:
            while time.monotonic() - start < seconds:
                reports = [_report(base, run_id, n + i) for i in range(per_tick)]
                futures.append(pool.submit(post, reports))
                n += per_tick
                ticks += 1
                pause = start + tick * ticks - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                else:
                    late[0] += 1
                for f in [f for f in futures if f.done()]:
                    f.result()  # an intake error stops the run
                    futures.remove(f)
            for f in futures:
                f.result()
        sent_s = time.monotonic() - start
        stop.set()
        probe_thread.join(timeout=40)
        # each process with its children (the hub worker's apply and relay processes, the adapter's publisher)
        cpu = {name: _family_cpu_s(p.pid) for name, p in zip(("hub", "adapter"), procs, strict=True)}
        server = _server_cpu(reader, {"hub": settings.database_url, "adapter": bj_url}) if db == "postgresql" else {}
        split = _split(reader)
        reader.dispose()
        split.update(_outbox_split(bj_url))
    finally:
        stop.set()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if probes:
        report.note(db, f"e2e: {len(probes)} of {len(probes) + len(latencies)} probes never became visible")
    report.put("e2e_p50_s", db, round(percentile(latencies, 0.5), 3) if latencies else None)
    report.put("e2e_p99_s", db, round(percentile(latencies, 0.99), 3) if latencies else None)
    rate = n / sent_s if sent_s else 0.0
    # CPU each process spent per message sent (start-up included): unlike the latencies, hardly moved by the load
    # other work puts on the box, so a change in the hub or the adapter shows here first
    cpu_us = {k: round(v * 1e6 / n) for k, v in cpu.items() if v is not None and n}
    # PostgreSQL: the database work of each process runs in its server backends, not in the process (on SQLite it is
    # in the process's own CPU): their CPU per message, and the hub's transactions per message
    cpu_us.update({f"{k}_postgres": round(v * 1e6 / n) for k, v in server.items() if k != "hub_xacts" and n})
    if "hub_xacts" in server and n:
        cpu_us["hub_postgres_xacts_per_msg"] = round(server["hub_xacts"] / n, 3)
    report.detail.setdefault(db, {}).update({"e2e_sent": n, "e2e_rate": round(rate), "e2e_probes": len(latencies),
                                             "e2e_late_ticks": late[0], "e2e_cpu_us_per_msg": cpu_us,
                                             "e2e_split": split})
    echo(f"[{db}] e2e at {rate:.0f} msg/s: p50 {percentile(latencies, 0.5):.3f}s "
         f"p99 {percentile(latencies, 0.99):.3f}s over {len(latencies)} probes")


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a running process (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _family_cpu_s(pid: int) -> float | None:
    """``_cpu_s`` of the process plus its live children."""
    own = _cpu_s(pid)
    if own is None:
        return None
    return own + sum(c for c in (_cpu_s(child) for child in family(pid)[1:]) if c is not None)


def _server_cpu(engine, urls: dict[str, str]) -> dict:  # noqa: ANN001
    """CPU seconds of the PostgreSQL backends that the hub and the adapter processes hold on their databases (name →
    URL; ``application_name`` "jjj hub run" / "jjj adapter …", jjj/db.py) while they still run (pooled connections:
    one backend each; local server, Linux /proc); the bench's own prober and API backends are left out. And the hub
    database's committed transactions (``pg_stat_database``, the prober's reads included). Empty if not readable."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    out: dict[str, float] = {}
    try:
        with engine.connect() as conn:
            for name, url in urls.items():
                database = make_url(url).database
                pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND "
                                         "application_name LIKE :app"),
                                    {"d": database, "app": f"jjj {name}%"}).scalars().all()
                out[name] = sum(c for c in (_cpu_s(p) for p in pids) if c is not None)
            hub_db = make_url(urls["hub"]).database
            out["hub_xacts"] = float(conn.execute(text("SELECT xact_commit FROM pg_stat_database WHERE datname = :d"),
                                                  {"d": hub_db}).scalar_one())
    except Exception:  # noqa: BLE001 - a diagnostic: never fails the run
        return {}
    return out


def _wait_for_tables(engine, hub: subprocess.Popen, timeout_s: float = 60) -> None:  # noqa: ANN001
    from sqlalchemy import inspect

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise RuntimeError(f"the hub worker exited with {hub.returncode}")
        if inspect(engine).has_table("disaster_events"):
            time.sleep(2)  # group join and first assignment
            return
        time.sleep(0.2)
    raise TimeoutError("the hub worker did not create its tables")


def _outbox_split(url: str) -> dict:
    """The adapter's share: outbox commit (``created_at``) → the broker acknowledged it (``sent_at``), p50/p99 and
    the worst per 5 s of the run."""
    from sqlalchemy import select

    from adapters.core import store
    from jjj.db import make_engine

    engine = make_engine(url)
    o = store.outbox
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(o.c.created_at, o.c.sent_at).where(o.c.sent_at.is_not(None),
                                                                          o.c.kind.like("disaster.%"))).all()
    finally:
        engine.dispose()
    if not rows:
        return {}
    lags = [(s - c).total_seconds() for c, s in rows]
    t0 = min(c for c, _ in rows)
    buckets: dict[int, float] = {}
    for (c, _), lag in zip(rows, lags, strict=True):
        b = int((c - t0).total_seconds() // 5) * 5
        buckets[b] = max(buckets.get(b, 0.0), round(lag, 2))
    return {"outbox_p50_s": round(percentile(lags, 0.5), 3), "outbox_p99_s": round(percentile(lags, 0.99), 3),
            "outbox_max_per_5s": buckets}


def _split(engine) -> dict:  # noqa: ANN001
    """Where the latency goes: per report, adapter envelope time (≈ accepted) → the hub's batch clock
    (``received_at``: the hub has read it from Kafka), p50/p99 in seconds over every report of the run."""
    from sqlalchemy import select

    from hub.infrastructure import tables as t

    r = t.disaster_reports
    with engine.connect() as conn:
        rows = conn.execute(select(r.c.sent_at, r.c.received_at)).all()
    lags = []
    for sent, received in rows:
        sent_at = datetime.fromisoformat(sent)
        received = received if received.tzinfo else received.replace(tzinfo=sent_at.tzinfo and UTC)
        lags.append((received - sent_at).total_seconds())
    buckets: dict[int, float] = {}
    t0 = min((datetime.fromisoformat(s) for s, _ in rows), default=None)
    for (sent, _), lag in zip(rows, lags, strict=True):
        b = int((datetime.fromisoformat(sent) - t0).total_seconds() // 5) * 5
        buckets[b] = max(buckets.get(b, 0.0), round(lag, 2))
    return {"to_hub_p50_s": round(percentile(lags, 0.5), 3), "to_hub_p99_s": round(percentile(lags, 0.99), 3),
            "reports": len(lags), "to_hub_max_per_5s": buckets}
