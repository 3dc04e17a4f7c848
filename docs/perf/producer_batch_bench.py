"""Producer batch size against kafka-python's I/O-thread wake-ups, sent the way the hub relay sends.

Drains of 2,000 records (1 KB value and five headers, like a signed receipt) over the three inbox topics (half to
Hebei), a flush per drain. Once a partition's batch is full, kafka-python wakes its I/O thread on every later send
to that partition. Prints, per batch size, CPU µs per send, sends/s and wake-ups per send, and the CPU ratio to the
first size measured in the same run.

Usage (broker up, `jjj topics apply` done):
    .venv/bin/python docs/perf/producer_batch_bench.py [--bootstrap 127.0.0.1:9092] [--n 40000] [SIZE ...]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message=".*kafka.*")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jjj.bus.clients import make_producer  # noqa: E402

TOPICS = ["jjj.to.he", "jjj.to.bj", "jjj.to.he", "jjj.to.tj"]  # half of the receipts to Hebei
VALUE = b"x" * 1000
HEADERS = [("jjj-id", b"01J" * 8), ("jjj-kind", b"hub.receipt@1.0"), ("jjj-key", b"hub-2026"),
           ("jjj-root-sig", b"s" * 64), ("jjj-proof", b"p" * 363)]


def measure(bootstrap: str, batch_size: int, n: int) -> tuple[float, float, float]:
    producer = make_producer(bootstrap, client_id="producer-batch-bench", batch_size=batch_size)
    wakeups = [0]
    wake = producer._sender.wakeup  # noqa: SLF001 - counting the library's own calls

    def counted() -> None:
        wakeups[0] += 1
        wake()

    producer._sender.wakeup = counted  # noqa: SLF001
    for topic in set(TOPICS):
        producer.partitions_for(topic)

    def run(count: int) -> None:
        sent = 0
        while sent < count:
            for i in range(2000):
                producer.send(TOPICS[i % 4], key=f"k{sent + i}".encode(), value=VALUE, headers=HEADERS)
            producer.flush()
            sent += 2000

    run(4000)  # warm up: connections, metadata, producer id
    wakeups[0] = 0
    cpu, wall = time.process_time(), time.perf_counter()
    run(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    producer.close()
    return 1e6 * cpu / n, n / wall, wakeups[0] / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[256 * 1024, 1_000_000])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--n", type=int, default=40_000)
    args = parser.parse_args()
    first = None
    for size in args.sizes:
        cpu_us, rate, wakeups = measure(args.bootstrap, size, args.n)
        first = first or cpu_us
        print(f"batch_size={size:>9,}: {cpu_us:5.1f} µs CPU per send ({cpu_us / first:.2f}x the first), "
              f"{rate:,.0f} sends/s, {wakeups:.3f} wake-ups per send", flush=True)


if __name__ == "__main__":
    main()
