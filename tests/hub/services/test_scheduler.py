"""One scheduler holds the lease; its jobs are idempotent (running twice changes nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.domain.calendar import Period
from hub.infrastructure import lease
from hub.infrastructure import tables as t
from hub.services import jobs
from tests.hub.services import builders as b

T = datetime(2026, 8, 5, 2, 0, tzinfo=b.CST)


def test_only_one_holder_has_the_lease_until_it_expires(engine) -> None:  # noqa: ANN001
    ttl = timedelta(seconds=60)
    assert lease.acquire(engine, "scheduler", "a", T, ttl)
    assert not lease.acquire(engine, "scheduler", "b", T + timedelta(seconds=30), ttl)
    assert lease.acquire(engine, "scheduler", "a", T + timedelta(seconds=30), ttl)  # renew
    assert not lease.acquire(engine, "scheduler", "b", T + timedelta(seconds=80), ttl)
    assert lease.acquire(engine, "scheduler", "b", T + timedelta(seconds=91), ttl)  # a's lease ran out


def test_statement_day_and_staleness_jobs_are_idempotent(hub) -> None:  # noqa: ANN001
    assert jobs.due_statement_period(datetime(2026, 8, 4, 12, tzinfo=b.CST)) is None
    assert jobs.due_statement_period(T) == Period(2026, 7)
    hub.feed(b.heartbeat("bj"), b.heartbeat("tj"))
    assert jobs.run_staleness(hub.engine, hub.now + timedelta(minutes=1)) == []
    assert jobs.run_staleness(hub.engine, hub.now + timedelta(minutes=5)) == ["bj/bj-adapter", "tj/tj-adapter"]
    assert jobs.run_staleness(hub.engine, hub.now + timedelta(minutes=6)) == []
    hub.feed(b.heartbeat("bj", at=300))
    stale = {r["region"]: r["stale_since"] for r in hub.rows(t.region_heartbeats)}
    assert stale["bj"] is None and stale["tj"] is not None


def test_zero_report_check_flags_a_major_event_without_a_daily_report(hub) -> None:  # noqa: ANN001
    hub.feed(b.disaster("bj", "MAJ", "initial", 1, 5000, deaths=10))
    later = hub.now + timedelta(days=1, hours=2)  # 2026-07-31 14:00, past the 12:00 zero-report time
    assert jobs.run_disaster_checks(hub.engine, later) == 1
    assert jobs.run_disaster_checks(hub.engine, later) == 1
    [e] = hub.rows(t.disaster_events)
    assert [(f["rule"], f["day"]) for f in e["deadline_flags"]] == [("zero_report_missing", "2026-07-31")]
