"""Eldercare family: enrolments and rate tables (newest version wins), claim lines (facts) → adjudications.

Adjudication depends on every line of the same elder (duplicates across facilities and regions, one facility per
day), so the unit of recompute is the elder: all their lines are re-adjudicated together with the pure rules.
A line already on an issued statement is frozen (``statement_id`` set): statements are immutable and corrections
are later-period adjustments. Each claim gets an adjudication notice (``hub.routed_request`` carrying an
``eldercare.adjudication`` payload from the payer region to the facility region) whenever its decision changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import or_, select

from hub.domain.calendar import Period
from hub.domain.eldercare import ClaimLine, Enrolment, RateTable, Reason, adjudicate
from hub.domain.errors import DomainError
from hub.infrastructure import tables as t
from hub.infrastructure.sql import upsert
from hub.services.context import Batch
from hub.services.policy import PROVINCE, bus_region_of
from hub.services.verification import ref_text

REASON_CODE = {Reason.NOT_ENROLLED: "not_enrolled", Reason.NOT_HOME_REGISTERED: "not_eligible",
               Reason.DECEASED: "deceased", Reason.ASSESSMENT_INVALID: "assessment_expired",
               Reason.DAYS_OUT_OF_RANGE: "other", Reason.DAYS_EXCEED_ENROLMENT: "other",
               Reason.UNDER_15_DAYS: "under_15_days", Reason.NO_RATE: "not_eligible",
               Reason.AMOUNT_MISMATCH: "rate_mismatch", Reason.OVERLAPPING_FACILITY: "duplicate",
               Reason.DUPLICATE: "duplicate"}


def version(msg: dict) -> str:
    """A sortable version: sent_at in UTC, then the message id (ties)."""
    return f"{datetime.fromisoformat(msg['sent_at']).astimezone(UTC).isoformat()}|{msg['message_id']}"


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def on_enrolment(batch: Batch, msg: dict) -> None:
    p = msg["payload"]
    a = p["assessment"]
    elder = ref_text(p["elder_ref"])
    batch.upserts[t.eldercare_enrolments].append({
        "enrolment_id": p["enrolment_id"], "message_id": msg["message_id"], "version_at": version(msg),
        "region": msg["sender"]["region"], "elder_ref": elder, "home_district": p["home_district_code"],
        "facility_id": p["facility"]["facility_id"], "facility_region": p["facility_region"],
        "admitted_on": date.fromisoformat(p["admitted_on"]),
        "discharged_on": date.fromisoformat(p["discharged_on"]) if p.get("discharged_on") else None,
        "grade": a["grade"], "assessed_on": date.fromisoformat(a["assessed_on"]),
        "assessment_valid_until": date.fromisoformat(a["valid_until"]), "subsidy_types": list(p["subsidy_types"])})
    batch.touch("elder", elder)


def on_entitlement_table(batch: Batch, msg: dict) -> None:
    p = msg["payload"]
    for r in p["rates"]:
        batch.upserts[t.eldercare_rates].append({
            "payer_code": p["payer_code"], "subsidy_type": r["subsidy_type"],
            "effective_from": date.fromisoformat(r["effective_from"]),
            "effective_to": date.fromisoformat(r["effective_to"]) if r.get("effective_to") else None,
            "rate_fen": r["rate_fen"], "table_id": p["table_id"], "version_at": version(msg)})
    batch.touch("payer", p["payer_code"])


def on_claim(batch: Batch, msg: dict) -> None:
    p = msg["payload"]
    for line in p["lines"]:
        elder = ref_text(line["elder_ref"])
        batch.add(t.eldercare_claim_lines, {
            "line_id": line["line_id"], "claim_id": p["claim_id"], "message_id": msg["message_id"],
            "region": msg["sender"]["region"], "facility_id": p["facility"]["facility_id"],
            "facility_region": p["facility_region"], "payer_district": p["payer_district_code"],
            "period": p["period"], "elder_ref": elder, "enrolment_id": line["enrolment_id"],
            "subsidy_type": line["subsidy_type"], "days_in_care": line["days_in_care"],
            "amount_fen": line["amount_fen"], "submitted_at": datetime.fromisoformat(msg["sent_at"])})
        batch.touch("elder", elder)
    batch.touch("claim", p["claim_id"])


def _rates(conn, payers: set[str]) -> dict[str, RateTable]:  # noqa: ANN001
    """Per payer district: its own rates over its province's (a municipality-wide table applies to every district)."""
    R = t.eldercare_rates
    codes = payers | {p[:2] + "0000" for p in payers}
    raw: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in conn.execute(select(R).where(R.c.payer_code.in_(sorted(codes)))):
        raw[r.payer_code][r.subsidy_type].append((r.effective_from, int(r.rate_fen)))
    out = {}
    for payer in payers:
        # the district's own entries win from their effective date; before it the province's rate applies
        merged: dict[str, dict] = defaultdict(dict)
        for code in (payer[:2] + "0000", payer):
            for subsidy, entries in raw.get(code, {}).items():
                merged[subsidy].update(dict(entries))
        out[payer] = RateTable({k: sorted(v.items()) for k, v in merged.items()})
    return out


def recompute(batch: Batch) -> None:
    conn = batch.conn
    payers = batch.touched.pop("payer", set())
    elders = batch.touched.pop("elder", set())
    if payers:
        L, A = t.eldercare_claim_lines, t.eldercare_adjudications
        frozen = select(A.c.line_id).where(A.c.statement_id.is_not(None))
        conds = [L.c.payer_district.like(p[:2] + "%") if p.endswith("0000") else L.c.payer_district == p
                 for p in payers]
        elders |= {r.elder_ref for r in conn.execute(
            select(L.c.elder_ref).where(or_(*conds), L.c.line_id.not_in(frozen)).distinct())}
    claims = set(batch.touched.pop("claim", set()))
    if elders:
        claims |= adjudicate_elders(batch, sorted(elders))
    if claims:
        notify_claims(batch, sorted(claims))


def adjudicate_elders(batch: Batch, elders: list[str]) -> set[str]:
    conn, L, E, A = batch.conn, t.eldercare_claim_lines, t.eldercare_enrolments, t.eldercare_adjudications
    lines, enrols = [], []
    for i in range(0, len(elders), 500):
        chunk = elders[i:i + 500]
        lines += [dict(r) for r in conn.execute(select(L).where(L.c.elder_ref.in_(chunk))).mappings()]
        enrols += [dict(r) for r in conn.execute(select(E).where(E.c.elder_ref.in_(chunk))).mappings()]
    rates = _rates(conn, {r["payer_district"] for r in lines})
    domain_enrols = [Enrolment(e["elder_ref"], e["home_district"], e["facility_id"], PROVINCE[e["facility_region"]],
                               e["admitted_on"], e["discharged_on"], e["grade"], e["assessed_on"],
                               e["assessment_valid_until"]) for e in enrols]
    by_payer: dict[str, list[ClaimLine]] = defaultdict(list)
    raw = {r["line_id"]: r for r in lines}
    for r in lines:
        by_payer[r["payer_district"]].append(ClaimLine(
            r["line_id"], r["elder_ref"], r["subsidy_type"], Period.parse(r["period"]), r["days_in_care"],
            int(r["amount_fen"]), r["facility_id"], PROVINCE[r["facility_region"]], r["payer_district"],
            _aware(r["submitted_at"])))
    # duplicates are judged across payers too: one elder, one month, one subsidy, whoever pays
    all_lines = [cl for cls in by_payer.values() for cl in cls]
    results = []
    for payer, _ in by_payer.items():
        try:
            decided = adjudicate(all_lines, domain_enrols, rates[payer], batch.policy.adjudication)
        except DomainError:
            continue
        results += [a for a in decided if a.line.payer_district == payer]
    rows = [{"line_id": a.line.claim_id, "claim_id": raw[a.line.claim_id]["claim_id"], "period": str(a.line.period),
             "payer_district": a.line.payer_district, "facility_id": a.line.facility_id,
             "facility_region": raw[a.line.claim_id]["facility_region"], "subsidy_type": a.line.subsidy_type,
             "elder_ref": a.line.elder_ref, "claimed_fen": a.line.amount_fen, "accepted": a.accepted,
             "reasons": [r.value for r in a.reasons], "payable_fen": a.payable_fen, "rate_fen": a.rate_fen,
             "statement_id": None, "updated_at": batch.now} for a in results]
    upsert(conn, A, rows, only_if_null="statement_id")
    return {r["claim_id"] for r in rows}


def notify_claims(batch: Batch, claim_ids: list[str]) -> None:
    """Send the adjudication of each claim whose decision (accepted total) changed since the last notice."""
    conn, L, A, N = batch.conn, t.eldercare_claim_lines, t.eldercare_adjudications, t.eldercare_claim_notices
    lines: dict[str, list] = defaultdict(list)
    for r in conn.execute(select(L).where(L.c.claim_id.in_(claim_ids))).mappings():
        lines[r["claim_id"]].append(r)
    decided = {r["line_id"]: r for r in conn.execute(select(A).where(A.c.claim_id.in_(claim_ids))).mappings()}
    sent = {r.claim_id: r.accepted_fen for r in conn.execute(select(N).where(N.c.claim_id.in_(claim_ids)))}
    notices = []
    for cid in claim_ids:
        mine = lines.get(cid) or []
        if not mine or any(ln["line_id"] not in decided for ln in mine):
            continue
        decisions = []
        for ln in sorted(mine, key=lambda x: x["line_id"]):
            d = decided[ln["line_id"]]
            entry = {"line_id": ln["line_id"], "decision": "accepted" if d["accepted"] else "rejected",
                     "accepted_fen": int(d["payable_fen"])}
            if not d["accepted"]:
                entry["reason_code"] = REASON_CODE[Reason(d["reasons"][0])]
                entry["note"] = ",".join(d["reasons"])[:500]
            decisions.append(entry)
        total = sum(x["accepted_fen"] for x in decisions)
        if sent.get(cid) == total and cid in sent:
            continue
        first = mine[0]
        payload = {"claim_id": cid, "adjudication_id": f"ADJ-{cid}"[:64], "adjudicated_at": batch.now.isoformat(),
                   "lines": decisions, "accepted_total_fen": total}
        original = {"message_id": first["message_id"], "kind": "eldercare.adjudication",
                    "sender": {"region": bus_region_of(first["payer_district"])}, "payload": payload}
        batch.route(original, first["facility_region"], cid)
        notices.append({"claim_id": cid, "accepted_fen": total, "sent_at": batch.now})
    upsert(conn, N, notices)
