"""A database lease so that exactly one scheduler runs jobs (contracts.md: "scheduler … exactly one instance").

Acquire and renew are one atomic UPDATE (``WHERE expires_at < now OR holder = me``), or the first INSERT; whoever
changed the row holds the lease until ``expires_at``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import IntegrityError

from hub.infrastructure.tables import scheduler_lease


def acquire(engine: Engine, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while another holder's lease is live."""
    L = scheduler_lease
    with engine.begin() as conn:
        changed = conn.execute(update(L).where(L.c.name == name, (L.c.expires_at < now) | (L.c.holder == holder))
                               .values(holder=holder, expires_at=now + ttl)).rowcount
        if changed:
            return True
    try:
        with engine.begin() as conn:
            conn.execute(insert(L).values(name=name, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False


def release(engine: Engine, name: str, holder: str, now: datetime) -> None:
    L = scheduler_lease
    with engine.begin() as conn:
        conn.execute(update(L).where(L.c.name == name, L.c.holder == holder).values(expires_at=now))
