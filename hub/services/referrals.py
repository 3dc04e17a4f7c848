"""Referral family (救急难 异地转办): store each change, replay the state machine, forward to the other party.

The contract carries no sequence number, so the service derives one from the change kinds: ``sent`` = 1, the
acknowledgement (accepted/rejected) = 2, progress reports 3… ordered by their own timestamps, the closure last.
A change whose acknowledgement has not arrived yet waits in ``pending`` (the domain's gap rule); a change the state
machine forbids (a second, different acknowledgement; a closure after a rejection) is refused with 420.

A referral's progress reports can pile up (each is its own change, ranked between the acknowledgement and the
closure); none of them can break the replay but the first after a rejection, and all of them land together: applied
after the acknowledgement, or pending behind the same gap. So the replay reads every other change but only one
progress report and how many there are (``_load``); the state, the error and the pending count are those of the whole
history, at a cost that does not grow with it.

Exercise and test changes are handled like real ones but apart: stored with their status and the referral id as
``"<status>/<id>"`` (a drill can never take or advance a real referral), forwarded with their status, never
announced on the status topic.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import func, select

from hub.domain.errors import IllegalTransition, ReferralRuleError
from hub.domain.referrals import ReferralChange, ReferralPolicy, ReferralState, acknowledgement_flags, replay
from hub.infrastructure import tables as t
from hub.infrastructure.sql import among, upsert
from hub.services.context import Batch, BusinessRuleBroken

STATE_OF = {"referral.referral": "sent", "referral.acceptance": "accepted", "referral.rejection": "rejected",
            "referral.progress": "in_progress", "referral.closure": "closed"}
AT_FIELD = {"referral.referral": None, "referral.acceptance": "accepted_at", "referral.rejection": "rejected_at",
            "referral.progress": "step_at", "referral.closure": "closed_at"}
ACTUAL = "actual"
PROGRESS = "in_progress"
RANK = {"sent": 0, "accepted": 1, "rejected": 1, "in_progress": 2, "closed": 3}


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def sequence(rows: list[dict]) -> list[ReferralChange]:
    """Derived per-referral sequence numbers (see module docstring)."""
    ordered = sorted(rows, key=lambda r: (RANK[r["to_state"]], _aware(r["at"]), r["message_id"]))
    changes, seq = [], 0
    for r in ordered:
        seq = {"sent": 1, "accepted": 2, "rejected": 2}.get(r["to_state"], max(seq, 2) + 1)
        changes.append(ReferralChange(r["message_id"], r["referral_id"], seq, ReferralState(r["to_state"]),
                                      _aware(r["at"]), r.get("reason")))
    return changes


def _rid(msg: dict) -> str | None:
    """The referral id as stored (``"<status>/<id>"`` for drills)."""
    rid = (msg.get("payload") or {}).get("referral_id")
    status = msg.get("status") or ACTUAL
    return rid if rid is None or status == ACTUAL else f"{status}/{rid}"


def _load(conn, rids: list[str], *, parties: bool = True) -> dict:  # noqa: ANN001
    """Stored changes and (if asked) parties of the given referrals: three queries per 500 ids.

    ``changes`` holds every change but the progress reports, and one row standing for those (the earliest); ``more``
    how many progress reports that row stands for beyond itself. The replay's state and error are the same as over
    the whole history (see the module docstring); the index on (referral_id, to_state) keeps the reads off the
    progress rows but for their count.
    """
    C, R = t.referral_changes, t.referrals
    changes: dict[str, list[dict]] = defaultdict(list)
    found: dict[str, tuple[str, str]] = {}
    more: dict[str, int] = {}
    for i in range(0, len(rids), 500):
        chunk = rids[i:i + 500]
        for r in conn.execute(select(C).where(among(conn, C.c.referral_id, chunk),
                                              C.c.to_state != PROGRESS)).mappings():
            changes[r["referral_id"]].append(dict(r))
        for r in conn.execute(select(C.c.referral_id, func.count(), func.min(C.c.at), func.min(C.c.message_id),
                                     func.max(C.c.envelope_status))
                              .where(among(conn, C.c.referral_id, chunk), C.c.to_state == PROGRESS)
                              .group_by(C.c.referral_id)):
            rid, n, at, mid, status = r
            changes[rid].append({"message_id": mid, "referral_id": rid, "region": None, "to_state": PROGRESS,
                                 "at": at, "reason": None, "envelope_status": status})
            more[rid] = n - 1
        if parties:
            for r in conn.execute(select(R.c.referral_id, R.c.from_region, R.c.to_region)
                                  .where(among(conn, R.c.referral_id, chunk))):
                found[r.referral_id] = (r.from_region, r.to_region)
    return {"ids": set(rids), "changes": changes, "parties": found, "more": more}


def _stored(batch: Batch, rid: str) -> tuple[list[dict], tuple[str, str] | None]:
    """(stored changes, stored (from, to) parties) of a referral, read once per batch for all its referrals."""
    pre = batch.prefetch("referrals", lambda msgs: _load(batch.conn, sorted({r for m in msgs if (r := _rid(m))})),
                         lambda m: m["kind"] in STATE_OF)
    if rid not in pre["ids"]:  # a handler called outside the intake's batch (no prefetch covers it)
        pre = _load(batch.conn, [rid])
    return list(pre["changes"].get(rid, ())), pre["parties"].get(rid)


def on_change(batch: Batch, msg: dict) -> None:
    p, region, kind = msg["payload"], msg["sender"]["region"], msg["kind"]
    status = msg.get("status") or ACTUAL
    rid = p["referral_id"] if status == ACTUAL else f"{status}/{p['referral_id']}"
    at_field = AT_FIELD[kind]
    row = {"message_id": msg["message_id"], "referral_id": rid, "region": region, "to_state": STATE_OF[kind],
           "at": datetime.fromisoformat(p[at_field] if at_field else msg["sent_at"]),
           "reason": p.get("reason") or p.get("reason_code") if kind == "referral.rejection" else None,
           "envelope_status": status}
    C, R = t.referral_changes, t.referrals
    known, parties = _stored(batch, rid)
    in_batch = batch.memo.setdefault("referrals.in_batch", defaultdict(list))  # this batch's changes, by referral
    known += in_batch[rid]
    sent = next((r for r in known if r["to_state"] == "sent"), None)
    from_region = parties[0] if parties else (sent["region"] if sent else None)
    to_region = parties[1] if parties else next(
        (r["to_region"] for r in batch.upserts[R] if r["referral_id"] == rid), None)
    if kind == "referral.referral":
        to_region = p["to_region"]
        if to_region == region:
            raise BusinessRuleBroken("referral.same_region", "a referral goes to another region", "转办须发往其他地区",
                                     ["payload.to_region"])
    elif to_region is not None and region != to_region:
        raise BusinessRuleBroken("referral.wrong_sender", f"only {to_region} answers this referral",
                                 f"只有 {to_region} 可以处理该转办", ["sender.region"])
    try:
        replay(rid, sequence(known + [row]))
    except (IllegalTransition, ReferralRuleError) as exc:
        raise BusinessRuleBroken(exc.rule_id, str(exc), "转办状态变更不符合状态机", ["kind"]) from exc
    batch.add(C, row)
    if kind == "referral.referral":
        batch.upserts[R].append({"referral_id": rid, "from_region": region, "to_region": to_region, "state": None,
                                 "sent_at": None, "acknowledge_by": datetime.fromisoformat(p["acknowledge_by"]),
                                 "acknowledged_at": None, "pending": 0, "flags": [], "overdue_notified_at": None,
                                 "updated_at": batch.now, "envelope_status": status})
        batch.route(msg, to_region, p["referral_id"])
    elif from_region:
        batch.route(msg, from_region, p["referral_id"])
    batch.touch("referral", rid)
    # last: a handler that fails is rewound from the batch's facts, and this memo must not keep its change either
    in_batch[rid].append(row)


def recompute(batch: Batch) -> None:
    ids = sorted(batch.touched.pop("referral", set()))
    if ids:
        recompute_referrals(batch, ids)


def recompute_referrals(batch: Batch, ids: list[str]) -> list[str]:
    """Replay the given referrals; returns those whose acknowledgement became overdue (not yet notified)."""
    conn, R = batch.conn, t.referrals
    stored = _load(conn, ids, parties=False)
    changes, more = stored["changes"], stored["more"]
    current = {r["referral_id"]: dict(r) for r in conn.execute(select(R).where(among(conn, R.c.referral_id, ids))).mappings()}
    rows, overdue = [], []
    for rid in ids:
        try:
            ref = replay(rid, sequence(changes[rid]))
        except ReferralRuleError:
            continue
        # the progress reports the loaded one stands for wait with it, or were applied with it
        pending = len(ref.pending) + (more.get(rid, 0) if any(c.to is ReferralState.IN_PROGRESS
                                                              for c in ref.pending) else 0)
        prior = current.get(rid) or {}
        sender = next((c["region"] for c in changes[rid] if c["to_state"] == "sent"), prior.get("from_region"))
        due = prior.get("acknowledge_by")
        policy = ReferralPolicy(_aware(due) - ref.sent_at) if due and ref.sent_at else ReferralPolicy()
        flags = list(acknowledgement_flags(ref, batch.now, policy))
        state = ref.state.value if ref.state else None
        status = prior.get("envelope_status") or next(
            (c["envelope_status"] for c in changes[rid] if c.get("envelope_status")), ACTUAL)
        rows.append({"referral_id": rid, "from_region": sender, "to_region": prior.get("to_region"),
                     "state": state, "sent_at": ref.sent_at, "acknowledge_by": due,
                     "acknowledged_at": ref.acknowledged_at, "pending": pending, "flags": flags,
                     "overdue_notified_at": prior.get("overdue_notified_at"), "updated_at": batch.now,
                     "envelope_status": status})
        if status != ACTUAL:  # a drill's state is kept, never announced
            continue
        if state and prior.get("state") != state:
            batch.status_change("referral", rid, sender or "bj", prior.get("state"), state)
        if "acknowledgement_overdue" in flags and prior.get("overdue_notified_at") is None and sender:
            batch.status_change("referral", rid, sender, state, "acknowledgement_overdue",
                                reason="acknowledgement deadline passed")
            rows[-1]["overdue_notified_at"] = batch.now
            overdue.append(rid)
    upsert(conn, R, rows)
    return overdue
