"""Adapter import of an N-row Tianjin stock-ledger CSV through the outbox to acknowledged sends, ÷ a bare
kafka-python producer (same settings) sending the same messages (same topics, keys, values and signature headers).
Both producers have their topic metadata loaded before the clock starts."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import select

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


def measure(env, db: str, vol, report, echo) -> None:  # noqa: ANN001
    from adapters.core import store
    from adapters.core.importer import import_file
    from adapters.core.runtime import AdapterRuntime
    from adapters.tianjin import REGION
    from jjj.bench.data import BenchMessage, signed_headers
    from jjj.bus.clients import make_producer
    from jjj.bus.topics import declared_topics

    prefix = env.create_topics(f"{env.prefix}a{db[:2]}")
    os.environ["JJJ_TJ_DATABASE_URL"] = env.database(db, "adapter_tj")
    settings = env.settings(env.database(db, "adapter_hub"), prefix=prefix)
    runtime = AdapterRuntime("tj", settings)
    path = write_ledger(env.root / f"ledger_bench_{db}.csv", vol.import_rows)
    fmt = REGION.formats["ledger"]
    publisher = runtime.publisher()
    _warm(publisher.producer, [s.name for s in declared_topics(prefix)])
    started = time.perf_counter()
    summary = import_file(runtime, fmt, path, runtime.context(REGION.config), progress=False)
    import_s = time.perf_counter() - started
    sent = publisher.drain(until_empty=True)
    adapter_s = time.perf_counter() - started
    publisher.producer.close(timeout=10)
    if summary.accepted_messages != vol.import_rows or sent != vol.import_rows:
        report.note(db, f"adapter: {summary.accepted_messages} accepted, {sent} sent of {vol.import_rows} rows "
                        f"({dict(summary.reasons.most_common(3))})")
    # the baseline sends the very same messages, pre-signed, to fresh topics
    t = store.outbox
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(t.c.message_id, t.c.kind, t.c.topic, t.c.key, t.c.value).order_by(t.c.seq)).all()
    base_prefix = env.create_topics(f"{env.prefix}b{db[:2]}")
    msgs = [BenchMessage(r.message_id, r.kind, "tj", r.topic.replace(prefix, base_prefix, 1), r.key, r.value)
            for r in rows]
    headers = [h for i in range(0, len(msgs), 1000) for h in signed_headers(env.signers, msgs[i:i + 1000])]
    producer = make_producer(env.bootstrap, client_id="bench-bare-producer")
    _warm(producer, [s.name for s in declared_topics(base_prefix)])
    started = time.perf_counter()
    for i in range(0, len(msgs), 1000):  # same batch size and flush as the publisher: acknowledged sends
        for m, h in zip(msgs[i:i + 1000], headers[i:i + 1000], strict=True):
            producer.send(m.topic, key=m.key.encode(), value=m.value, headers=h)
        producer.flush(timeout=60)
    bare_s = time.perf_counter() - started
    producer.close(timeout=10)
    report.put("adapter_publish_ratio", db, round(bare_s / adapter_s, 3))
    report.detail.setdefault(db, {}).update({
        "adapter_rows_s": round(len(msgs) / adapter_s), "adapter_import_s": round(import_s, 1),
        "adapter_publish_s": round(adapter_s - import_s, 1), "bare_producer_msg_s": round(len(msgs) / bare_s)})
    echo(f"[{db}] adapter import+publish {len(msgs) / adapter_s:,.0f} rows/s (import {import_s:.1f}s, publish "
         f"{adapter_s - import_s:.1f}s), bare producer {len(msgs) / bare_s:,.0f} msg/s")
