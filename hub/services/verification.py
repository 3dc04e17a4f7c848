"""Verification family: route each request to the other regions, record every (subject, item, region) answer,
aggregate with the pure rules, and send the result to the requester once: when complete, or at the deadline as an
overdue partial result (the scheduler's deadline job calls ``recompute_requests`` for open requests).

Exercise and test requests and responses are handled like real ones but apart: stored with their status, their
request id as ``"<status>/<id>"`` (a drill can never take a real request's id, nor a drill answer count for a real
request), routed and answered with their status, and never announced on the status topic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import bindparam, select, update

from hub.domain.calendar import SHANGHAI, local_date
from hub.domain.errors import AuthorisationMissing, VerificationRuleError
from hub.domain.verification import (
    ExpectedAnswer,
    Outcome,
    Response,
    Subject,
    VerificationRequest,
    VerificationStatus,
    aggregate,
    due_date,
    route,
    status_of,
)
from hub.infrastructure import tables as t
from hub.infrastructure.sql import among, upsert
from hub.services.context import Batch, BusinessRuleBroken
from hub.services.policy import BUS_REGION, PROVINCE

ACTUAL = "actual"


def _scoped(msg: dict, ident: str) -> tuple[str, str]:
    """(envelope status, the id as stored): ``"<status>/<id>"`` for drills."""
    status = msg.get("status") or ACTUAL
    return status, ident if status == ACTUAL else f"{status}/{ident}"


def _plain(req: dict) -> str:
    """The request id as its requester named it (a drill's without its status prefix)."""
    rid = req["request_id"]
    return rid if req.get("envelope_status", ACTUAL) == ACTUAL else rid.split("/", 1)[1]


def ref_text(person_ref: dict) -> str:
    return f"{person_ref['key_id']}:{person_ref['ref']}"


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _domain_request(row: dict) -> VerificationRequest:
    return VerificationRequest(
        row["request_id"], PROVINCE[row["region"]], row["assistance_type"],
        tuple(Subject(s["person_ref"], s["relation"], s.get("authorisation_ref")) for s in row["subjects"]),
        tuple(row["items"]), _aware(row["submitted_at"]),
        _aware(row["response_deadline"]) if row.get("response_deadline") else None)


def _regions(row: dict) -> list[str]:
    return [PROVINCE[r] for r in {row["region"], *row["target_regions"]}]


def on_request(batch: Batch, msg: dict) -> None:
    p, region = msg["payload"], msg["sender"]["region"]
    status, rid = _scoped(msg, p["request_id"])
    row = {"request_id": rid, "envelope_status": status, "region": region, "message_id": msg["message_id"],
           "assistance_type": p["assistance_type"], "target_regions": sorted(set(p["target_regions"]) - {region}),
           "subjects": [{"subject_id": s["subject_id"], "person_ref": ref_text(s["person_ref"]),
                         "relation": s["relation"], "authorisation_ref": (s.get("authorisation") or {})
                         .get("document_id")} for s in p["subjects"]],
           "items": list(p["items"]), "submitted_at": datetime.fromisoformat(msg["sent_at"]),
           "response_deadline": datetime.fromisoformat(p["response_deadline"])}
    if not row["target_regions"]:
        raise BusinessRuleBroken("verification.no_target", "a request must target another region",
                                 "核对请求须发往其他地区", ["payload.target_regions"])
    try:
        route(_domain_request(row), _regions(row))
    except AuthorisationMissing as exc:
        raise BusinessRuleBroken(exc.rule_id, "no authorisation, no query: a subject lacks its authorisation",
                                 "无授权不查询：有核对对象缺少授权书", ["payload.subjects"]) from exc
    except VerificationRuleError as exc:
        raise BusinessRuleBroken(exc.rule_id, str(exc), "核对请求不符合规则", ["payload"]) from exc
    batch.add(t.verification_requests, row)
    for to in row["target_regions"]:
        batch.route(msg, to, p["request_id"])
    batch.touch("verification", rid)


def on_response(batch: Batch, msg: dict) -> None:
    p, region = msg["payload"], msg["sender"]["region"]
    status, rid = _scoped(msg, p["request_id"])
    for res in p["results"]:
        for item in res["items"]:
            detail = {"subject_id": res["subject_id"], "report_no": p["report_no"], "issued_at": p["issued_at"],
                      "summary": item.get("summary"), "error": item.get("error")}
            response_id = f"{msg['message_id']}/{res['subject_id']}/{item['item']}"[:120]
            batch.add(t.verification_answers, {
                "response_id": response_id,
                "message_id": msg["message_id"], "request_id": rid, "envelope_status": status, "region": region,
                "subject_ref": ref_text(res["person_ref"]), "item": item["item"], "outcome": item["outcome"],
                "answered_at": datetime.fromisoformat(item["feedback_at"]), "summary": detail})
            # the recompute reads the batch's new answers by id (what the batch really stored: a refused or
            # rewound message's ids find no row) and folds them into the stored aggregate
            batch.touch(NEW_ANSWERS, response_id)
    batch.touch("verification", rid)


#: ``Batch.touched`` family of the response ids a batch adds (a message's answers carry its unique message id, so
#: an answer a batch stores was never stored before)
NEW_ANSWERS = "verification.answer"


def recompute(batch: Batch) -> None:
    ids = batch.touched.pop("verification", set())
    if ids:
        recompute_requests(batch, sorted(ids))
    batch.touched.pop(NEW_ANSWERS, None)


def _key_text(k: ExpectedAnswer) -> list[str]:
    return [k.subject_ref, k.item, k.region]


def recompute_requests(batch: Batch, ids: list[str]) -> int:
    """Re-aggregate requests at ``batch.now``; sends each final result once. Returns how many results were sent.

    Incremental (O(new answers)): ``verification_winners`` keeps each expected answer's winner (the earliest
    timely answer, as ``aggregate`` picks it), the state row how many answers are late, duplicate and unexpected; an answer's
    class depends only on the request (stored once) and itself, so the batch's new answers are folded into the
    stored aggregate. A request without new answers only has its status re-derived at ``batch.now`` (its row is
    written only when that changes or its result goes out; its winners are not even read unless its result goes out
    now: the state row says whether an expected answer is missing). A request without a stored aggregate (its first
    recompute, one last recomputed before migration 0012, or a due day the policy now puts elsewhere) is
    aggregated from all its answers with ``aggregate``. ``tests/hub/services/test_incremental_verification.py``
    proves both give the same rows and messages."""
    conn, Q, A, S = batch.conn, t.verification_requests, t.verification_answers, t.verification_state
    W = t.verification_winners
    requests = {r["request_id"]: dict(r) for r in conn.execute(select(Q).where(among(conn, Q.c.request_id, ids))).mappings()}
    state = {r["request_id"]: r for r in conn.execute(
        select(S.c.request_id, S.c.status, S.c.due_on, S.c.expected, S.c.missing, S.c.result_sent_at,
               S.c.result_status, S.c.late_count, S.c.duplicate_count, S.c.unexpected_count)
        .where(among(conn, S.c.request_id, ids))).mappings()}
    has_winners = {r.request_id for r in conn.execute(select(W.c.request_id).where(among(conn, W.c.request_id, ids)))}
    fresh: dict[str, list[dict]] = defaultdict(list)
    new_ids = sorted(batch.touched.get(NEW_ANSWERS, ()))
    for i in range(0, len(new_ids), 500):
        for r in conn.execute(select(*_ANSWER_COLUMNS).where(among(conn, A.c.response_id, new_ids[i:i + 500]))).mappings():
            fresh[r["request_id"]].append(r)
    plans, full, quick = {}, [], {}
    for rid, req in requests.items():
        request = _domain_request(req)
        due = due_date(request, batch.policy.calendar, batch.policy.verification)
        prior = state.get(rid)
        if prior is None or rid not in has_winners or prior["due_on"] != due:
            full.append(rid)
            continue
        if rid not in fresh:
            # no new answer: only the clock can move the status, and the stored row says whether any expected
            # answer is missing; its winners are read only when its result goes out now
            status = status_of(tuple(prior["missing"]), batch.now, due)
            if status is VerificationStatus.OPEN or prior["result_sent_at"] is not None:
                quick[rid] = _Aggregate(status, due, prior["expected"], (), {}, None, None, None)
                continue
        plans[rid] = (request, due)
    kept = {r.request_id: r.winners for r in conn.execute(
        select(W.c.request_id, W.c.winners).where(among(conn, W.c.request_id, sorted(plans))))}
    everything: dict[str, list[dict]] = defaultdict(list)
    for i in range(0, len(full), 500):
        for r in conn.execute(select(*_ANSWER_COLUMNS).where(among(conn, A.c.request_id, full[i:i + 500]))).mappings():
            everything[r["request_id"]].append(r)
    decided = []
    for rid, req in requests.items():
        prior = state.get(rid) or {}
        if rid in quick:
            agg = quick[rid]
        elif rid in plans:
            agg = _fold(*plans[rid], kept[rid], _regions(req), prior, fresh[rid], batch.now)
        else:
            responses = [Response(a["response_id"], rid, PROVINCE[a["region"]], a["subject_ref"], a["item"],
                                  Outcome(a["outcome"]), _aware(a["answered_at"])) for a in everything[rid]]
            result = aggregate(_domain_request(req), responses, batch.now, batch.policy.calendar,
                               batch.policy.verification, _regions(req))
            agg = _Aggregate(result.status, result.due, len(result.answers) + len(result.missing), result.missing,
                             {k: (r.answered_at, r.response_id) for k, r in result.answers},
                             len(result.late), len(result.duplicates), len(result.unexpected))
        send = agg.status is not VerificationStatus.OPEN and prior.get("result_sent_at") is None
        decided.append((rid, req, agg, prior, send))
    counted = _counted(conn, sorted(w[1] for *_, agg, _prior, send in decided if send for w in agg.winners.values()))
    rows, kept_rows, changes, sent = [], [], [], 0
    for rid, req, agg, prior, send in decided:
        if agg.late is None:  # no new answer: only the clock can change the status (open → overdue)
            if send:
                _send_result(batch, req, agg.status, agg.due, agg.missing,
                             [counted[w[1]] for w in agg.winners.values()])
                sent += 1
            if send or prior["status"] != agg.status.value:
                changes.append({"rid": rid, "status": agg.status.value, "updated_at": batch.now,
                                "result_sent_at": batch.now if send else prior["result_sent_at"],
                                "result_status": agg.status.value if send else prior["result_status"]})
                if req.get("envelope_status", ACTUAL) == ACTUAL:
                    batch.status_change("verification_request", rid, req["region"], prior["status"],
                                        agg.status.value)
            continue
        row = {"request_id": rid, "region": req["region"], "status": agg.status.value, "due_on": agg.due,
               "expected": agg.expected, "answered": len(agg.winners),
               "missing": [{"subject_ref": m.subject_ref, "item": m.item, "region": BUS_REGION[m.region]}
                           for m in agg.missing],
               "late_count": agg.late, "duplicate_count": agg.duplicates, "unexpected_count": agg.unexpected,
               "result_sent_at": prior.get("result_sent_at"),
               "result_status": prior.get("result_status"), "updated_at": batch.now}
        if send:
            _send_result(batch, req, agg.status, agg.due, agg.missing,
                         [counted[w[1]] for w in agg.winners.values()])
            row["result_sent_at"], row["result_status"] = batch.now, agg.status.value
            sent += 1
        if prior.get("status") != row["status"] and req.get("envelope_status", ACTUAL) == ACTUAL:
            batch.status_change("verification_request", rid, req["region"], prior.get("status"), row["status"])
        rows.append(row)
        kept_rows.append({"request_id": rid, "winners": sorted(
            [*_key_text(k), _aware(at).astimezone(UTC).isoformat(), response_id]
            for k, (at, response_id) in agg.winners.items())})
    upsert(conn, S, rows)
    upsert(conn, W, kept_rows)
    if changes:
        conn.execute(update(S).where(S.c.request_id == bindparam("rid")).values(
            status=bindparam("status"), result_sent_at=bindparam("result_sent_at"),
            result_status=bindparam("result_status"), updated_at=bindparam("updated_at")), changes)
    return sent


@dataclass
class _Aggregate:
    status: VerificationStatus
    due: date
    expected: int
    missing: tuple[ExpectedAnswer, ...]
    winners: dict[ExpectedAnswer, tuple[datetime, str]]  # expected answer → (answered at, response id)
    late: int | None  # how many answers are late; None (and duplicates, unexpected): unchanged, no new answer
    duplicates: int | None
    unexpected: int | None


def _fold(request: VerificationRequest, due: date, stored: list, regions: list[str], prior,  # noqa: ANN001
          new: list[dict], now: datetime) -> _Aggregate:
    """The stored aggregate with the batch's new answers, by ``aggregate``'s rules: an answer nobody asked for is
    unexpected; one dated after the due day is late; of the timely answers to one expected key the earliest
    (answered at, response id) counts and the others are duplicates. ``prior``: the state row (its class counts)."""
    expected = route(request, regions)
    wanted = set(expected)
    winners = {ExpectedAnswer(s, i, r): (datetime.fromisoformat(at), response_id)
               for s, i, r, at, response_id in stored}
    late, duplicates, unexpected = prior["late_count"], prior["duplicate_count"], prior["unexpected_count"]
    for a in new:
        key = ExpectedAnswer(a["subject_ref"], a["item"], PROVINCE[a["region"]])
        mine = (_aware(a["answered_at"]), a["response_id"])
        if key not in wanted:
            unexpected += 1
        elif local_date(mine[0]) > due:
            late += 1
        elif key not in winners:
            winners[key] = mine
        else:  # one of the two is a duplicate: the later, or the winner an earlier answer displaces
            duplicates += 1
            winners[key] = min(winners[key], mine)
    missing = tuple(k for k in expected if k not in winners)
    status = status_of(missing, now, due)
    if not new:
        return _Aggregate(status, due, len(expected), missing, {k: winners[k] for k in expected if k in winners},
                          None, None, None)
    return _Aggregate(status, due, len(expected), missing, {k: winners[k] for k in expected if k in winners},
                      late, duplicates, unexpected)


_A = t.verification_answers
_ANSWER_COLUMNS = (_A.c.response_id, _A.c.message_id, _A.c.request_id, _A.c.region, _A.c.subject_ref, _A.c.item,
                   _A.c.outcome, _A.c.answered_at)


def _counted(conn, ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    """response id → stored answer with its summary, for the counted answers of the results sent now."""
    out: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        out.update((r["response_id"], r) for r in conn.execute(
            select(*_ANSWER_COLUMNS, _A.c.summary).where(among(conn, _A.c.response_id, ids[i:i + 500]))).mappings())
    return out


def _send_result(batch: Batch, req: dict, status: VerificationStatus, due: date,  # noqa: PLR0913
                 missing: tuple[ExpectedAnswer, ...], answers: list[dict]) -> None:
    """``hub.aggregated_response`` to the requester: one entry per target region (answered / timed_out / pending);
    ``answers``: the counted ones."""
    counted = {a["response_id"] for a in answers}
    missing_regions = {BUS_REGION[m.region] for m in missing}
    deadline = datetime.combine(due, time(23, 59, 59), SHANGHAI)
    entries = []
    for region in req["target_regions"]:
        mine = [a for a in answers if a["region"] == region and a["response_id"] in counted]
        payload = _response_payload(_plain(req), region, mine) if mine else None
        if region not in missing_regions:
            outcome, mid = "answered", max(a["message_id"] for a in mine)
            received = max(_aware(a["answered_at"]) for a in mine).isoformat()
        else:
            outcome = "timed_out" if status is VerificationStatus.OVERDUE else "pending"
            mid, received = None, None
        entries.append({"from_region": region, "outcome": outcome, "message_id": mid, "received_at": received,
                        "payload": payload})
    batch.send("hub.aggregated_response", {
        "request_id": _plain(req), "original_kind": "verification.request", "deadline": deadline.isoformat(),
        "complete": status is VerificationStatus.COMPLETE, "responses": entries},
        req["region"], references=(req["message_id"],), status=req.get("envelope_status") or ACTUAL)


def _response_payload(request_id: str, region: str, answers: list[dict]) -> dict:
    """The counted answers of one region, in the shape of a ``verification.response`` payload."""
    by_subject: dict[str, dict] = {}
    first = answers[0]["summary"]
    for a in sorted(answers, key=lambda a: (a["summary"]["subject_id"], a["item"])):
        d = a["summary"]
        key_id, ref = a["subject_ref"].split(":", 1)
        subject = by_subject.setdefault(d["subject_id"], {"subject_id": d["subject_id"],
                                                          "person_ref": {"key_id": key_id, "ref": ref},
                                                          "items": []})
        item = {"item": a["item"], "outcome": a["outcome"], "feedback_at": _aware(a["answered_at"]).isoformat()}
        if d.get("summary") is not None:
            item["summary"] = d["summary"]
        if d.get("error"):
            item["error"] = d["error"]
        subject["items"].append(item)
    return {"request_id": request_id, "responding_region": region, "report_no": first["report_no"],
            "issued_at": first["issued_at"], "results": list(by_subject.values())}


def open_request_ids(conn) -> list[str]:  # noqa: ANN001
    """Requests whose result has not been sent yet (for the deadline job)."""
    S, Q = t.verification_state, t.verification_requests
    sent = {r.request_id for r in conn.execute(select(S.c.request_id).where(S.c.result_sent_at.is_not(None)))}
    return sorted(r.request_id for r in conn.execute(select(Q.c.request_id)) if r.request_id not in sent)
