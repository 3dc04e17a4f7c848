"""Brings the API pass's database to the volume issue 6 names: 100,000 disaster revisions and 1,000,000 claim lines.

Disaster revisions go through the hub's real intake in-process (signed records, the same checks, rules and
derived state as on the bus: the events, links and totals the dashboard reads are the ones the hub built).
Claim lines and their adjudications are bulk-inserted (the intake of claims is measured by the hub pass; here only
the table sizes matter for the queries), then the statement run issues that period's statements.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import schemas
from jjj.bench.data import BenchMessage, signed_headers
from jjj.bus.topics import region_topic
from schemas.tools.samples import sample_message

REGIONS = {"bj": ("110000", "BJ", ["110105", "110106", "110108", "110111", "110112", "110114", "110116", "110117"]),
           "tj": ("120000", "TJ", ["120101", "120110", "120111", "120112", "120113", "120114", "120115", "120116"]),
           "he": ("130000", "HE", ["130102", "130104", "130203", "130302", "130402", "130602", "130682", "131002"])}


def _report(prefix: str, i: int, per_event: int, template: dict) -> BenchMessage:
    """Revision ``i % per_event + 1`` of event ``i // per_event``: figures grow with the revision (no flags)."""
    event, rev = divmod(i, per_event)
    region = ("bj", "tj", "he")[event % 3]
    unit, tag, counties = REGIONS[region]
    county = counties[event % len(counties)]
    payload = dict(template["payload"], event_id=f"{tag}-2026-BENCH-{event:06d}",
                   stage="initial" if rev == 0 else "update", revision=rev + 1,
                   reporting_unit_code=unit, data_as_of=f"2026-07-{1 + rev % 28:02d}T08:00:00+08:00")
    payload["totals"] = _scaled(template["payload"]["totals"], rev + 1)
    payload["counties"] = [dict(c, county_code=county, indicators=_scaled(c["indicators"], rev + 1), townships=[])
                           for c in template["payload"]["counties"][:1]]
    msg = dict(template, message_id=schemas.new_message_id(), status="actual", payload=payload,
               sender={"region": region, "unit_code": unit, "system_id": f"{region}-adapter"})
    spec = schemas.KINDS["disaster.report"]
    return BenchMessage(msg["message_id"], f"disaster.report@{msg['schema_version']}", region,
                        region_topic(prefix, region, spec.family), spec.partition_key(payload),
                        schemas.serde._dumps(msg))


def _scaled(block: object, k: int) -> object:
    """Every integer count times ``k`` (cumulative figures rise with each revision); decimals kept, and deaths and
    missing too (the report's name list must match them)."""
    if isinstance(block, dict):
        return {key: v if key in ("deaths", "missing") else _scaled(v, k) for key, v in block.items()}
    if isinstance(block, bool):
        return block
    if isinstance(block, int):
        return block * k
    return block


def disaster_records(prefix: str, signers: dict, n: int, *, per_event: int = 10, batch: int = 500) -> Iterator[list]:
    """Poll-sized batches of signed hub ``Record``s: ``n`` revisions, ``per_event`` per event."""
    from hub.services.records import Record

    template = sample_message("disaster.report")
    offsets: dict[tuple[str, int], int] = {}
    for start in range(0, n, batch):
        chunk = [_report(prefix, i, per_event, template) for i in range(start, min(n, start + batch))]
        records = []
        for m, headers in zip(chunk, signed_headers(signers, chunk), strict=True):
            part = hash(m.key) % 3
            off = offsets[(m.topic, part)] = offsets.get((m.topic, part), -1) + 1
            records.append(Record(m.topic, part, off, m.key.encode(), m.value, dict(headers)))
        yield records


def seed_disasters(services, signers: dict, n: int, progress: Callable[[int], None] | None = None) -> dict:  # noqa: ANN001
    """Runs ``n`` disaster revisions through ``services.intake``; returns the receipt codes."""
    codes: dict[int, int] = {}
    done = 0
    for records in disaster_records(services.settings.topic_prefix, signers, n):
        result = services.intake.process(records)
        for code, count in (result.codes or {}).items():
            codes[code] = codes.get(code, 0) + count
        done += len(records)
        if progress:
            progress(done)
    return codes


def seed_claim_lines(engine, n: int, *, period: str = "2026-06", chunk: int = 20_000) -> None:  # noqa: ANN001
    """``n`` claim lines with their (accepted) adjudications: Beijing districts paying Tianjin/Hebei facilities."""
    from sqlalchemy import insert

    from hub.infrastructure import tables as t

    rng = random.Random(11)
    now = datetime.now(UTC)
    districts = [f"1101{d:02d}" for d in (1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19)]
    subsidies = ("age_80_89", "age_90_99", "disability", "low_income")
    lines, decisions, claims = [], [], {}
    with engine.begin() as conn:
        for i in range(n):
            if i % 20 == 0:  # a claim: 20 lines of one facility, paid by one district
                region = "tj" if i // 20 % 3 == 0 else "he"
                fac = f"{region.upper()}-F-{rng.randrange(300):04d}"
                district = districts[rng.randrange(16)]
            claim, line = f"CLV-{fac}-{i // 20:07d}", str(i % 20 + 1)
            elder = f"k1:{i:064x}"
            amount = rng.choice((30000, 50000, 60000, 80000))
            subsidy = subsidies[rng.randrange(4)]
            summary = claims.setdefault(claim, {"claim_id": claim, "payer_district": district, "period": period,
                                                "facility_id": fac, "facility_region": region, "line_count": 0,
                                                "claimed_fen": 0, "submitted_at": now})
            summary["line_count"] += 1
            summary["claimed_fen"] += amount
            lines.append({"claim_id": claim, "line_id": line, "message_id": f"M{i // 20:025d}"[:26],
                          "region": region, "facility_id": fac, "facility_region": region,
                          "payer_district": district, "period": period, "elder_ref": elder,
                          "enrolment_id": f"EN-V-{i:08d}", "subsidy_type": subsidy, "days_in_care": 30,
                          "amount_fen": amount, "submitted_at": now})
            decisions.append({"claim_id": claim, "line_id": line, "period": period, "payer_district": district,
                              "facility_id": fac, "facility_region": region, "subsidy_type": subsidy,
                              "elder_ref": elder, "claimed_fen": amount, "accepted": True, "reasons": [],
                              "payable_fen": amount, "rate_fen": amount, "statement_id": None, "updated_at": now})
            if len(lines) >= chunk and i % 20 == 19:
                conn.execute(insert(t.eldercare_claim_lines), lines)
                conn.execute(insert(t.eldercare_adjudications), decisions)
                conn.execute(insert(t.eldercare_claims), list(claims.values()))
                lines, decisions, claims = [], [], {}
        if lines:
            conn.execute(insert(t.eldercare_claim_lines), lines)
            conn.execute(insert(t.eldercare_adjudications), decisions)
            conn.execute(insert(t.eldercare_claims), list(claims.values()))


def top_up(services, signers: dict, *, revisions: int, claim_lines: int, echo: Callable[[str], None]) -> dict:  # noqa: ANN001
    """Adds what the database lacks to reach ``revisions`` disaster revisions and ``claim_lines`` claim lines."""
    from sqlalchemy import func, select

    from hub.domain.calendar import Period
    from hub.infrastructure import tables as t
    from hub.services import jobs

    engine = services.engine
    with engine.connect() as conn:
        have_rev = conn.execute(select(func.count()).select_from(t.disaster_reports)).scalar_one()
        have_lines = conn.execute(select(func.count()).select_from(t.eldercare_claim_lines)).scalar_one()
    out = {"revisions_before": have_rev, "claim_lines_before": have_lines}
    started = time.perf_counter()
    if revisions > have_rev:
        out["seed_codes"] = seed_disasters(services, signers, revisions - have_rev)
    out["seed_disasters_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    if claim_lines > have_lines:
        seed_claim_lines(engine, claim_lines - have_lines)
        jobs.run_statements(engine, Period.parse("2026-06"), datetime.now(UTC),
                            prefix=services.settings.topic_prefix)
    out["seed_claims_s"] = round(time.perf_counter() - started, 1)
    with engine.connect() as conn:
        out["revisions"] = conn.execute(select(func.count()).select_from(t.disaster_reports)).scalar_one()
        out["claim_lines"] = conn.execute(select(func.count()).select_from(t.eldercare_claim_lines)).scalar_one()
        out["events"] = conn.execute(select(func.count()).select_from(t.disaster_events)).scalar_one()
        out["statements"] = conn.execute(select(func.count()).select_from(t.settlement_statements)).scalar_one()
    echo(f"API database: {out['revisions']:,} disaster revisions ({out['events']:,} events), "
         f"{out['claim_lines']:,} claim lines, {out['statements']:,} statements "
         f"(seeded in {out['seed_disasters_s']}s + {out['seed_claims_s']}s)")
    return out
