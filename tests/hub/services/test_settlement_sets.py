"""The set-based statement run issues exactly what the domain's ``build_statements`` gives for the same accepted
lines and adjustments: the same statements (ids, totals, counts) and the same lines, to the fen; rejected and
already settled lines stay out; the netting positions sum to zero."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from hub.domain.calendar import Period
from hub.domain.eldercare import Adjudication, ClaimLine
from hub.domain.settlement import Adjustment, StatementKey, build_statements
from hub.infrastructure import tables as t
from hub.services import jobs
from hub.services.policy import PROVINCE
from hub.services.settlement import statement_id

NOW = datetime(2026, 8, 6, 1, 0, tzinfo=UTC)
PERIOD = Period(2026, 7)


def data(seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    lines, adjustments = [], []
    for i in range(rng.randrange(40, 120)):
        region = rng.choice(("tj", "he", "bj"))
        payer = rng.choice(("110101", "110102", "120114", "130681"))
        accepted = rng.random() < 0.8
        fen = rng.choice((30000, 50000, 60000, 80000))
        lines.append({"claim_id": f"CL-{i // 3}", "line_id": str(i % 3 + 1), "period": rng.choice(
            ("2026-07", "2026-07", "2026-06")), "payer_district": payer, "facility_id": f"F-{region}-{rng.randrange(3)}",
            "facility_region": region, "subsidy_type": rng.choice(("age_80_89", "disability")),
            "elder_ref": f"k1:{i:08x}", "claimed_fen": fen, "accepted": accepted, "reasons": [] if accepted else ["x"],
            "payable_fen": fen if accepted else 0, "rate_fen": fen,
            "statement_id": "ST-OLD" if rng.random() < 0.1 else None, "updated_at": NOW})
    for j in range(rng.randrange(0, 6)):
        base = rng.choice(lines)
        adjustments.append({"adjustment_id": f"ADJ-{j}", "period": "2026-07", "adjusts_line_id":
                            f"{base['claim_id']}/{base['line_id']}", "adjusts_period": "2026-05",
                            "payer_district": base["payer_district"], "payee_region": base["facility_region"],
                            "facility_id": base["facility_id"], "subsidy_type": base["subsidy_type"],
                            "elder_ref": base["elder_ref"], "amount_fen": rng.choice((-60000, -500, 700)),
                            "reason": "更正", "created_by": "officer", "created_at": NOW})
    return lines, adjustments


def expected(lines: list[dict], adjustments: list[dict]) -> dict:
    """statement id → (total, count, {line id: (fen, adjusts)}) by the domain (June lines: June is not issued)."""
    adjudications = [Adjudication(ClaimLine(f"{r['claim_id']}/{r['line_id']}", r["elder_ref"], r["subsidy_type"],
                                            PERIOD, 31, r["claimed_fen"], r["facility_id"],
                                            PROVINCE[r["facility_region"]], r["payer_district"], NOW),
                                  () if r["accepted"] else ("x",), r["payable_fen"])
                     for r in lines if r["period"] == "2026-07" and r["statement_id"] is None]
    adjs = [Adjustment(a["adjustment_id"], StatementKey(PERIOD, a["payer_district"], PROVINCE[a["payee_region"]],
                                                        a["facility_id"], a["subsidy_type"]),
                       a["adjusts_line_id"], Period(2026, 5), a["elder_ref"], a["amount_fen"], a["reason"])
            for a in adjustments]
    return {statement_id(s.key): (s.total_fen, s.count, {ln.line_id: (ln.amount_fen, ln.adjusts) for ln in s.lines})
            for s in build_statements(adjudications, adjs)}


@pytest.mark.parametrize("seed", range(4))
def test_the_run_issues_what_the_domain_builds(engine, seed: int) -> None:  # noqa: ANN001
    lines, adjustments = data(seed)
    with engine.begin() as conn:
        conn.execute(insert(t.eldercare_adjudications), lines)
        if adjustments:
            conn.execute(insert(t.settlement_adjustments), adjustments)
    ids = jobs.run_statements(engine, PERIOD, NOW)
    want = expected(lines, adjustments)
    S, L, A = t.settlement_statements, t.settlement_lines, t.eldercare_adjudications
    with engine.connect() as conn:
        got = {r.statement_id: (r.total_fen, r.line_count, {}) for r in conn.execute(select(S))}
        for r in conn.execute(select(L)):
            got[r.statement_id][2][r.line_id] = (r.amount_fen, r.adjusts)
        frozen = {f"{r.claim_id}/{r.line_id}": r.statement_id for r in conn.execute(select(A))}
        positions = [r.position_fen for r in conn.execute(select(t.settlement_positions))]
    assert got == want
    assert sorted(ids) == sorted(want)
    for sid, (_total, _count, by_line) in want.items():
        for line_id, (_fen, adjusts) in by_line.items():
            if adjusts is None:
                assert frozen[line_id] == sid
    untouched = {f"{r['claim_id']}/{r['line_id']}": r["statement_id"] for r in lines
                 if not r["accepted"] or r["period"] != "2026-07" or r["statement_id"]}
    assert {k: frozen[k] for k in untouched} == untouched
    assert sum(positions) == 0
