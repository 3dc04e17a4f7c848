"""p99 of the main API calls on a large database (not a test): 100,000 disaster report revisions (10,000 events),
1,000,000 claim lines with their adjudications and claim summaries, 15,360 statements, and a hub outbox of 200,000
receipts plus two notices per statement, bulk-inserted with executemany. Called: the filtered calls of CALLS, the
dashboard panels' first pages, then every other parameterless GET route.

    python -m hub.entrypoints.web.bench [--database-url URL] [--calls 200]

Requests go through the whole Flask app (auth by bearer token, validation, SQL, JSON) with its test client, so the
figures exclude only the HTTP socket.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from hub.infrastructure import tables as t
from hub.services.disasters import recount
from jjj.config import Settings
from jjj.db import make_engine

REGIONS = ("bj", "tj", "he")
DISTRICTS = [f"1101{n:02d}" for n in (1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19)] + \
            [f"1201{n:02d}" for n in (1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)]
PERIODS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
NOW = datetime(2026, 8, 1, tzinfo=UTC)
CHUNK = 20_000


def _chunks(rows_iter, n: int = CHUNK):  # noqa: ANN001, ANN202
    buf = []
    for r in rows_iter:
        buf.append(r)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def fill(engine, events: int = 10_000, revisions: int = 10, claim_lines: int = 1_000_000,  # noqa: ANN001
         receipts: int = 200_000) -> None:
    rnd = random.Random(7)

    def reports():  # noqa: ANN202
        for e in range(events):
            region = REGIONS[e % 3]
            for rev in range(1, revisions + 1):
                stage = "initial" if rev == 1 else "final" if rev == revisions and e % 2 else "update"
                yield {"message_id": f"M{e:05d}{rev:03d}", "region": region, "event_id": f"E{e:05d}",
                       "kind": "disaster.report", "stage": stage, "revision": rev,
                       "data_as_of": (NOW - timedelta(days=e % 400, hours=revisions - rev)).isoformat(),
                       "sent_at": NOW.isoformat(), "received_at": NOW,
                       "payload": {"event_id": f"E{e:05d}", "revision": rev, "totals": {"people": {"affected": rev}}}}

    def states():  # noqa: ANN202
        for e in range(events):
            region = REGIONS[e % 3]
            county = {"bj": "110111", "tj": "120114", "he": "131082"}[region]
            yield {"region": region, "event_id": f"E{e:05d}", "status": "closed" if e % 2 else "open",
                   "stage": "final" if e % 2 else "update", "revision": revisions,
                   "current_message_id": f"M{e:05d}{revisions:03d}", "final_message_id": None,
                   "data_as_of": NOW.isoformat(), "disaster_type": rnd.choice(["flood", "drought", "wind_hail"]),
                   "started_on": date(2026, 7, 31) - timedelta(days=e % 400), "reporting_unit_code": county,
                   "shared_event_ref": None, "counties": [county],
                   "figures": {"affected_population": rnd.randint(0, 5000), "deaths": rnd.randint(0, 2),
                               "relocated_realtime": rnd.randint(0, 300)},
                   "county_figures": {county: {"affected_population": 100}}, "report_count": revisions,
                   "ignored": [], "decreases": [], "inconsistencies": [], "deadline_flags": [],
                   "first_received_at": NOW, "updated_at": NOW}

    def lines():  # noqa: ANN202
        for i in range(claim_lines):
            claim = i // 50
            yield {"line_id": f"L{i:07d}", "claim_id": f"C{claim:06d}", "message_id": f"CM{claim:06d}",
                   "region": "he", "facility_id": f"F{claim % 200:03d}", "facility_region": "he",
                   "payer_district": DISTRICTS[claim % len(DISTRICTS)], "period": PERIODS[(claim // 32) % 24],
                   "elder_ref": f"k1:{i:064x}", "enrolment_id": f"EN{i:07d}", "subsidy_type": "bed_operation",
                   "days_in_care": 30, "amount_fen": 50000, "submitted_at": NOW}

    def claims():  # noqa: ANN202  (the intake keeps one summary row per claim beside its lines)
        for claim in range((claim_lines + 49) // 50):
            n = min(50, claim_lines - claim * 50)
            yield {"claim_id": f"C{claim:06d}", "payer_district": DISTRICTS[claim % len(DISTRICTS)],
                   "period": PERIODS[(claim // 32) % 24], "facility_id": f"F{claim % 200:03d}",
                   "facility_region": "he", "line_count": n, "claimed_fen": 50000 * n, "submitted_at": NOW}

    def adjudications():  # noqa: ANN202
        for x in lines():
            yield {"line_id": x["line_id"], "claim_id": x["claim_id"], "period": x["period"],
                   "payer_district": x["payer_district"], "facility_id": x["facility_id"], "facility_region": "he",
                   "subsidy_type": "bed_operation", "elder_ref": x["elder_ref"], "claimed_fen": 50000,
                   "accepted": True, "reasons": [], "payable_fen": 50000, "rate_fen": 50000, "statement_id": None,
                   "updated_at": NOW}

    def statements():  # noqa: ANN202
        for d in DISTRICTS:
            for p in PERIODS:
                for f in range(20):
                    yield {"statement_id": f"S-{d}-{p}-{f}", "period": p, "payer_district": d, "payer_region": "bj",
                           "payee_region": "he", "facility_id": f"F{f:03d}", "subsidy_type": "bed_operation",
                           "total_fen": 2_500_000, "line_count": 50, "issued_at": NOW}

    def outbox():  # noqa: ANN202  (a receipt per message the hub took, and two notices per statement to the payee)
        seq = 0
        for i in range(receipts):
            seq += 1
            yield {"seq": seq, "message_id": f"R{i:08d}", "kind": "hub.receipt@1.0", "topic": "jjj.to.he",
                   "key": f"M{i:08d}", "value": b"{}", "headers": None, "created_at": NOW, "sent_at": NOW,
                   "partition": 0, "offset": i}
        for st in statements():
            for notice in ("issued", "confirmed"):
                seq += 1
                payload = {"statement_id": st["statement_id"], "notice_type": notice, "period": st["period"],
                           "payer_code": st["payer_district"], "payee_region": "he", "claim_count": 1,
                           "claimed_fen": st["total_fen"], "accepted_fen": st["total_fen"], "differences": [],
                           "due_on": None}
                yield {"seq": seq, "message_id": f"N{seq:08d}", "kind": "hub.statement_notice@1.0",
                       "topic": "jjj.to.he", "key": st["statement_id"],
                       "value": json.dumps({"payload": payload}).encode(), "headers": None, "created_at": NOW,
                       "sent_at": NOW, "partition": 0, "offset": seq}

    for table, rows in ((t.disaster_reports, reports()), (t.disaster_events, states()),
                        (t.eldercare_claim_lines, lines()), (t.eldercare_claims, claims()),
                        (t.eldercare_adjudications, adjudications()),
                        (t.settlement_statements, statements()), (t.hub_outbox, outbox())):
        t0 = time.perf_counter()
        n = 0
        for chunk in _chunks(rows):
            with engine.begin() as conn:
                conn.execute(insert(table), chunk)
            n += len(chunk)
        print(f"  {table.name}: {n:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    with engine.begin() as conn:
        recount(conn)  # the workers' revision counts of the seeded events


CALLS = [
    "/api/v1/disasters?per_page=50",
    "/api/v1/disasters?region=bj&status=open&per_page=50",
    "/api/v1/disasters?type=flood&started_from=2026-01-01&sort=-data_as_of",
    "/api/v1/disasters/bj/E00042",
    "/api/v1/overview",
    "/api/v1/eldercare/claims?payer_district=110102&period=2026-03",
    "/api/v1/eldercare/adjudications?payer_district=110102&period=2026-03",
    "/api/v1/eldercare/statements?payer_district=110102&period=2026-03",
    "/api/v1/regions",
    # the dashboard's panels (unfiltered first pages, as the pages load them)
    "/api/v1/disasters?per_page=50&status=open",
    "/api/v1/eldercare/claims?per_page=100",
    "/api/v1/eldercare/statements?per_page=100",
    "/api/v1/eldercare/notices?per_page=100",
    "/api/v1/eldercare/adjudications",
    "/api/v1/map",
    "/api/v1/rejections?per_page=100",
    "/api/v1/dead-letters?per_page=50",
]


def measure(app, token: str, calls: int) -> list[tuple[str, float, float]]:  # noqa: ANN001
    """p50 and p99 (ms) of each call in CALLS, then of every parameterless GET route of the API as it is."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    routes = sorted(r.rule for r in app.url_map.iter_rules()
                    if r.rule.startswith("/api/v1/") and "GET" in r.methods and not r.arguments)
    out = []
    for path in CALLS + [r for r in routes if r not in CALLS]:
        assert client.get(path, headers=headers).status_code == 200, path
        samples = []
        for _ in range(calls):
            t0 = time.perf_counter()
            resp = client.get(path, headers=headers)
            samples.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200
        samples.sort()
        out.append((path, statistics.median(samples), samples[int(len(samples) * 0.99) - 1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temp folder")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--claim-lines", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url, sqlite_pool=True)  # as the web app makes it
        t.create_all(engine)
        from hub.entrypoints.web import auth_store, create_app

        app = create_app(Settings(state_dir=Path(tmp), database_url=url), engine=engine)
        app.config["JJJ_KAFKA_PROBE"] = False
        print(f"filling {engine.dialect.name} ...", flush=True)
        fill(engine, events=args.events, claim_lines=args.claim_lines)
        auth_store.add_user(engine, "bench", "bench-password-1", "admin")
        token = auth_store.issue_token(engine, "bench")
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        print(f"{'call':70} {'p50 ms':>8} {'p99 ms':>8}")
        results = measure(app, token, args.calls)
        for path, p50, p99 in results:
            print(f"{path:70} {p50:8.1f} {p99:8.1f}")
        worst = max(results, key=lambda r: r[2])
        print(f"{len(results)} calls; the slowest p99: {worst[2]:.1f} ms ({worst[0]})")
        engine.dispose()


if __name__ == "__main__":
    main()
