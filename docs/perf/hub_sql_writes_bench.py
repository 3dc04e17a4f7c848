"""Micro-benchmark for docs/perf/hub-sql-writes.md: CPU µs per row of the hub's bulk writes, the old path
(``conn.execute(stmt, rows)``: the functions as they were, kept in tests/hub/infrastructure/test_sql_fast.py) against
the statement compiled once (``jjj.db_fast``). 2,000-row batches, each in a transaction that is rolled back.

    .venv/bin/python docs/perf/hub_sql_writes_bench.py [sqlite|postgresql://...]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from hub.infrastructure import tables as t
from jjj.db import make_engine
from tests.hub.infrastructure.test_sql_fast import NEW, OLD

N = 2000
REPEAT = 15


def _rows() -> dict:
    rng = random.Random(1)
    now = datetime(2026, 11, 29, tzinfo=UTC)
    processed = [{"message_id": f"m{i:08d}", "topic": "jjj.bj.disaster", "partition": i % 3, "offset": i,
                  "region": "bj", "kind": "disaster.report", "code": 100, "reason": None,
                  "received_at": now + timedelta(microseconds=i)} for i in range(N)]
    reports = [{"message_id": f"r{i:08d}", "region": "bj", "event_id": f"E{i % 500}", "kind": "disaster.report",
                "stage": "initial", "revision": i % 7, "data_as_of": "2026-11-29T00:00:00+08:00",
                "sent_at": "2026-11-29T00:00:00Z", "received_at": now,
                "payload": {"figures": {"dead": rng.randrange(9), "county": "110101"}, "notes": "震"}}
               for i in range(N)]
    lines = [{"claim_id": f"C{i // 4}", "line_id": f"L{i % 4}", "message_id": f"m{i}", "region": "tj",
              "facility_id": "F1", "facility_region": "tj", "payer_district": "120101", "period": "2026-10",
              "elder_ref": "k1:abcdef", "enrolment_id": f"EN{i}", "subsidy_type": "care", "days_in_care": 30,
              "amount_fen": 123456, "submitted_at": now} for i in range(N)]
    events = [{"region": "bj", "event_id": f"E{i}", "status": "open", "stage": "initial", "revision": 1,
               "current_message_id": f"r{i}", "final_message_id": None, "data_as_of": "x", "disaster_type": "flood",
               "started_on": now.date(), "ended_on": None, "reporting_unit_code": "110101", "shared_event_ref": None,
               "counties": ["110101"], "figures": {"dead": 1}, "county_figures": {"110101": {"dead": 1}},
               "report_count": 1, "ignored": [], "decreases": [], "inconsistencies": [], "deadline_flags": [],
               "first_received_at": now, "updated_at": now} for i in range(N)]
    counts = [{"region": r, "code": c, "count": 100, "last_at": now} for r in ("bj", "tj", "he")
              for c in (100, 201, 420)]
    return {"insert processed_messages (9 cols, 1 TS)": ("insert", t.processed, processed, {}),
            "insert_ignore disaster_reports (11 cols, TS+JSON)": ("insert_ignore", t.disaster_reports, reports, {}),
            "insert_ignore eldercare_claim_lines (14 cols, TS)": ("insert_ignore", t.eldercare_claim_lines, lines, {}),
            "upsert disaster_events (24 cols, 7 JSON, 2 TS)": ("upsert", t.disaster_events, events, {}),
            "accumulate processed_counts (9 rows)": ("accumulate", t.processed_counts, counts,
                                                     {"add": "count", "latest": "last_at"})}


def _measure(engine, fn, table, rows, options) -> float:  # noqa: ANN001
    best = float("inf")
    with engine.connect() as conn:
        for _ in range(REPEAT):
            trans = conn.begin()
            start = time.process_time()
            fn(conn, table, rows, **options)
            best = min(best, time.process_time() - start)
            trans.rollback()
    return best * 1e6 / len(rows)


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "sqlite" else None
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = make_engine(url)
    t.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    print(f"{engine.dialect.name}: CPU µs/row (best of {REPEAT}), old -> new")
    for name, (kind, table, rows, options) in _rows().items():
        old = _measure(engine, OLD[kind], table, rows, options)
        new = _measure(engine, NEW[kind], table, rows, options)
        print(f"  {name:55s} {old:7.2f} -> {new:6.2f}  ({100 * (new - old) / old:+.0f} %)")


if __name__ == "__main__":
    main()
