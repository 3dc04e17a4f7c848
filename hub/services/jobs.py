"""Scheduled use cases (called by the scheduler and by `jjj hub ...` commands). Each runs in one transaction, is
idempotent (running it twice changes nothing the second time) and queues its messages in the hub outbox."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, update

from hub.domain.calendar import Period, local_date
from hub.infrastructure import metrics
from hub.infrastructure import tables as t
from hub.services import audit, disasters, referrals, settlement, verification
from hub.services.context import Batch
from hub.services.policy import HubPolicy
from jjj.outbox import enqueue

log = logging.getLogger(__name__)


def _in_batch(engine: Engine, now: datetime, prefix: str, policy: HubPolicy | None, work: Callable[[Batch], object]):  # noqa: ANN202
    with engine.begin() as conn:
        return _work_in(conn, now, prefix, policy, work)


def _work_in(conn: Connection, now: datetime, prefix: str, policy: HubPolicy | None,  # noqa: ANN202
             work: Callable[[Batch], object]):
    batch = Batch(conn, now, prefix, policy or HubPolicy())
    result = work(batch)
    enqueue(conn, t.hub_outbox, batch.outgoing, now)
    audit.append(conn, batch.audit)
    return result


#: SQLite's default ``wal_autocheckpoint`` (pages), restored on the run's connection before it is closed
_AUTOCHECKPOINT_PAGES = 1000
_checkpoints: list[threading.Thread] = []
_checkpoints_lock = threading.Lock()


def _sqlite_file(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def _in_batch_checkpointed_later(engine: Engine, now: datetime, prefix: str, policy: HubPolicy | None,  # noqa: ANN202
                                 work: Callable[[Batch], object]):
    """``_in_batch`` for a run that writes most of the database (the statement run rewrites every line of a month).

    SQLite: the commit does not checkpoint the WAL (``wal_autocheckpoint`` 0 on this connection only: copying the
    ~234 MB a 1,000,000-line run writes back into the database file took ~1 s of a ~6 s run); a background thread
    then checkpoints it on the same connection (``checkpoint_after_run``) and closes that connection (closing it
    first would checkpoint inside the run too: the last connection to close a WAL database checkpoints it). The
    run's data is committed (and as durable as any commit with ``synchronous=NORMAL``) before the call returns.
    Other databases: ``_in_batch``."""
    if not _sqlite_file(engine):
        return _in_batch(engine, now, prefix, policy, work)
    conn = engine.connect()
    try:
        conn.connection.driver_connection.execute("PRAGMA wal_autocheckpoint=0")
        with conn.begin():
            result = _work_in(conn, now, prefix, policy, work)
    except BaseException:
        _close(conn)
        raise
    thread = threading.Thread(target=checkpoint_after_run, args=(conn,), name="jjj-wal-checkpoint")
    with _checkpoints_lock:
        _checkpoints[:] = [th for th in _checkpoints if th.is_alive()]
        _checkpoints.append(thread)
    thread.start()  # not a daemon: a command that exits right after the run still finishes the checkpoint
    return result


def _close(conn: Connection) -> None:
    try:
        conn.connection.driver_connection.execute(f"PRAGMA wal_autocheckpoint={_AUTOCHECKPOINT_PAGES}")
    finally:
        conn.close()


def checkpoint_after_run(conn: Connection) -> tuple[int, int, int] | None:
    """Checkpoint the WAL a big run left behind, then close ``conn`` (the run's connection); returns the TRUNCATE
    checkpoint's ``(busy, wal frames, frames checkpointed)`` (``(0, 0, 0)``: every frame is in the database file and
    the WAL is empty), or None when it failed (logged; SQLite's next automatic checkpoint copies the frames then).

    A PASSIVE checkpoint first copies the frames without blocking anyone; the TRUNCATE one then (waiting at most 5 s
    for writers and readers of older snapshots) copies what was committed meanwhile and empties the WAL file, so
    the run leaves no 234 MB WAL on disk."""
    raw = conn.connection.driver_connection
    try:
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        raw.execute("PRAGMA busy_timeout=5000")
        busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        raw.execute("PRAGMA busy_timeout=30000")
        if busy:
            log.warning("WAL checkpoint after the run: busy (%s frames, %s copied); SQLite's next automatic "
                        "checkpoint copies the rest", frames, copied)
        return int(busy), int(frames), int(copied)
    except Exception:  # noqa: BLE001 - maintenance: the run is committed whatever happens here
        log.exception("WAL checkpoint after the run failed; SQLite's next automatic checkpoint copies the frames")
        return None
    finally:
        _close(conn)


def wait_for_checkpoints(timeout: float | None = None) -> bool:
    """Wait until the checkpoints started after runs have finished (tests, the bench, a command about to exit);
    True when none is left running."""
    with _checkpoints_lock:
        pending = list(_checkpoints)
    for thread in pending:
        thread.join(timeout)
    return not any(th.is_alive() for th in pending)


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
    """Issue the statements of ``period`` (a second run is a no-op). SQLite: the run's WAL is checkpointed after
    the call returns, in the background (``_in_batch_checkpointed_later``; ``wait_for_checkpoints``)."""
    issued = _in_batch_checkpointed_later(engine, now, prefix, policy,
                                          lambda batch: settlement.run_statements(batch, period))
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
