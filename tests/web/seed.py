"""A small, exact data set written straight into the hub's tables (the state the hub services would derive)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert

from hub.infrastructure import tables as t
from hub.services.disasters import recount

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
PAST = datetime(2020, 1, 1, tzinfo=UTC)
FUTURE = datetime(2099, 1, 1, tzinfo=UTC)


def _event(region, event_id, status, stage, revision, dtype, started, counties, figures):  # noqa: ANN001, ANN202
    return {"region": region, "event_id": event_id, "status": status, "stage": stage, "revision": revision,
            "current_message_id": f"{event_id}-m{revision}", "final_message_id": None,
            "data_as_of": f"{started}T20:00:00+08:00", "disaster_type": dtype, "started_on": date.fromisoformat(started),
            "reporting_unit_code": region_unit(region), "shared_event_ref": None, "counties": sorted(counties),
            "figures": figures, "county_figures": counties, "report_count": revision, "ignored": [], "decreases": [],
            "inconsistencies": [], "deadline_flags": [], "first_received_at": NOW, "updated_at": NOW}


def region_unit(region: str) -> str:
    return {"bj": "110000", "tj": "120000", "he": "130000"}[region]


EVENTS = [
    _event("bj", "BJ-E1", "open", "update", 2, "flood", "2026-07-30",
           {"110111": {"affected_population": 10000}, "110109": {"affected_population": 2850}},
           {"affected_population": 12850, "deaths": 0, "missing": 0, "relocated_cumulative": 900,
            "relocated_realtime": 450}),
    _event("he", "HE-E1", "open", "initial", 1, "flood", "2026-07-31",
           {"131082": {"affected_population": 5000}},
           {"affected_population": 5000, "deaths": 2, "missing": 1, "relocated_cumulative": 300,
            "relocated_realtime": 300}),
    _event("tj", "TJ-E1", "closed", "final", 3, "wind_hail", "2026-06-01",
           {"120114": {"affected_population": 700}}, {"affected_population": 700, "injured": 3}),
    _event("he", "HE-E2", "cancelled", "initial", 1, "geological", "2026-07-01",
           {"130681": {"affected_population": 999}}, {"affected_population": 999}),
]


def _report(event_id, stage, revision, as_of):  # noqa: ANN001, ANN202
    return {"message_id": f"{event_id}-m{revision}", "region": "bj", "event_id": event_id, "kind": "disaster.report",
            "stage": stage, "revision": revision, "data_as_of": as_of, "sent_at": as_of, "received_at": NOW,
            "payload": {"event_id": event_id, "revision": revision, "stage": stage}}


def _stock(depot, region, tier, item, available):  # noqa: ANN001, ANN202
    return {"depot_id": depot, "item": item, "spec": "std", "batch": "B1", "region": region, "tier": tier,
            "unit": "床" if item == "quilt" else "顶", "on_hand": available, "reserved": 0, "damaged": 0,
            "available": available, "last_snapshot_at": NOW, "movement_count": 1, "discrepancy_count": 0,
            "updated_at": NOW}


def _line(claim, district, n, fen):  # noqa: ANN001, ANN202
    return {"line_id": f"{claim}-L{n}", "claim_id": claim, "message_id": f"{claim}-m", "region": "he",
            "facility_id": f"F-{claim}", "facility_region": "he", "payer_district": district, "period": "2026-06",
            "elder_ref": f"k1:{'ab' * 31}{n:02d}", "enrolment_id": f"EN-{claim}-{n}", "subsidy_type": "bed_operation_disabled",
            "days_in_care": 30, "amount_fen": fen, "submitted_at": NOW}


def _adj(line):  # noqa: ANN001, ANN202
    return {"line_id": line["line_id"], "claim_id": line["claim_id"], "period": line["period"],
            "payer_district": line["payer_district"], "facility_id": line["facility_id"], "facility_region": "he",
            "subsidy_type": line["subsidy_type"], "elder_ref": line["elder_ref"], "claimed_fen": line["amount_fen"],
            "accepted": True, "reasons": [], "payable_fen": line["amount_fen"], "rate_fen": line["amount_fen"],
            "statement_id": None, "updated_at": NOW}


CLAIM_LINES = [_line("C-XC-1", "110102", n, 50000) for n in (1, 2, 3)] + \
              [_line("C-CY-1", "110105", n, 30000) for n in (1, 2)]
STATEMENTS = [
    {"statement_id": "S-XC-1", "period": "2026-06", "payer_district": "110102", "payer_region": "bj",
     "payee_region": "he", "facility_id": "F-C-XC-1", "subsidy_type": "bed_operation_disabled", "total_fen": 150000,
     "line_count": 3, "issued_at": NOW},
    {"statement_id": "S-CY-1", "period": "2026-06", "payer_district": "110105", "payer_region": "bj",
     "payee_region": "he", "facility_id": "F-C-CY-1", "subsidy_type": "bed_operation_disabled", "total_fen": 60000,
     "line_count": 2, "issued_at": NOW},
]


def _issued_notices(prefix: str) -> list[dict]:
    """The 'issued' hub.statement_notice of each statement, to its payer and payee regions, as the statement run
    queues them (hub_outbox rows; the payee's copy of S-XC-1 already delivered, the others still queued)."""
    import schemas
    from hub.services.outgoing import hub_message

    rows = []
    for st in STATEMENTS:
        payload = {"statement_id": st["statement_id"], "notice_type": "issued", "payer_code": st["payer_district"],
                   "payee_region": st["payee_region"], "period": st["period"], "claim_count": st["line_count"],
                   "claimed_fen": st["total_fen"], "accepted_fen": st["total_fen"]}
        for region in (st["payer_region"], st["payee_region"]):
            msg = hub_message("hub.statement_notice", payload, sent_at=NOW.isoformat())
            delivered = st["statement_id"] == "S-XC-1" and region == "he"
            rows.append({"message_id": msg["message_id"], "kind": "hub.statement_notice@1.0",
                         "topic": f"{prefix}.to.{region}", "key": st["statement_id"], "value": schemas.encode(msg),
                         "headers": None, "created_at": NOW, "sent_at": NOW if delivered else None,
                         "partition": 0 if delivered else None, "offset": 7 if delivered else None})
    return rows


def claim_summaries(lines: list[dict]) -> list[dict]:
    """What the intake keeps per claim beside its lines (``eldercare_claims``)."""
    out: dict[str, dict] = {}
    for x in lines:
        s = out.setdefault(x["claim_id"], {k: x[k] for k in ("claim_id", "payer_district", "period", "facility_id",
                                                              "facility_region", "submitted_at")}
                           | {"line_count": 0, "claimed_fen": 0})
        s["line_count"] += 1
        s["claimed_fen"] += x["amount_fen"]
    return list(out.values())


def seed(engine, prefix: str = "tweb") -> None:  # noqa: ANN001
    with engine.begin() as c:
        c.execute(insert(t.hub_outbox), _issued_notices(prefix))
        c.execute(insert(t.disaster_events), EVENTS)
        c.execute(insert(t.disaster_reports), [_report("BJ-E1", "initial", 1, "2026-07-30T20:00:00+08:00"),
                                               _report("BJ-E1", "update", 2, "2026-07-31T08:00:00+08:00")])
        recount(c)
        c.execute(insert(t.relief_stock_positions), [_stock("BJ-D1", "bj", "province", "tent_single", 50),
                                                     _stock("BJ-D1", "bj", "province", "quilt", 2000),
                                                     _stock("HE-D1", "he", "county", "quilt", 100)])
        c.execute(insert(t.verification_state), [
            {"request_id": "V1", "region": "bj", "status": "open", "due_on": date(2020, 1, 1), "expected": 4,
             "answered": 1, "missing": [{"subject_ref": "s1", "item": "hukou", "region": "he"}], "late_count": 0,
             "duplicate_count": 0, "unexpected_count": 0, "result_sent_at": None, "result_status": None, "updated_at": NOW},
            {"request_id": "V2", "region": "tj", "status": "complete", "due_on": date(2099, 1, 1), "expected": 2,
             "answered": 2, "missing": [], "late_count": 0, "duplicate_count": 0, "unexpected_count": 0, "result_sent_at": NOW,
             "result_status": "complete", "updated_at": NOW}])
        c.execute(insert(t.referrals), [
            {"referral_id": "R1", "from_region": "tj", "to_region": "bj", "state": "sent", "sent_at": PAST,
             "acknowledge_by": PAST, "acknowledged_at": None, "pending": 0, "flags": [], "overdue_notified_at": None,
             "updated_at": NOW},
            {"referral_id": "R2", "from_region": "he", "to_region": "bj", "state": "accepted", "sent_at": NOW,
             "acknowledge_by": FUTURE, "acknowledged_at": NOW, "pending": 0, "flags": [], "overdue_notified_at": None,
             "updated_at": NOW}])
        c.execute(insert(t.eldercare_claim_lines), CLAIM_LINES)
        c.execute(insert(t.eldercare_claims), claim_summaries(CLAIM_LINES))
        c.execute(insert(t.eldercare_adjudications), [_adj(x) for x in CLAIM_LINES])
        c.execute(insert(t.settlement_statements), STATEMENTS)
        c.execute(insert(t.settlement_lines), [
            {"statement_id": "S-XC-1" if x["payer_district"] == "110102" else "S-CY-1", "line_id": x["line_id"],
             "elder_ref": x["elder_ref"], "amount_fen": x["amount_fen"], "adjusts": None} for x in CLAIM_LINES])
        c.execute(insert(t.region_heartbeats), [
            {"region": "bj", "adapter_id": "bj-1", "last_seen_at": NOW, "sent_at": NOW.isoformat(), "outbox_depth": 3,
             "oldest_pending_at": None, "software_version": "0.1.0", "stale_since": None}])
        processed = [
            {"message_id": f"m{i}", "topic": f"jjj.{r}.disaster", "partition": 0, "offset": i, "region": r, "kind": k,
             "code": code, "reason": None, "received_at": NOW}
            for i, (r, k, code) in enumerate([("bj", "disaster.report", 100), ("bj", "disaster.report", 100),
                                              ("bj", "disaster.report", 400), ("he", "relief.dispatch", 410)])]
        c.execute(insert(t.processed), processed)
        from hub.infrastructure.sql import accumulate
        from hub.services.intake import _counts

        accumulate(c, t.processed_counts, _counts(processed), add="count", latest="last_at")  # as the intake does
        c.execute(insert(t.dead_letters), [
            {"message_id": "m2", "topic": "jjj.bj.disaster", "partition": 0, "offset": 2, "region": "bj", "code": 400,
             "reason": "schema", "paths": ["payload.totals"], "original": "e30=", "received_at": NOW, "replayed_at": None},
            {"message_id": "m3", "topic": "jjj.he.relief", "partition": 0, "offset": 3, "region": "he", "code": 410,
             "reason": "signature", "paths": None, "original": "e30=", "received_at": NOW, "replayed_at": None}])
