"""Verification family: route each request to the other regions, record every (subject, item, region) answer,
aggregate with the pure rules, and send the result to the requester once: when complete, or at the deadline as an
overdue partial result (the scheduler's deadline job calls ``recompute_requests`` for open requests).

Exercise and test requests and responses are handled like real ones but apart: stored with their status, their
request id as ``"<status>/<id>"`` (a drill can never take a real request's id, nor a drill answer count for a real
request), routed and answered with their status, and never announced on the status topic.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time

from sqlalchemy import select

from hub.domain.calendar import SHANGHAI
from hub.domain.errors import AuthorisationMissing, VerificationRuleError
from hub.domain.verification import (
    Outcome,
    Response,
    Subject,
    VerificationRequest,
    VerificationStatus,
    aggregate,
    route,
)
from hub.infrastructure import tables as t
from hub.infrastructure.sql import upsert
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
            batch.add(t.verification_answers, {
                "response_id": f"{msg['message_id']}/{res['subject_id']}/{item['item']}"[:120],
                "message_id": msg["message_id"], "request_id": rid, "envelope_status": status, "region": region,
                "subject_ref": ref_text(res["person_ref"]), "item": item["item"], "outcome": item["outcome"],
                "answered_at": datetime.fromisoformat(item["feedback_at"]), "summary": detail})
    batch.touch("verification", rid)


def recompute(batch: Batch) -> None:
    ids = batch.touched.pop("verification", set())
    if ids:
        recompute_requests(batch, sorted(ids))


def recompute_requests(batch: Batch, ids: list[str]) -> int:
    """Re-aggregate requests at ``batch.now``; sends each final result once. Returns how many results were sent.

    Reads only the columns the aggregation needs (the answers' JSON ``summary`` only for the requests whose result
    goes out now, the state's status and result columns only): most touched requests are still open."""
    conn, Q, A, S = batch.conn, t.verification_requests, t.verification_answers, t.verification_state
    requests = {r["request_id"]: dict(r) for r in conn.execute(select(Q).where(Q.c.request_id.in_(ids))).mappings()}
    answers: dict[str, list[dict]] = defaultdict(list)
    for r in conn.execute(select(*_ANSWER_COLUMNS).where(A.c.request_id.in_(ids))).mappings():
        answers[r["request_id"]].append(dict(r))
    state = {r["request_id"]: r for r in conn.execute(
        select(S.c.request_id, S.c.status, S.c.result_sent_at, S.c.result_status)
        .where(S.c.request_id.in_(ids))).mappings()}
    decided = []
    for rid, req in requests.items():
        responses = [Response(a["response_id"], rid, PROVINCE[a["region"]], a["subject_ref"], a["item"],
                              Outcome(a["outcome"]), _aware(a["answered_at"])) for a in answers[rid]]
        result = aggregate(_domain_request(req), responses, batch.now, batch.policy.calendar,
                           batch.policy.verification, _regions(req))
        prior = state.get(rid) or {}
        send = result.status is not VerificationStatus.OPEN and prior.get("result_sent_at") is None
        decided.append((rid, req, result, prior, send))
    summaries = _summaries(conn, [rid for rid, *_, send in decided if send])
    rows, sent = [], 0
    for rid, req, result, prior, send in decided:
        row = {"request_id": rid, "region": req["region"], "status": result.status.value, "due_on": result.due,
               "expected": len(result.answers) + len(result.missing), "answered": len(result.answers),
               "missing": [{"subject_ref": m.subject_ref, "item": m.item, "region": BUS_REGION[m.region]}
                           for m in result.missing],
               "late": list(result.late), "duplicates": list(result.duplicates),
               "unexpected": list(result.unexpected), "result_sent_at": prior.get("result_sent_at"),
               "result_status": prior.get("result_status"), "updated_at": batch.now}
        if send:
            _send_result(batch, req, result, [a | {"summary": summaries.get(a["response_id"])}
                                              for a in answers[rid]])
            row["result_sent_at"], row["result_status"] = batch.now, result.status.value
            sent += 1
        if prior.get("status") != row["status"] and req.get("envelope_status", ACTUAL) == ACTUAL:
            batch.status_change("verification_request", rid, req["region"], prior.get("status"), row["status"])
        rows.append(row)
    upsert(conn, S, rows)
    return sent


_A = t.verification_answers
_ANSWER_COLUMNS = (_A.c.response_id, _A.c.message_id, _A.c.request_id, _A.c.region, _A.c.subject_ref, _A.c.item,
                   _A.c.outcome, _A.c.answered_at)


def _summaries(conn, ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    """response id → stored summary, for the answers of the given requests (those whose result is sent now)."""
    out: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        out.update((r.response_id, r.summary) for r in conn.execute(
            select(_A.c.response_id, _A.c.summary).where(_A.c.request_id.in_(ids[i:i + 500]))))
    return out


def _send_result(batch: Batch, req: dict, result, answers: list[dict]) -> None:  # noqa: ANN001
    """``hub.aggregated_response`` to the requester: one entry per target region (answered / timed_out / pending)."""
    counted = {resp.response_id for _, resp in result.answers}
    missing_regions = {BUS_REGION[m.region] for m in result.missing}
    deadline = datetime.combine(result.due, time(23, 59, 59), SHANGHAI)
    entries = []
    for region in req["target_regions"]:
        mine = [a for a in answers if a["region"] == region and a["response_id"] in counted]
        payload = _response_payload(_plain(req), region, mine) if mine else None
        if region not in missing_regions:
            outcome, mid = "answered", max(a["message_id"] for a in mine)
            received = max(_aware(a["answered_at"]) for a in mine).isoformat()
        else:
            outcome = "timed_out" if result.status is VerificationStatus.OVERDUE else "pending"
            mid, received = None, None
        entries.append({"from_region": region, "outcome": outcome, "message_id": mid, "received_at": received,
                        "payload": payload})
    batch.send("hub.aggregated_response", {
        "request_id": _plain(req), "original_kind": "verification.request", "deadline": deadline.isoformat(),
        "complete": result.status is VerificationStatus.COMPLETE, "responses": entries},
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
