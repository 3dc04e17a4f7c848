"""Eldercare family: enrolments and rate tables (newest version wins), claim lines (facts) → adjudications.

Adjudication depends on every line of the same elder (duplicates across facilities and regions, one facility per
day), so the unit of recompute is the elder: all their lines are re-adjudicated together with the pure rules.
A line is identified by (claim_id, line_id) — line ids are only unique within a claim; elsewhere by its hub line
key ``"<claim_id>/<line_id>"`` (``line_key``).

Re-adjudication (the state is a function of the set of messages, never of their arrival order): an enrolment
touches its elder, a rate table touches every elder with lines of its payer (a province-wide table: every district
of the province), a claim line touches only its elder's month; once per batch every touched elder's lines (of the
touched months only, when only claims touched them) are adjudicated again, deterministically.

* A line not yet on a statement (``statement_id`` NULL, an open period) takes the new decision.
* A line already on an issued statement is frozen: statements are immutable. When its new decision pays a different
  amount, the difference is booked as an adjustment (``settlement_adjustments``, created by ``hub``) into the
  earliest later period whose statements are not yet issued; the adjustment id derives from the line and the new
  amount, so the same change is never booked twice.

Exercise and test messages (envelope ``status`` ≠ ``actual``) are processed and receipted like real ones but never
touch real state: enrolments and claim lines are stored with their status and their ids as ``"<status>/<id>"`` (a
drill can never take, and so replace or silently drop, a real id); drill rate tables go to ``eldercare_drill_rates``.
Adjudication reads actual enrolments, rates and claim lines only, and drills touch nothing to re-adjudicate, so no
drill line is ever adjudicated, noticed or put on a statement.

Notices: each claim gets an adjudication notice (``hub.routed_request`` carrying an ``eldercare.adjudication``
payload from the payer region to the facility region) once all its lines are decided. A notice already sent cannot
be unsent: when a re-adjudication changes any decision of the claim before settlement, a NEW notice goes out with a
new ``adjudication_id`` (a digest of the decisions) whose ``references`` name the claim message and the previous
notice's message id. Unchanged decisions send nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select

from hub.domain.calendar import Period
from hub.domain.eldercare import ClaimLine, Enrolment, RateTable, Reason, adjudicate
from hub.domain.errors import DomainError
from hub.domain.settlement import correction_period
from hub.infrastructure import tables as t
from hub.infrastructure.sql import among, insert_ignore, upsert
from hub.services.context import Batch
from hub.services.policy import PROVINCE, bus_region_of
from hub.services.verification import ref_text

REASON_CODE = {Reason.NOT_ENROLLED: "not_enrolled", Reason.NOT_HOME_REGISTERED: "not_eligible",
               Reason.DECEASED: "deceased", Reason.ASSESSMENT_INVALID: "assessment_expired",
               Reason.DAYS_OUT_OF_RANGE: "other", Reason.DAYS_EXCEED_ENROLMENT: "other",
               Reason.UNDER_15_DAYS: "under_15_days", Reason.NO_RATE: "not_eligible",
               Reason.AMOUNT_MISMATCH: "rate_mismatch", Reason.OVERLAPPING_FACILITY: "duplicate",
               Reason.DUPLICATE: "duplicate"}


ACTUAL = "actual"


def status_of(msg: dict) -> str:
    """The envelope status of a message (actual | exercise | test)."""
    return msg.get("status") or ACTUAL


def scoped(status: str, ident: str) -> str:
    """A business id as stored: itself for actual messages, ``"<status>/<id>"`` for drills (``/`` never occurs in an
    identifier, so a drill's id can never equal a real one)."""
    return ident if status == ACTUAL else f"{status}/{ident}"


def line_key(claim_id: str, line_id: str) -> str:
    """The hub's name of a claim line ("/" never occurs in an identifier)."""
    return f"{claim_id}/{line_id}"


def version(msg: dict) -> str:
    """A sortable version: sent_at in UTC, then the message id (ties)."""
    return f"{datetime.fromisoformat(msg['sent_at']).astimezone(UTC).isoformat()}|{msg['message_id']}"


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def on_enrolment(batch: Batch, msg: dict) -> None:
    p, status = msg["payload"], status_of(msg)
    a = p["assessment"]
    elder = ref_text(p["elder_ref"])
    batch.upserts[t.eldercare_enrolments].append({
        "enrolment_id": scoped(status, p["enrolment_id"]), "envelope_status": status, "message_id": msg["message_id"], "version_at": version(msg),
        "region": msg["sender"]["region"], "elder_ref": elder, "home_district": p["home_district_code"],
        "facility_id": p["facility"]["facility_id"], "facility_region": p["facility_region"],
        "admitted_on": date.fromisoformat(p["admitted_on"]),
        "discharged_on": date.fromisoformat(p["discharged_on"]) if p.get("discharged_on") else None,
        "grade": a["grade"], "assessed_on": date.fromisoformat(a["assessed_on"]),
        "assessment_valid_until": date.fromisoformat(a["valid_until"]), "subsidy_types": list(p["subsidy_types"])})
    if status == ACTUAL:
        batch.touch("elder", elder)


def on_entitlement_table(batch: Batch, msg: dict) -> None:
    p, status = msg["payload"], status_of(msg)
    if status != ACTUAL:  # a drill table is kept apart: it must never replace a real rate
        batch.add(t.eldercare_drill_rates, *[{
            "message_id": msg["message_id"], "envelope_status": status, "payer_code": p["payer_code"],
            "subsidy_type": r["subsidy_type"], "effective_from": date.fromisoformat(r["effective_from"]),
            "effective_to": date.fromisoformat(r["effective_to"]) if r.get("effective_to") else None,
            "rate_fen": r["rate_fen"], "table_id": p["table_id"]} for r in p["rates"]])
        return
    stored = _stored_rates(batch, p["payer_code"])
    changes = False
    for r in p["rates"]:
        row = {"payer_code": p["payer_code"], "subsidy_type": r["subsidy_type"],
               "effective_from": date.fromisoformat(r["effective_from"]),
               "effective_to": date.fromisoformat(r["effective_to"]) if r.get("effective_to") else None,
               "rate_fen": r["rate_fen"], "table_id": p["table_id"], "version_at": version(msg)}
        batch.upserts[t.eldercare_rates].append(row)
        changes = changes or stored.get((row["subsidy_type"], row["effective_from"])) != int(row["rate_fen"])
    # Adjudication reads a rate's (subsidy type, effective from, rate) only: a table that restates the stored rates
    # (a newer version with the same amounts) changes no decision, and re-adjudicating every elder of the payer for
    # it is the most expensive no-op of the intake. A table whose rates differ touches the payer as always (whatever
    # the version order decides, the batch's rates can only differ from the stored ones through such a table).
    if changes:
        batch.touch("payer", p["payer_code"])


def on_claim(batch: Batch, msg: dict) -> None:
    p, status = msg["payload"], status_of(msg)
    claim_id = scoped(status, p["claim_id"])
    # a line is a fact written once (insert-if-absent by claim and line id): a resent line changes nothing stored,
    # so it re-decides nothing; a claim with no new line touches nothing (its state is already that of its facts)
    known = _stored_lines(batch, claim_id) if status == ACTUAL else set()
    fresh = False
    for line in p["lines"]:
        elder = ref_text(line["elder_ref"])
        batch.add(t.eldercare_claim_lines, {
            "line_id": line["line_id"], "claim_id": claim_id, "envelope_status": status, "message_id": msg["message_id"],
            "region": msg["sender"]["region"], "facility_id": p["facility"]["facility_id"],
            "facility_region": p["facility_region"], "payer_district": p["payer_district_code"],
            "period": p["period"], "elder_ref": elder, "enrolment_id": line["enrolment_id"],
            "subsidy_type": line["subsidy_type"], "days_in_care": line["days_in_care"],
            "amount_fen": line["amount_fen"], "submitted_at": datetime.fromisoformat(msg["sent_at"])})
        if status == ACTUAL and line["line_id"] not in known:
            fresh = True
            batch.touch("elder_period", (elder, p["period"]))  # a claim line changes only its own month's decisions
    if fresh:
        batch.touch("claim", claim_id)


_CLAIMS = ("eldercare.claim",)


def _load_lines(conn, claim_ids: list[str]) -> dict:  # noqa: ANN001
    L = t.eldercare_claim_lines
    found: dict[str, set[str]] = defaultdict(set)
    for i in range(0, len(claim_ids), 500):
        for r in conn.execute(select(L.c.claim_id, L.c.line_id).where(among(conn, L.c.claim_id, claim_ids[i:i + 500]))):
            found[r.claim_id].add(r.line_id)
    return {"ids": set(claim_ids), "lines": found}


def _stored_lines(batch: Batch, claim_id: str) -> set[str]:
    """Line ids already stored for an actual claim, read once per batch for every claim in it (``Batch.prefetch``)."""
    pre = batch.prefetch("eldercare.lines", lambda msgs: _load_lines(batch.conn, sorted(
        {m["payload"]["claim_id"] for m in msgs if status_of(m) == ACTUAL})), lambda m: m["kind"] in _CLAIMS)
    if claim_id not in pre["ids"]:  # a handler called outside the intake's batch
        pre = _load_lines(batch.conn, [claim_id])
    return pre["lines"].get(claim_id, set())


def _load_rates(conn, payers: list[str]) -> dict:  # noqa: ANN001
    R = t.eldercare_rates
    found: dict[str, dict] = defaultdict(dict)
    for r in conn.execute(select(R.c.payer_code, R.c.subsidy_type, R.c.effective_from, R.c.rate_fen)
                          .where(among(conn, R.c.payer_code, payers))):
        found[r.payer_code][(r.subsidy_type, r.effective_from)] = int(r.rate_fen)
    return {"ids": set(payers), "rates": found}


def _stored_rates(batch: Batch, payer: str) -> dict:
    """(subsidy type, effective from) → stored rate of a payer, read once per batch for every actual rate table."""
    pre = batch.prefetch("eldercare.rates", lambda msgs: _load_rates(batch.conn, sorted(
        {m["payload"]["payer_code"] for m in msgs if status_of(m) == ACTUAL})),
        lambda m: m["kind"] == "eldercare.entitlement_table")
    if payer not in pre["ids"]:  # a handler called outside the intake's batch
        pre = _load_rates(batch.conn, [payer])
    return pre["rates"].get(payer, {})


def _rates(conn, payers: set[str]) -> dict[str, RateTable]:  # noqa: ANN001
    """Per payer district: its own rates over its province's (a municipality-wide table applies to every district)."""
    R = t.eldercare_rates
    codes = payers | {p[:2] + "0000" for p in payers}
    raw: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in conn.execute(select(R).where(among(conn, R.c.payer_code, sorted(codes)))):
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
        L = t.eldercare_claim_lines
        conds = [L.c.payer_district.like(p[:2] + "%") if p.endswith("0000") else L.c.payer_district == p
                 for p in payers]
        elders |= {r.elder_ref for r in conn.execute(select(L.c.elder_ref).where(
            or_(*conds), L.c.envelope_status == ACTUAL).distinct())}
    claims = set(batch.touched.pop("claim", set()))
    if claims:
        summarise_claims(batch, sorted(claims))
    months: dict[str, set[str]] = defaultdict(set)
    for elder, period in batch.touched.pop("elder_period", set()):
        if elder not in elders:
            months[elder].add(period)
    if elders or months:
        claims |= adjudicate_elders(batch, sorted(elders | months.keys()), months)
    if claims:
        notify_claims(batch, sorted(claims))


def summarise_claims(batch: Batch, claim_ids: list[str]) -> None:
    """Refresh the one-row summaries (``eldercare_claims``) of these actual claims from their stored lines."""
    L = t.eldercare_claim_lines
    rows = []
    for i in range(0, len(claim_ids), 500):
        rows += [dict(r) for r in batch.conn.execute(
            select(L.c.claim_id, func.min(L.c.payer_district).label("payer_district"),
                   func.min(L.c.period).label("period"), func.min(L.c.facility_id).label("facility_id"),
                   func.min(L.c.facility_region).label("facility_region"), func.count().label("line_count"),
                   func.sum(L.c.amount_fen).label("claimed_fen"), func.min(L.c.submitted_at).label("submitted_at"))
            .where(among(batch.conn, L.c.claim_id, claim_ids[i:i + 500]), L.c.envelope_status == ACTUAL)
            .group_by(L.c.claim_id)).mappings()]
    upsert(batch.conn, t.eldercare_claims, rows)


def adjudicate_elders(batch: Batch, elders: list[str], months: dict[str, set[str]] | None = None) -> set[str]:
    """Adjudicate the lines of these elders; returns the claims whose open lines were (re)decided.

    ``months`` limits an elder to the given periods (a new claim line touches only its month: every rule that joins
    lines — duplicates — stays within one elder and month); an elder not in it has every line adjudicated (an
    enrolment or a rate table can change any month).
    """
    months = months or {}
    conn, L, E, A = batch.conn, t.eldercare_claim_lines, t.eldercare_enrolments, t.eldercare_adjudications
    S = t.settlement_statements
    lines, enrols, settled = [], [], {}
    for i in range(0, len(elders), 500):
        chunk = elders[i:i + 500]
        lines += [dict(r) for r in conn.execute(select(L).where(among(conn, L.c.elder_ref, chunk),
                                                                L.c.envelope_status == ACTUAL)).mappings()
                  if r["elder_ref"] not in months or r["period"] in months[r["elder_ref"]]]
        enrols += [dict(r) for r in conn.execute(select(E).where(among(conn, E.c.elder_ref, chunk),
                                                                 E.c.envelope_status == ACTUAL)).mappings()]
        settled.update({line_key(r["claim_id"], r["line_id"]): dict(r) for r in conn.execute(
            select(A, S.c.period.label("statement_period")).outerjoin(S, S.c.statement_id == A.c.statement_id)
            .where(among(conn, A.c.elder_ref, chunk), A.c.statement_id.is_not(None))).mappings()})
    rates = _rates(conn, {r["payer_district"] for r in lines})
    domain_enrols = [Enrolment(e["elder_ref"], e["home_district"], e["facility_id"], PROVINCE[e["facility_region"]],
                               e["admitted_on"], e["discharged_on"], e["grade"], e["assessed_on"],
                               e["assessment_valid_until"]) for e in enrols]
    by_payer: dict[str, list[ClaimLine]] = defaultdict(list)
    raw = {line_key(r["claim_id"], r["line_id"]): r for r in lines}
    for key, r in raw.items():
        by_payer[r["payer_district"]].append(ClaimLine(
            key, r["elder_ref"], r["subsidy_type"], Period.parse(r["period"]), r["days_in_care"],
            int(r["amount_fen"]), r["facility_id"], PROVINCE[r["facility_region"]], r["payer_district"],
            _aware(r["submitted_at"])))
    # duplicates are judged across payers too: one elder, one month, one subsidy, whoever pays
    all_lines = [cl for cls in by_payer.values() for cl in cls]
    results = []
    for payer in sorted(by_payer):
        try:
            decided = adjudicate(all_lines, domain_enrols, rates[payer], batch.policy.adjudication)
        except DomainError:
            continue
        results += [a for a in decided if a.line.payer_district == payer]
    rows = [{"line_id": raw[a.line.claim_id]["line_id"], "claim_id": raw[a.line.claim_id]["claim_id"],
             "period": str(a.line.period), "payer_district": a.line.payer_district, "facility_id": a.line.facility_id,
             "facility_region": raw[a.line.claim_id]["facility_region"], "subsidy_type": a.line.subsidy_type,
             "elder_ref": a.line.elder_ref, "claimed_fen": a.line.amount_fen, "accepted": a.accepted,
             "reasons": [r.value for r in a.reasons], "payable_fen": a.payable_fen, "rate_fen": a.rate_fen,
             "statement_id": None, "updated_at": batch.now} for a in results]
    open_rows = [r for r in rows if line_key(r["claim_id"], r["line_id"]) not in settled]
    upsert(conn, A, open_rows, only_if_null="statement_id")
    _note_late(batch, {r["period"] for r in open_rows if r["accepted"]})
    _adjust_settled(batch, [r for r in rows if line_key(r["claim_id"], r["line_id"]) in settled], settled)
    return {r["claim_id"] for r in open_rows}


def _issued(conn) -> set[Period]:  # noqa: ANN001
    J = t.job_runs
    return {Period.parse(r.run_key) for r in conn.execute(select(J.c.run_key).where(J.c.job == "statements"))}


def _note_late(batch: Batch, periods: set[str]) -> None:
    """Note the issued periods among those of accepted open lines: the next statement run takes them as late lines."""
    if periods:
        late = sorted(p for p in periods if Period.parse(p) in _issued(batch.conn))
        insert_ignore(batch.conn, t.settlement_late_periods, [{"period": p, "noted_at": batch.now} for p in late])


def _adjust_settled(batch: Batch, rows: list[dict], settled: dict[str, dict]) -> None:
    """Book the difference between a settled line's new payable amount and what it was settled (and adjusted) at."""
    if not rows:
        return
    conn, D = batch.conn, t.settlement_adjustments
    keys = [line_key(r["claim_id"], r["line_id"]) for r in rows]
    booked: dict[str, int] = defaultdict(int)
    for r in conn.execute(select(D.c.adjusts_line_id, D.c.amount_fen).where(among(conn, D.c.adjusts_line_id, keys))):
        booked[r.adjusts_line_id] += int(r.amount_fen)
    issued = _issued(conn)
    out = []
    for row, key in zip(rows, keys, strict=True):
        before = settled[key]
        delta = int(row["payable_fen"]) - int(before["payable_fen"]) - booked[key]
        if delta == 0:
            continue
        # after the line's own period and after the statement carrying it (a late line sits on a later one)
        carried_in = before.get("statement_period")
        period = correction_period(Period.parse(row["period"]), Period.parse(carried_in) if carried_in else None,
                                   issued)
        digest = hashlib.sha256(f"{key}|{row['payable_fen']}".encode()).hexdigest()[:20]
        out.append({"adjustment_id": f"RA-{digest}", "period": str(period), "adjusts_line_id": key,
                    "adjusts_period": row["period"], "payer_district": row["payer_district"],
                    "payee_region": row["facility_region"], "facility_id": row["facility_id"],
                    "subsidy_type": row["subsidy_type"], "elder_ref": row["elder_ref"], "amount_fen": delta,
                    "reason": "re-adjudication: " + (",".join(row["reasons"]) or "accepted"),
                    "created_by": "hub", "created_at": batch.now})
    insert_ignore(conn, D, out)


def _previous_notices(conn, claim_ids: list[str]) -> dict[str, str]:  # noqa: ANN001
    """claim id → message id of the last adjudication notice sent for it, from the hub's own outbox: only for
    notices stored before migration 0014 (without ``message_id``); the outbox has no index on ``key``."""
    out = t.hub_outbox
    last: dict[str, str] = {}
    for r in conn.execute(select(out.c.key, out.c.message_id, out.c.value).where(
            out.c.key.in_(claim_ids), out.c.kind.like("hub.routed_request@%")).order_by(out.c.seq)):
        if json.loads(r.value)["payload"].get("original_kind") == "eldercare.adjudication":
            last[r.key] = r.message_id
    return last


def notify_claims(batch: Batch, claim_ids: list[str]) -> None:
    """Send the adjudication of each claim whose decisions changed since its last notice (module docstring)."""
    conn, L, A, N = batch.conn, t.eldercare_claim_lines, t.eldercare_adjudications, t.eldercare_claim_notices
    lines: dict[str, list] = defaultdict(list)
    for r in conn.execute(select(L).where(among(conn, L.c.claim_id, claim_ids), L.c.envelope_status == ACTUAL)).mappings():
        lines[r["claim_id"]].append(r)
    decided = {(r["claim_id"], r["line_id"]): r
               for r in conn.execute(select(A).where(among(conn, A.c.claim_id, claim_ids))).mappings()}
    stored = {r.claim_id: r for r in conn.execute(select(N.c.claim_id, N.c.adjudication_id, N.c.message_id)
                                                      .where(among(conn, N.c.claim_id, claim_ids)))}
    sent = {cid: r.adjudication_id for cid, r in stored.items()}
    notices, previous = [], None
    for cid in claim_ids:
        mine = lines.get(cid) or []
        if not mine or any((cid, ln["line_id"]) not in decided for ln in mine):
            continue
        decisions = []
        for ln in sorted(mine, key=lambda x: x["line_id"]):
            d = decided[(cid, ln["line_id"])]
            entry = {"line_id": ln["line_id"], "decision": "accepted" if d["accepted"] else "rejected",
                     "accepted_fen": int(d["payable_fen"])}
            if not d["accepted"]:
                entry["reason_code"] = REASON_CODE[Reason(d["reasons"][0])]
                entry["note"] = ",".join(d["reasons"])[:500]
            decisions.append(entry)
        digest = hashlib.sha256(json.dumps(decisions, sort_keys=True).encode()).hexdigest()[:16]
        adjudication_id = f"ADJ-{cid}"[:47] + f"-{digest}"
        if sent.get(cid) == adjudication_id:
            continue
        total = sum(x["accepted_fen"] for x in decisions)
        first = min(mine, key=lambda x: x["line_id"])
        payload = {"claim_id": cid, "adjudication_id": adjudication_id, "adjudicated_at": batch.now_iso(),
                   "lines": decisions, "accepted_total_fen": total}
        refs = [first["message_id"]]
        if cid in sent:  # a changed decision: the new notice names the one it supersedes
            if stored[cid].message_id:
                refs.append(stored[cid].message_id)
            else:
                if previous is None:
                    previous = _previous_notices(conn, [c for c, r in stored.items() if not r.message_id])
                if cid in previous:
                    refs.append(previous[cid])
        to = first["facility_region"]
        message_id = batch.send("hub.routed_request", {
            "original_message_id": first["message_id"], "original_kind": "eldercare.adjudication",
            "from_region": bus_region_of(first["payer_district"]), "to_region": to, "entity_id": cid,
            "payload": payload}, to, references=tuple(refs))
        notices.append({"claim_id": cid, "accepted_fen": total, "adjudication_id": adjudication_id,
                        "sent_at": batch.now, "message_id": message_id})
    upsert(conn, N, notices)
