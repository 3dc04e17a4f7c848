"""Scheduled use cases (called by the scheduler and by `jjj hub ...` commands). Each runs in one transaction, is
idempotent (running it twice changes nothing the second time) and queues its messages in the hub outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, func, select, update

from hub.domain.calendar import Period, local_date
from hub.infrastructure import metrics
from hub.infrastructure import tables as t
from hub.services import audit, disasters, referrals, settlement, verification
from hub.services.context import Batch
from hub.services.policy import HubPolicy
from jjj.outbox import enqueue


def _in_batch(engine: Engine, now: datetime, prefix: str, policy: HubPolicy | None, work: Callable[[Batch], object]):  # noqa: ANN202
    with engine.begin() as conn:
        batch = Batch(conn, now, prefix, policy or HubPolicy())
        result = work(batch)
        enqueue(conn, t.hub_outbox, batch.outgoing, now)
        audit.append(conn, batch.audit)
        return result


def run_deadlines(engine: Engine, now: datetime, *, prefix: str = "jjj", policy: HubPolicy | None = None) -> dict:
    """Verification results due (overdue → partial result, once) and referral acknowledgements overdue (once)."""
    def work(batch: Batch) -> dict:
        sent = verification.recompute_requests(batch, verification.open_request_ids(batch.conn))
        R = t.referrals
        open_ids = [r.referral_id for r in batch.conn.execute(select(R.c.referral_id).where(R.c.state == "sent"))]
        overdue = referrals.recompute_referrals(batch, open_ids) if open_ids else []
        return {"verification_results": sent, "referrals_overdue": len(overdue)}
    result = _in_batch(engine, now, prefix, policy, work)
    S = t.verification_state
    with engine.connect() as conn:  # after the commit: the gauge shows committed state only
        metrics.record_verification_overdue(
            conn.execute(select(func.count()).select_from(S).where(S.c.status == "overdue")).scalar_one())
    return result


def run_disaster_checks(engine: Engine, now: datetime, *, prefix: str = "jjj", policy: HubPolicy | None = None) -> int:
    """Re-evaluate deadline flags (初报 late/missing, zero reports, 核报 overdue) of open events at ``now``."""
    def work(batch: Batch) -> int:
        E = t.disaster_events
        keys = {(r.region, r.event_id) for r in batch.conn.execute(select(E.c.region, E.c.event_id)
                                                                   .where(E.c.status == "open"))}
        if keys:
            disasters.recompute_events(batch, keys)
        return len(keys)
    return _in_batch(engine, now, prefix, policy, work)


def run_statements(engine: Engine, period: Period, now: datetime, *, prefix: str = "jjj",
                   policy: HubPolicy | None = None) -> list[str]:
    """Issue the statements of ``period`` (a second run is a no-op)."""
    issued = _in_batch(engine, now, prefix, policy, lambda batch: settlement.run_statements(batch, period))
    S = t.settlement_statements
    with engine.connect() as conn:  # also on a no-op re-run, so a restarted worker shows the period's totals
        totals = {(r.payer_region, r.payee_region): int(r.fen) for r in conn.execute(
            select(S.c.payer_region, S.c.payee_region, func.sum(S.c.total_fen).label("fen"))
            .where(S.c.period == str(period)).group_by(S.c.payer_region, S.c.payee_region))}
    metrics.record_settlement_totals(totals)
    return issued


def due_statement_period(now: datetime, policy: HubPolicy | None = None) -> Period | None:
    """The previous month, once the configured statement day of this month has come."""
    policy = policy or HubPolicy()
    today = local_date(now)
    return Period.of(today).plus_months(-1) if today.day >= policy.statement_day else None


def run_staleness(engine: Engine, now: datetime, *, prefix: str = "jjj", policy: HubPolicy | None = None) -> list[str]:
    """Flag adapters with no heartbeat for ``heartbeat_stale_after`` (status change once, when they go stale)."""
    def work(batch: Batch) -> list[str]:
        H = t.region_heartbeats
        limit = now - batch.policy.heartbeat_stale_after
        stale = []
        for r in batch.conn.execute(select(H).where(H.c.stale_since.is_(None))).mappings():
            seen = r["last_seen_at"] if r["last_seen_at"].tzinfo else r["last_seen_at"].replace(tzinfo=now.tzinfo)
            if seen < limit:
                batch.conn.execute(update(H).where(H.c.region == r["region"], H.c.adapter_id == r["adapter_id"])
                                   .values(stale_since=now))
                batch.status_change("adapter", r["adapter_id"], r["region"], "live", "stale",
                                    reason=f"no heartbeat since {seen.isoformat()}")
                stale.append(f"{r['region']}/{r['adapter_id']}")
        return stale
    return _in_batch(engine, now, prefix, policy, work)
