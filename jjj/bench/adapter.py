"""Adapter import of an N-row Tianjin stock-ledger CSV through the outbox to acknowledged sends, ÷ a bare
kafka-python producer (same settings, same batch/flush size) sending the same messages (same topics, keys, values
and signature headers). As in production, the adapter's publisher is another process (the running adapter service)
draining the outbox while the import writes it: the clock runs from the import's start until the last row is
acknowledged and marked. Both producers have their topic metadata loaded before the clock starts."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import select

from jjj.outbox import OutboxPublisher

PUBLISH_BATCH = OutboxPublisher.__init__.__kwdefaults__["batch"]  # the bare producer flushes as often

HEADER = "流水号,仓库编号,仓库名称,仓库级别,所在区,发生时间,业务类型,物资名称,规格型号,计量单位,批次号,数量,结存数量,对方仓库编号,调拨单号,备注\n"
ROW = "TJ-TZ-202607-{i:06d},TJ-CK-BC01,天津市救灾物资储备库（北辰）,市级,北辰区,2026-07-31 14:05:00,出库,单帐篷,12㎡,顶,2024-05,{q},{b},,TJ-DB-2026-{d:04d},支援武清区防汛\n"


def write_ledger(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8-sig") as fh:
        fh.write(HEADER)
        for i in range(1, n + 1):
            fh.write(ROW.format(i=i, q=1 + i % 50, b=100000 - i % 90000, d=i % 10000))
    return path


def _warm(producer, topics) -> None:  # noqa: ANN001
    for topic in topics:
        producer.partitions_for(topic)


# The running adapter's publisher (`jjj adapter tianjin run` publishes while `jjj adapter tianjin import` writes): its
# own process, topic metadata loaded, draining the outbox as import transactions commit. Stdin closing stops it.
PUBLISHER = """
import sys, threading
from adapters.core.runtime import AdapterRuntime
from jjj.bus.topics import declared_topics
from jjj.config import Settings
settings = Settings.from_env()
pub = AdapterRuntime("tj", settings).publisher()
for s in declared_topics(settings.topic_prefix):
    pub.producer.partitions_for(s.name)
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
print("ready", flush=True)
pub.drain(until_empty=False, idle_sleep_s=0.02, stop=stop.is_set)
pub.producer.close(timeout=10)
"""


def _start_publisher(env, settings):  # noqa: ANN001, ANN202
    import subprocess
    import sys

    from jjj.config import PROJECT_ROOT

    proc = subprocess.Popen([sys.executable, "-c", PUBLISHER], cwd=PROJECT_ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, **env.env_vars(settings)})
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError("the bench publisher process did not start")
    return proc


def _depth(engine, table) -> int:  # noqa: ANN001
    from sqlalchemy import func

    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(table.c.sent_at.is_(None))).scalar_one()


def _run(mode: str, env, settings, runtime, fmt, path: Path, config: dict):  # noqa: ANN001, ANN202
    """Import, and publish: ``process`` (default) a publisher process drains while the import writes (production: the
    running adapter service), ``thread`` the same in a thread of this process (`jjj adapter run`'s folder watch),
    ``after`` one drain once the import is done. Returns (started, import_s, adapter_s, summary)."""
    import threading

    from adapters.core import store
    from adapters.core.importer import import_file
    from jjj.bus.topics import declared_topics

    t, proc, thread, pub = store.outbox, None, None, None
    stop = threading.Event()
    if mode == "process":
        proc = _start_publisher(env, settings)
    else:
        pub = runtime.publisher()
        _warm(pub.producer, [s.name for s in declared_topics(settings.topic_prefix)])
        if mode == "thread":
            thread = threading.Thread(target=pub.drain, kwargs={"until_empty": False, "idle_sleep_s": 0.02,
                                                                "stop": stop.is_set}, daemon=True)
            thread.start()
    cpu: dict[str, float] = {}
    try:
        pub_cpu0 = _proc_cpu(proc)
        children0, own0 = _children_cpu(), time.process_time()
        started = time.perf_counter()
        summary = import_file(runtime, fmt, path, runtime.context(config), progress=False)
        import_s = time.perf_counter() - started
        cpu.update(import_s=time.process_time() - own0, import_workers_s=_children_cpu() - children0)
        if mode == "after":
            pub.drain(until_empty=True)
        deadline = started + 600
        while _depth(runtime.engine, t) and time.perf_counter() < deadline:
            time.sleep(0.01)
        adapter_s = time.perf_counter() - started
        if proc is not None:
            cpu["publisher_s"] = _proc_cpu(proc) - pub_cpu0
        else:  # thread / after: the publisher's CPU is in this process's
            cpu["publisher_s"] = time.process_time() - own0 - cpu["import_s"]
    finally:
        stop.set()
        if proc is not None:
            proc.stdin.close()
            proc.wait(timeout=30)
        if thread is not None:
            thread.join(timeout=30)
        if pub is not None:
            pub.producer.close(timeout=10)
    return started, import_s, adapter_s, summary, cpu


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # children waited for: the import's worker processes
    return ru.ru_utime + ru.ru_stime


def _proc_cpu(proc) -> float:  # noqa: ANN001
    """CPU seconds of a running child (Linux /proc; 0 elsewhere): the publisher process's, from "ready" on."""
    if proc is None:
        return 0.0
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def measure(env, db: str, vol, report, echo) -> None:  # noqa: ANN001
    from sqlalchemy import func

    from adapters.core import store
    from adapters.core.runtime import AdapterRuntime
    from adapters.tianjin import REGION
    from jjj.bench.data import BenchMessage, signed_headers
    from jjj.bus.clients import make_producer
    from jjj.bus.topics import declared_topics

    prefix = env.create_topics(f"{env.prefix}a{db[:2]}")
    os.environ["JJJ_TJ_DATABASE_URL"] = env.database(db, "adapter_tj")
    settings = env.settings(env.database(db, "adapter_hub"), prefix=prefix)
    runtime = AdapterRuntime("tj", settings)
    rows_n = int(os.environ.get("JJJ_BENCH_IMPORT_ROWS") or vol.import_rows)  # iterate at a smaller volume
    path = write_ledger(env.root / f"ledger_bench_{db}.csv", rows_n)
    fmt = REGION.formats["ledger"]
    t = store.outbox
    mode = os.environ.get("JJJ_BENCH_ADAPTER_PUBLISH", "process")
    _, import_s, adapter_s, summary, cpu = _run(mode, env, settings, runtime, fmt, path, REGION.config)
    with runtime.engine.connect() as conn:
        sent = conn.execute(select(func.count()).select_from(t).where(t.c.sent_at.is_not(None))).scalar_one()
    if summary.accepted_messages != rows_n or sent != rows_n:
        report.note(db, f"adapter: {summary.accepted_messages} accepted, {sent} sent of {rows_n} rows "
                        f"({dict(summary.reasons.most_common(3))})")
    # the baseline sends the very same messages, pre-signed, to fresh topics
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(t.c.message_id, t.c.kind, t.c.topic, t.c.key, t.c.value).order_by(t.c.seq)).all()
    base_prefix = env.create_topics(f"{env.prefix}b{db[:2]}")
    msgs = [BenchMessage(r.message_id, r.kind, "tj", r.topic.replace(prefix, base_prefix, 1), r.key, r.value)
            for r in rows]
    step = PUBLISH_BATCH
    headers = [h for i in range(0, len(msgs), step) for h in signed_headers(env.signers, msgs[i:i + step])]
    producer = make_producer(env.bootstrap, client_id="bench-bare-producer")
    _warm(producer, [s.name for s in declared_topics(base_prefix)])
    started, bare_cpu0 = time.perf_counter(), time.process_time()
    for i in range(0, len(msgs), step):  # same batch size and flush as the publisher: acknowledged sends
        for m, h in zip(msgs[i:i + step], headers[i:i + step], strict=True):
            producer.send(m.topic, key=m.key.encode(), value=m.value, headers=h)
        producer.flush(timeout=60)
    bare_s = time.perf_counter() - started
    bare_cpu = time.process_time() - bare_cpu0  # with kafka-python's sender thread
    producer.close(timeout=10)
    report.put("adapter_publish_ratio", db, round(bare_s / adapter_s, 3))
    report.detail.setdefault(db, {}).update({
        "adapter_rows_s": round(len(msgs) / adapter_s), "adapter_import_s": round(import_s, 1),
        "adapter_publish_tail_s": round(adapter_s - import_s, 1), "adapter_publish_mode": mode,
        "bare_producer_msg_s": round(len(msgs) / bare_s),
        # CPU per row (process times; on a shared box wall time follows these): the import's own process, its worker
        # processes, the publisher process; the bare producer's per message
        "adapter_cpu_us_row": {k.removesuffix("_s"): round(v / len(msgs) * 1e6, 1) for k, v in cpu.items()},
        "bare_producer_cpu_us_msg": round(bare_cpu / len(msgs) * 1e6, 1)})
    echo(f"[{db}] adapter import+publish {len(msgs) / adapter_s:,.0f} rows/s (import {import_s:.1f}s, publisher "
         f"{mode}: last send acknowledged {adapter_s - import_s:.1f}s after the import), bare producer "
         f"{len(msgs) / bare_s:,.0f} msg/s; CPU µs/row: import {cpu['import_s'] / len(msgs) * 1e6:.0f} + workers "
         f"{cpu['import_workers_s'] / len(msgs) * 1e6:.0f} + publisher {cpu['publisher_s'] / len(msgs) * 1e6:.0f}, "
         f"bare producer {bare_cpu / len(msgs) * 1e6:.0f}")
