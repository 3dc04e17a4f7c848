"""The hub worker's CPU per message without Kafka: `Intake.process` over signed bench messages in poll-sized
batches on a fresh database, the way `jjj hub run` calls it (no relay: receipts stay in the hub outbox).

    .venv/bin/python docs/perf/intake_cpu_bench.py [N] [--db postgresql://...] [--batch 2000] [--repeat 3]
    .venv/bin/python docs/perf/intake_cpu_bench.py 20000 --profile /tmp/intake.txt     # pyinstrument text

Prints CPU µs/message for the check stage (verify + decode + validate, per record) and the whole `process`, and
for comparison the bare read-side cost (JSON parse + signature verification, the bench baseline's work minus
Kafka). A figure to compare before/after a change in the same session, not an absolute: the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=20000)
    ap.add_argument("--db", default=None, help="PostgreSQL server URL (a fresh database is created); default SQLite")
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=1, help="passes, each on a fresh database; the best is reported")
    ap.add_argument("--profile", default=None, help="write a pyinstrument text profile of the last pass here")
    ap.add_argument("--distinct", type=int, default=5000,
                    help="entity ids per kind (`jjj bench` uses 500: histories pile up over a long pass)")
    args = ap.parse_args()

    from hub.bootstrap import HubServices
    from hub.services.records import Record
    from jjj.bench.data import MessageFactory, signed_headers
    from jjj.bench.env import BenchEnv
    from jjj.signing import _verify_cached, verify_record

    env = BenchEnv(bootstrap="127.0.0.1:1", pg_url=args.db)
    env.delete_topics = lambda: None  # no broker, no topics
    try:
        factory = MessageFactory(env.prefix, distinct=args.distinct)
        msgs = list(factory.messages(args.n))
        records: list[Record] = []
        offsets: dict[tuple[str, int], int] = {}
        owners: list[str] = []
        for i in range(0, len(msgs), 1000):
            chunk = msgs[i : i + 1000]
            for m, h in zip(chunk, signed_headers(env.signers, chunk), strict=True):
                part = zlib.crc32(m.key.encode()) % 6
                off = offsets.get((m.topic, part), 0)
                offsets[(m.topic, part)] = off + 1
                records.append(Record(m.topic, part, off, m.key.encode(), m.value, dict(h)))
                owners.append(m.region)

        # the baseline's own work minus Kafka: parse + verify
        from jjj.signing import KeyRegistry

        keys = KeyRegistry.load(env.keys)
        _verify_cached.cache_clear()
        c0 = time.process_time()
        for r, owner in zip(records, owners, strict=True):
            json.loads(r.value)
            verify_record(keys, r.value, r.headers, expected_owner=owner)
        base_us = (time.process_time() - c0) * 1e6 / len(records)

        best = None
        for rep in range(args.repeat):
            url = env.database("postgresql" if args.db else "sqlite", f"intake{rep}")
            services = HubServices(env.settings(url, group=f"g{rep}"))
            intake = services.intake
            intake.process(records[:1])  # imports, table creation, caches warm-up: not throughput
            gc.freeze()  # as `hub.entrypoints.consumer.run` does
            gc.set_threshold(10_000, 10, 10)
            _verify_cached.cache_clear()
            profiler = None
            if args.profile and rep == args.repeat - 1:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
            check_s = 0.0
            c0 = time.process_time()
            for i in range(1, len(records), args.batch):
                batch = records[i : i + args.batch]
                c1 = time.process_time()
                for r in batch:
                    intake.check(r)
                check_s += time.process_time() - c1
            check_us = check_s * 1e6 / (len(records) - 1)
            _verify_cached.cache_clear()
            c0 = time.process_time()
            tenths, mark, c_mark, rss = [], (len(records) - 1) / 10, c0, []
            for i in range(1, len(records), args.batch):
                intake.process(records[i : i + args.batch])
                done = i + args.batch - 1
                if done >= mark * (len(tenths) + 1) or done >= len(records) - 1:
                    now = time.process_time()
                    tenths.append((now - c_mark) * 1e6 / (done - sum(n for n, _ in tenths)))
                    tenths[-1] = (done - sum(n for n, _ in tenths[:-1]), tenths[-1])
                    c_mark = now
                    rss.append(_rss_mb())
            total_us = (time.process_time() - c0) * 1e6 / (len(records) - 1)
            if profiler is not None:
                profiler.stop()
                Path(args.profile).write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
            services.engine.dispose()
            if best is None or total_us < best[1]:
                best = (check_us, total_us, [us for _, us in tenths], rss)
        check_us, total_us, slices, rss = best
        print(f"messages {len(records)}  db {'postgresql' if args.db else 'sqlite'}  batch {args.batch}")
        print(f"baseline parse+verify  {base_us:7.1f} µs/msg CPU")
        print(f"intake check           {check_us:7.1f} µs/msg CPU (verify + decode + validate)")
        print(f"intake process         {total_us:7.1f} µs/msg CPU (check + apply + SQL + receipts into the outbox)")
        print(f"ratio baseline/process {base_us / total_us:7.3f}")
        print("process by tenth of the pass (µs/msg CPU): " + " ".join(f"{us:.0f}" for us in slices))
        print("RSS after each tenth (MB): " + " ".join(f"{mb:.0f}" for mb in rss))
    finally:
        env.close()


def _rss_mb() -> float:
    import os

    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    main()
