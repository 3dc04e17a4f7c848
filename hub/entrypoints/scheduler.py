"""`jjj scheduler run`: APScheduler 3 jobs, run only while this process holds the database lease.

Every job is idempotent (``hub.services.jobs``), so a job repeated after a lease hand-over changes nothing.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hub.bootstrap import HubServices
from hub.infrastructure import lease
from hub.services import jobs

log = logging.getLogger(__name__)
LEASE = "scheduler"
TTL = timedelta(seconds=60)


class Scheduler:
    """The jobs and the lease; ``tick``-style methods so tests can call them without APScheduler."""

    def __init__(self, services: HubServices, holder: str | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.services, self.clock = services, clock
        self.holder = holder or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"

    def leader(self) -> bool:
        return lease.acquire(self.services.engine, LEASE, self.holder, self.clock(), TTL)

    def _guarded(self, name: str, job: Callable[[], object]) -> object:
        if not self.leader():
            log.debug("not the scheduler leader; %s skipped", name)
            return None
        result = job()
        log.info("job %s: %s", name, result)
        return result

    def deadlines(self) -> object:
        s = self.services
        return self._guarded("deadlines", lambda: jobs.run_deadlines(s.engine, self.clock(),
                                                                      prefix=s.settings.topic_prefix))

    def disaster_checks(self) -> object:
        s = self.services
        return self._guarded("disaster_checks", lambda: jobs.run_disaster_checks(s.engine, self.clock(),
                                                                                  prefix=s.settings.topic_prefix))

    def staleness(self) -> object:
        s = self.services
        return self._guarded("staleness", lambda: jobs.run_staleness(s.engine, self.clock(),
                                                                      prefix=s.settings.topic_prefix))

    def statements(self) -> object:
        s = self.services
        period = jobs.due_statement_period(self.clock())
        if period is None:
            return None
        return self._guarded("statements", lambda: jobs.run_statements(s.engine, period, self.clock(),
                                                                        prefix=s.settings.topic_prefix))


def run(services: HubServices, *, holder: str | None = None) -> None:
    """Block and run the jobs (Ctrl-C stops); the publisher thread drains the hub outbox the jobs fill."""
    import threading

    from apscheduler.schedulers.blocking import BlockingScheduler

    sched = Scheduler(services, holder)
    stop = threading.Event()
    publisher = services.publisher()
    drainer = threading.Thread(target=publisher.drain, kwargs={"until_empty": False, "stop": stop.is_set},
                               daemon=True)
    drainer.start()
    bs = BlockingScheduler(timezone="Asia/Shanghai")
    bs.add_job(sched.leader, "interval", seconds=20, id="lease", max_instances=1, coalesce=True)
    bs.add_job(sched.deadlines, "interval", minutes=1, id="deadlines", max_instances=1, coalesce=True)
    bs.add_job(sched.staleness, "interval", seconds=30, id="staleness", max_instances=1, coalesce=True)
    bs.add_job(sched.disaster_checks, "cron", minute="*/15", id="disaster_checks", max_instances=1, coalesce=True)
    bs.add_job(sched.statements, "cron", hour=2, minute=0, id="statements", max_instances=1, coalesce=True)
    try:
        bs.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop.set()
        lease.release(services.engine, LEASE, sched.holder, datetime.now(UTC))
