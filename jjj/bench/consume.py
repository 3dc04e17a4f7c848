"""The consumer side: two bare kafka-python consumers (the baselines) and the real hub worker (`jjj hub run`).

Fair timing, the same rule for all three: the clock starts when the first poll batch has been handled (group join,
imports and table creation are not throughput) and stops when the last message is handled; the rate is the
messages after the first batch divided by that time. The hub's "handled" is "offset committed (after its transaction)
and every receipt in its outbox acknowledged by the broker".
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from jjj.bus.clients import make_consumer
from jjj.bus.topics import hub_input_topics, parse_region_topic
from jjj.config import PROJECT_ROOT
from jjj.signing import KeyRegistry, Signer, _verify_cached, verify_record

log = logging.getLogger(__name__)


@dataclass
class Pass:
    """One measured pass: `count` messages after the first batch in `seconds`."""

    name: str
    count: int
    seconds: float
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


def bare_consume(bootstrap: str, prefix: str, n: int, *, verify_keys: KeyRegistry | None = None,
                 timeout_s: float = 600) -> Pass:
    """Read `n` records; with `verify_keys` also `json.loads` each value and verify its signature.

    Verification is `jjj.signing.verify_record`, the hub's own function: it rebuilds the hash-tree root from the
    record's proof (SHA-256 per tree level) and verifies the root's Ed25519 signature, memoised per distinct root,
    so a producer batch of 1,000 records costs one Ed25519 verification here exactly as in the hub. The memo is
    cleared before each pass.
    """
    _verify_cached.cache_clear()
    consumer = make_consumer(bootstrap, hub_input_topics(prefix), group_id=f"bare-{uuid.uuid4().hex[:8]}",
                             client_id="bench-bare", max_poll_records=500)
    loads, seen, t0, first = json.loads, 0, None, 0
    deadline = time.monotonic() + timeout_s
    try:
        while seen < n and time.monotonic() < deadline:
            polled = consumer.poll(timeout_ms=500)
            for tp, batch in polled.items():
                if verify_keys is not None:
                    region = parse_region_topic(prefix, tp.topic)[0]
                    for r in batch:
                        loads(r.value)
                        verify_record(verify_keys, r.value, dict(r.headers), expected_owner=region)
                seen += len(batch)
            if polled and t0 is None:
                t0, first, cpu0 = time.perf_counter(), seen, time.process_time()
        elapsed = time.perf_counter() - (t0 or time.perf_counter())
        cpu = time.process_time() - (cpu0 if t0 is not None else time.process_time())
    finally:
        consumer.close()
    if seen < n:
        raise TimeoutError(f"bare consumer read {seen} of {n} records")
    done = Pass("verify" if verify_keys else "raw", n - first, elapsed, {"cpu_s": round(cpu, 3)})
    log.info("bare %s: %d msgs in %.1fs, CPU %.1fs = %.1f µs/msg", done.name, done.count, elapsed, cpu,
             cpu * 1e6 / max(1, done.count))
    return done


def floor_consume(bootstrap: str, prefix: str, n: int, *, verify_keys: KeyRegistry, signer: Signer,
                  database_url: str, receipt_prefix: str, max_poll_records: int = 2000,
                  timeout_s: float = 600) -> Pass:
    """The contract's minimum, in one process: what any hub must do per message before it reconciles anything.

    Per poll batch: read, ``json.loads`` and verify each record (the baseline's work), record each message id in one
    database transaction (the exactly-once guarantee: ``processed`` rows beside the effects), send one signed
    receipt per message (one hash tree + one signature per batch, as the hub's relay signs) and wait for the acks
    (``acks=all``, idempotent, the platform's producer settings), then commit the offsets. No contract validation,
    no rules, no state. The receipts go to ``receipt_prefix``'s inbox topics, not the hub pass's.
    """
    import orjson
    from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table

    from jjj.bus.clients import make_producer
    from jjj.bus.topics import inbox_topic
    from jjj.db import make_engine
    from jjj.outbox import sign_batch

    engine = make_engine(database_url)
    meta = MetaData()
    table = Table("floor_processed", meta, Column("message_id", String(64), primary_key=True),
                  Column("topic", String(200), nullable=False), Column("partition", Integer, nullable=False),
                  Column("offset", BigInteger, nullable=False), Column("code", Integer, nullable=False))
    meta.create_all(engine)
    insert = table.insert()
    _verify_cached.cache_clear()
    producer = make_producer(bootstrap, client_id="bench-floor")
    consumer = make_consumer(bootstrap, hub_input_topics(prefix), group_id=f"floor-{uuid.uuid4().hex[:8]}",
                             client_id="bench-floor", max_poll_records=max_poll_records)
    loads, dumps, seen, t0, first = json.loads, orjson.dumps, 0, None, 0
    deadline = time.monotonic() + timeout_s
    try:
        while seen < n and time.monotonic() < deadline:
            polled = consumer.poll(timeout_ms=500, max_records=max_poll_records)
            rows, receipts = [], []
            for tp, batch in polled.items():
                region = parse_region_topic(prefix, tp.topic)[0]
                topic = inbox_topic(receipt_prefix, region)
                for r in batch:
                    msg = loads(r.value)
                    verify_record(verify_keys, r.value, dict(r.headers), expected_owner=region)
                    mid = msg["message_id"]
                    rows.append({"message_id": mid, "topic": r.topic, "partition": r.partition, "offset": r.offset,
                                 "code": 100})
                    receipts.append(_FloorReceipt(topic, r.key, f"r-{mid}", "hub.receipt@1.0",
                                                  dumps({"kind": "hub.receipt", "references": [mid], "code": 100})))
            if rows:
                with engine.begin() as conn:
                    conn.execute(insert, rows)
                for rec, headers in zip(receipts, sign_batch(signer, receipts, True), strict=True):
                    producer.send(rec.topic, key=rec.key, value=rec.value, headers=headers)
                producer.flush(timeout=60)
                consumer.commit()
                seen += len(rows)
            if polled and t0 is None:
                t0, first, cpu0 = time.perf_counter(), seen, time.process_time()
        elapsed = time.perf_counter() - (t0 or time.perf_counter())
        cpu = time.process_time() - (cpu0 if t0 is not None else time.process_time())
    finally:
        consumer.close()
        producer.close(timeout=10)
        engine.dispose()
    if seen < n:
        raise TimeoutError(f"floor consumer handled {seen} of {n} records")
    done = Pass("floor", n - first, elapsed, {"cpu_s": round(cpu, 3)})
    log.info("floor: %d msgs in %.1fs, CPU %.1fs = %.1f µs/msg", done.count, elapsed, cpu,
             cpu * 1e6 / max(1, done.count))
    return done


@dataclass(frozen=True)
class _FloorReceipt:
    topic: str
    key: bytes | None
    message_id: str
    kind: str
    value: bytes


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """The process and its children (a hub worker and its outbox relay), from /proc."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [pid, *(int(c) for c in fh.read().split())]
    except OSError:
        return [pid]


def _total(pids: list[int], measure: Callable[[int], float]) -> float:
    out = 0.0
    for p in pids:
        try:
            out += measure(p)
        except (OSError, ValueError, IndexError):  # a child that just exited
            pass
    return out


def _by_role(pids: list[int]) -> dict[str, float]:
    """RSS (MB) per process role of hub workers: ``run`` (the front), ``apply``, ``relay``, summed over workers."""
    out: dict[str, float] = {}
    for p in pids:
        try:
            with open(f"/proc/{p}/cmdline", "rb") as fh:
                args = fh.read().split(b"\0")
            role = next((a.decode() for a in args if a in (b"run", b"apply", b"relay")), "other")
            out[role] = round(out.get(role, 0.0) + rss_mb(p), 1)
        except (OSError, ValueError):  # a child that just exited
            pass
    return out


#: after asking the hub processes to trim, the bench waits this long before reading their RSS (a busy apply process
#: runs the handler when its statement returns)
TRIM_SETTLE_S = 0.5


def catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler installed for the signal (``SigCgt`` in /proc/<pid>/status)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


def _rss_trimmed(pids: list[int]) -> tuple[float, dict[str, float], int]:
    """RSS (MB) of the processes, summed and per role, read right after each trimmed its heap (SIGUSR1, see
    ``MallocTrim.on_request``): every reading at the same point of each process's trim sawtooth. A hub process
    moves by 20–30 MB between its periodic trims (the batches in hand, freed pages not yet given back), so single
    readings taken wherever that cycle stood made the growth figure swing by as much (docs/perf/hub-memory.md).
    A process without the handler yet (a child still starting, in a short run) is read as it is; the third value
    counts the processes that were signalled."""
    signalled = 0
    for p in pids:
        if catches(p, signal.SIGUSR1):  # a child still importing has no handler yet: the signal would end it
            try:
                os.kill(p, signal.SIGUSR1)
                signalled += 1
            except OSError:  # a child that just exited
                pass
    time.sleep(TRIM_SETTLE_S)
    return _total(pids, rss_mb), _by_role(pids), signalled


def outbox_pending(database_url: str) -> int:
    """Hub outbox rows not yet acknowledged by the broker (receipts still to send)."""
    from sqlalchemy import func, select

    from hub.infrastructure.tables import hub_outbox
    from jjj.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(hub_outbox)
                                .where(hub_outbox.c.sent_at.is_(None))).scalar_one()
    finally:
        engine.dispose()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def committed(admin, group: str) -> int:  # noqa: ANN001 - KafkaAdminClient
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    return sum(m.offset for m in offsets.values() if m.offset > 0)


def hub_workers(env_vars: dict[str, str], n: int, group: str, bootstrap: str, *, workers: int = 1,
                checkpoints: tuple[int, ...] = (), timeout_s: float = 3600,
                on_progress: Callable[[int], None] | None = None, database_url: str | None = None) -> Pass:
    """Run `workers` `jjj hub run` processes in one group until `n` offsets are committed and, given the hub's
    ``database_url``, every receipt in the hub outbox is acknowledged by the broker; samples the RSS of the workers
    and their outbox relays at each checkpoint (messages committed) and at the end. CPU and RSS count the relays."""
    from kafka import KafkaAdminClient

    # PYTHONPATH: a stale editable install can map a package as a namespace; the checkout is the truth
    env = {**os.environ, **env_vars, "PYTHONPATH": str(PROJECT_ROOT)}
    jjj = os.path.join(os.path.dirname(sys.executable), "jjj")
    # each worker's log goes to a file, never to a pipe nobody reads while it runs (a full pipe blocks the
    # worker's next log line, and with it every thread that logs: the heartbeat too)
    logs = [tempfile.TemporaryFile() for _ in range(workers)]
    procs = [subprocess.Popen([jjj, "hub", "run", "--worker-id", f"bench-hub-{i}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=logs[i]) for i in range(workers)]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    rss: dict[str, float] = {}
    by_role: dict[str, dict[str, float]] = {}  # the same samples per process role (front, apply, relay)
    untrimmed: dict[str, float] = {}  # the sum read just before asking for the trim (wherever each sawtooth was)
    trimmed_procs: dict[str, int] = {}  # how many processes were asked to trim before each reading
    pending = sorted(checkpoints)
    t0 = first = None
    done = 0
    deadline = time.monotonic() + timeout_s
    try:
        pids = lambda: [q for p in procs for q in family(p.pid)]  # noqa: E731
        unsent = 1
        while done < n or unsent:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                err = b"".join(_read(f) for f in logs)
                raise RuntimeError(f"hub stopped or timed out at {done}/{n}: {err.decode(errors='replace')[-2000:]}")
            time.sleep(0.2)
            if done < n:
                done = committed(admin, group)
                if done and t0 is None:
                    t0, first, cpu0 = time.perf_counter(), done, _total(pids(), cpu_s)
                while pending and done >= pending[0]:
                    mark = str(pending.pop(0))
                    untrimmed[mark] = _total(pids(), rss_mb)
                    rss[mark], by_role[mark], trimmed_procs[mark] = _rss_trimmed(pids())
                if on_progress:
                    on_progress(done)
            if done >= n:  # the last receipts must be acknowledged too: the relay is part of the hub's work
                unsent = outbox_pending(database_url) if database_url else 0
        elapsed = time.perf_counter() - (t0 or time.perf_counter())
        untrimmed["end"] = _total(pids(), rss_mb)
        rss["end"], by_role["end"], trimmed_procs["end"] = _rss_trimmed(pids())
        # the workers' CPU over the timed part: comparable across runs on a loaded machine, unlike the rate
        cpu = _total(pids(), cpu_s) - (cpu0 if t0 is not None else 0.0)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        lines = [line for f in logs for line in _read(f).decode(errors="replace").splitlines()]
        for f in logs:
            f.close()
        admin.close()
    # what the workers logged (warnings and up, as the bench runs them): commits refused after a rebalance,
    # the coordinator's heartbeat failures, restarts of a child
    warnings = sum(" WARNING " in line or " ERROR " in line for line in lines)
    rebalances = sum("rebalance" in line.lower() for line in lines)
    done = Pass(f"hub x{workers}", n - (first or 0), elapsed, {"rss_mb": rss, "rss_by_role_mb": by_role,
                                                                "rss_untrimmed_mb": untrimmed,
                                                                "rss_trimmed_procs": trimmed_procs,
                                                                "cpu_s": round(cpu, 3),
                                                                "log_warnings": warnings, "log_rebalance_lines": rebalances})
    if warnings:
        log.info("%s: the workers logged %d warnings, e.g. %s", done.name, warnings,
                 next(line for line in lines if " WARNING " in line or " ERROR " in line))
    log.info("%s: %d msgs in %.1fs, CPU %.1fs = %.1f µs/msg", done.name, done.count, elapsed, cpu,
             cpu * 1e6 / max(1, done.count))
    return done


def _read(f) -> bytes:  # noqa: ANN001 - a worker's log file
    """What a worker wrote so far, without moving the file offset it shares with the worker."""
    return os.pread(f.fileno(), os.fstat(f.fileno()).st_size, 0)
