"""In-process intake throughput (not a test): ``Intake.process`` over batches of 500 pre-built signed records of the
realistic workload, against a fresh SQLite file or PostgreSQL database.

    .venv/bin/python -m tests.hub.integration.profile_intake [N] [--pg URL] [--profile out.txt]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from hub.infrastructure import tables
from hub.services import audit
from jjj.db import make_engine
from jjj.signing import init_keys
from tests.hub.integration.workload import workload
from tests.hub.services.conftest import Hub


def fresh_pg(url: str) -> str:
    from sqlalchemy import create_engine, text

    from jjj.db import normalise_url

    head = url.rsplit("/", 1)[0]
    admin = create_engine(normalise_url(f"{head}/postgres"), isolation_level="AUTOCOMMIT")
    name = f"jjj_prof_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # generated name
    admin.dispose()
    return f"{head}/{name}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=5000)
    ap.add_argument("--pg")
    ap.add_argument("--profile")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    init_keys(tmp / "keys", ("bj", "tj", "he", "hub"))
    url = fresh_pg(args.pg) if args.pg else f"sqlite:///{tmp / 'hub.db'}"
    engine = make_engine(url)
    tables.create_all(engine)
    audit.create_tables(engine)
    hub = Hub(engine, tmp / "keys")
    records = [hub.record(m) for m in workload(args.n)]
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(records), 500):
        hub.intake.process(records[i:i + 500])
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.stop()
        Path(args.profile).write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    db = "postgresql" if args.pg else "sqlite"
    print(f"{db}: {len(records)} msgs in {took:.2f}s = {len(records) / took:.0f} msgs/s "
          f"(hub process CPU {cpu:.2f}s = {len(records) / cpu:.0f} msgs/CPU-s)")
    engine.dispose()


if __name__ == "__main__":
    main()
