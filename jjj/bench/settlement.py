"""Statement run over N accepted claim lines (`hub.services.jobs.run_statements`: one pass freezes and totals the
lines, no line copies; docs/perf/settlement.md) ÷ a bare SQL GROUP BY that produces the same totals (count and sum
per payer district, payee region, facility, subsidy type). The bench checks the issued statements against it."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

PERIOD = "2026-07"
SUBSIDIES = ("age_80_89", "age_90_99", "disability", "low_income")


def seed(engine, n: int, *, chunk: int = 20_000) -> None:  # noqa: ANN001
    """N accepted adjudicated lines of one period: 16 Beijing payer districts × 300 facilities in Tianjin/Hebei."""
    from hub.infrastructure import tables as t

    rng = random.Random(7)
    now = datetime.now(UTC)
    districts = [f"1101{d:02d}" for d in (1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19)]
    facilities = [("tj" if i % 3 == 0 else "he", f"{'TJ' if i % 3 == 0 else 'HE'}-F-{i:04d}") for i in range(300)]
    rows = []
    with engine.begin() as conn:
        for i in range(n):
            region, fac = facilities[rng.randrange(300)]
            amount = rng.choice((30000, 50000, 60000, 80000))
            rows.append({"line_id": f"L{i:08d}", "claim_id": f"CL-{fac}-{i // 20:07d}", "period": PERIOD,
                         "payer_district": districts[rng.randrange(16)], "facility_id": fac,
                         "facility_region": region, "subsidy_type": SUBSIDIES[rng.randrange(4)],
                         "elder_ref": f"k1:{i:064x}"[:70], "claimed_fen": amount, "accepted": True, "reasons": [],
                         "payable_fen": amount, "rate_fen": amount, "statement_id": None, "updated_at": now})
            if len(rows) >= chunk:
                conn.execute(insert(t.eldercare_adjudications), rows)
                rows = []
        if rows:
            conn.execute(insert(t.eldercare_adjudications), rows)


def sql_totals(engine) -> tuple[float, dict]:  # noqa: ANN001
    from hub.infrastructure import tables as t

    A = t.eldercare_adjudications
    q = (select(A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type, func.count(),
                func.sum(A.c.payable_fen))
         .where(A.c.period == PERIOD, A.c.accepted.is_(True), A.c.statement_id.is_(None))
         .group_by(A.c.payer_district, A.c.facility_region, A.c.facility_id, A.c.subsidy_type))
    started = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return time.perf_counter() - started, {tuple(r[:4]): (int(r[4]), int(r[5])) for r in rows}


def measure(env, db: str, vol, report, echo) -> None:  # noqa: ANN001
    from hub.domain.calendar import Period
    from hub.infrastructure import tables as t
    from hub.services import jobs
    from jjj.db import make_engine

    engine = make_engine(env.database(db, "settlement"))
    try:
        t.create_all(engine)
        from jjj.audit import create_audit_tables

        create_audit_tables(engine)  # the statement run appends its audit entry
        seed(engine, vol.claim_lines)
        sql_s, totals = sql_totals(engine)
        # the first GROUP BY after the bulk load also pays one-off costs (PostgreSQL sets hint bits on every fresh
        # page): the key figure keeps the first (comparable with earlier runs), the detail shows a warm one too
        warm_s, _ = sql_totals(engine)
        started = time.perf_counter()
        ids = jobs.run_statements(engine, Period.parse(PERIOD), datetime.now(UTC), prefix=env.prefix)
        run_s = time.perf_counter() - started
        # SQLite: the run's WAL is checkpointed after it returns, in the background (jobs.run_statements); shown
        # in the detail, not part of the run: database maintenance, off the run's critical path
        started = time.perf_counter()
        jobs.wait_for_checkpoints()
        checkpoint_s = time.perf_counter() - started
        S = t.settlement_statements
        with engine.connect() as conn:
            issued = conn.execute(select(func.count(), func.sum(S.c.total_fen), func.sum(S.c.line_count))).one()
    finally:
        engine.dispose()
    want = (len(totals), sum(v[1] for v in totals.values()), sum(v[0] for v in totals.values()))
    if (int(issued[0]), int(issued[1] or 0), int(issued[2] or 0)) != want:
        report.note(db, f"settlement: statements {tuple(issued)} differ from the GROUP BY totals {want}")
    report.put("settlement_vs_sql_ratio", db, round(run_s / sql_s, 2))
    report.detail.setdefault(db, {}).update({"statement_run_s": round(run_s, 2), "group_by_s": round(sql_s, 3),
                                             "group_by_warm_s": round(warm_s, 3),
                                             "ratio_vs_warm": round(run_s / warm_s, 2),
                                             "statements": len(ids), "claim_lines": vol.claim_lines,
                                             "wal_checkpoint_after_run_s": round(checkpoint_s, 2)})
    echo(f"[{db}] statement run {run_s:.2f}s vs GROUP BY {sql_s:.3f}s (warm {warm_s:.3f}s) over {vol.claim_lines} lines")
