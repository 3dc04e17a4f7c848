"""The end state the scenario must produce, computed from the scenario's own tables (never from the hub)."""

from __future__ import annotations

from collections import Counter

from jjj.demo import cases, disasters, eldercare, relief


def events() -> dict[tuple[str, str], dict]:
    """(region, event id) → stage, revision and the 核报 people figures."""
    out = {}
    for e in disasters.EVENTS:
        stage, rev = max(((s, r) for s, r, *_ in e.reports), key=lambda x: x[1])
        f = e.final
        out[(e.region, e.event_id)] = {"stage": stage, "revision": rev, "affected": f.affected, "deaths": f.deaths,
                                       "missing": f.missing, "relocated": f.relocated}
    return out


def region_totals() -> dict[str, dict[str, int]]:
    """Per region, sums over its events (人次 for people across events)."""
    out: dict[str, Counter] = {}
    for (region, _), ev in events().items():
        out.setdefault(region, Counter()).update({k: ev[k] for k in ("affected", "deaths", "missing", "relocated")})
    return {r: dict(c) for r, c in out.items()}


def support() -> dict[int, dict]:
    """Request line → requested, committed, shortfall, shipped, received, discrepancy."""
    out = {}
    for no, (item, qty) in relief.REQUEST.items():
        committed = sum(q for _, _, ls in relief.COMMITMENTS.values() for n, q, _ in ls if n == no)
        disc = sum(d for (_, n), (_, d, _) in relief.DISCREPANCIES.items() if n == no)
        out[no] = {"item_code": item, "requested": qty, "committed": committed, "shortfall": max(qty - committed, 0),
                   "shipped": committed, "received": committed - disc, "discrepancy": disc}
    return out


def statements() -> dict[str, dict]:
    """Hub statement id → accepted total (fen), line count, paid, disputed."""
    out = {}
    for key, group in eldercare.statement_groups().items():
        ok = [x for x in group if x.rejected_for is None]
        out[eldercare.statement_id(*key)] = {
            "period": key[0], "payer_district": key[1], "payee_region": key[2], "facility_id": key[3],
            "subsidy_type": key[4], "line_count": len(ok), "total_fen": sum(x.amount_fen for x in ok),
            "paid_fen": sum(x.amount_fen for x in ok), "disputed": key == eldercare.DISPUTED}
    return out


def period_totals() -> dict[str, dict[str, int]]:
    """Period → claimed and accepted fen over every claim line."""
    out: dict[str, dict[str, int]] = {}
    for x in eldercare.lines():
        p = out.setdefault(x.period, {"claimed_fen": 0, "accepted_fen": 0, "lines": 0})
        p["claimed_fen"] += x.amount_fen
        p["lines"] += 1
        p["accepted_fen"] += x.amount_fen if x.rejected_for is None else 0
    return out


def line_rejections() -> dict[str, int]:
    """Claim-line rejection reason → number of lines."""
    return dict(Counter(x.rejected_for for x in eldercare.lines() if x.rejected_for))


def receipt_rejections() -> dict[int, int]:
    """Hub receipt code → number of the scenario's bad messages rejected with it."""
    from jjj.demo import faults

    return dict(Counter(s.expect_code for s in faults.steps(_disaster_stub())))


def native_rejections() -> dict[str, int]:
    """Region → native records its adapter refuses at the edge (kept in the adapter's rejects table)."""
    from jjj.demo import faults

    stub = _disaster_stub()
    return dict(Counter(s.region for s in faults.native_steps(stub, lambda n: {"key_id": "k1", "ref": n})))


def _disaster_stub():  # noqa: ANN202
    from jjj.demo.people import PersonFactory

    return disasters.steps(PersonFactory(), lambda n: {"key_id": "k1", "ref": "0" * 64})


def referral() -> dict:
    return {"referral_id": cases.REFERRAL_ID, "state": "closed",
            "total_assistance_fen": cases.FIRST_AID_FEN + cases.GRANTED_FEN}


def verification() -> dict[str, dict[str, bool]]:
    """Request id → region → answered late?"""
    return {rid: {r: when[0] > deadline for r, when in answers.items()}
            for rid, (_, _, _, _, _, deadline, answers) in cases.VERIFICATIONS.items()}
