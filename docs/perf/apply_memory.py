"""What a hub worker's processes keep as messages go by, without Kafka (docs/perf/hub-memory.md, round 11).

    .venv/bin/python docs/perf/apply_memory.py 400000                  # Intake.process: RSS, blocks, memo sizes
    .venv/bin/python docs/perf/apply_memory.py 300000 --check-only     # Intake.check only (the front's work)
    .venv/bin/python docs/perf/apply_memory.py 160000 --tracemalloc    # retained allocations outside the memos

The bench mix with ``distinct=500`` (as `jjj bench`), signed like the adapters sign, in batches of 2,000 on a fresh
SQLite file. The factory's message templates are all made before the first reading (they would otherwise count as
growth). Before each reading (every tenth): a full collection and ``malloc_trim(0)``. At a fifth and at the end the
worker's memos are also cleared once, and the blocks they held are printed. ``--tracemalloc`` starts tracing at a
quarter of the pass with the memos cleared, clears them again at the end and prints the largest retained
allocations (slow: ~10× the plain pass).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tracemalloc
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--check-only", action="store_true", help="only Intake.check (the front process's work)")
    ap.add_argument("--tracemalloc", action="store_true")
    args = ap.parse_args()

    from hub.bootstrap import HubServices
    from hub.services.records import Record
    from jjj.bench.data import MessageFactory, signed_headers
    from jjj.bench.env import BenchEnv

    libc = ctypes.CDLL("libc.so.6")
    env = BenchEnv(bootstrap="127.0.0.1:1", pg_url=None)
    env.delete_topics = lambda: None  # no broker, no topics
    try:
        services = HubServices(env.settings(env.database("sqlite", "memory"), group="memory"))
        intake = services.intake
        factory = MessageFactory(env.prefix, distinct=500)
        for kind in factory.kinds:
            for variant in range(factory.distinct):
                factory._template(kind, variant)  # noqa: SLF001 - made up front so that they are not growth
        messages = factory.messages(args.n)
        offsets: dict[tuple[str, int], int] = {}
        done, tenth, snapshot = 0, max(1, args.n // 10), None
        gc.freeze()
        while done < args.n:
            chunk = [next(messages) for _ in range(min(2000, args.n - done))]
            records = []
            for m, h in zip(chunk, signed_headers(env.signers, chunk), strict=True):
                part = zlib.crc32(m.key.encode()) % 6
                off = offsets.get((m.topic, part), 0)
                offsets[(m.topic, part)] = off + 1
                records.append(Record(m.topic, part, off, m.key.encode(), m.value, dict(h)))
            if args.check_only:
                verdicts = [intake.check(r) for r in records]
                del verdicts
            else:
                intake.process(records)
            done += len(chunk)
            del records, chunk
            if args.tracemalloc and snapshot is None and done >= args.n // 4:
                intake.cache.clear()
                gc.collect()
                tracemalloc.start(4)
                snapshot = tracemalloc.take_snapshot()
                print(f"{done:>9,} tracing from here (memos cleared)", flush=True)
            if done % tenth == 0 or done == args.n:
                gc.collect()
                libc.malloc_trim(0)
                sizes = {k: len(v) for k, v in intake.cache.items() if hasattr(v, "__len__")}
                print(f"{done:>9,} RSS {_rss_mb():6.1f} MB  blocks {sys.getallocatedblocks():>9,}  memo entries {sizes}",
                      flush=True)
                if not args.tracemalloc and not args.check_only and done in (args.n // 5, args.n):
                    before = sys.getallocatedblocks()
                    intake.cache.clear()
                    gc.collect()
                    print(f"{done:>9,} memos cleared: {before - sys.getallocatedblocks():,} blocks freed", flush=True)
        if snapshot is not None:
            intake.cache.clear()
            gc.collect()
            stats = tracemalloc.take_snapshot().compare_to(snapshot, "traceback")
            print(f"retained outside the memos: {sum(s.size_diff for s in stats) / 2**20:.2f} MB; largest:")
            for s in stats[:8]:
                print(f"  {s.size_diff / 1024:8.0f} KiB {s.count_diff:>7} blocks  {s.traceback.format()[-2].strip()}")
        services.engine.dispose()
    finally:
        env.close()


if __name__ == "__main__":
    main()
