"""The scenario's virtual clock and its unit of play, the ``Step``.

Day 0 is 2026-07-29, the onset of the rainstorm over the Haihe basin. Eldercare months start before it
(day -58 = 2026-06-01). All scenario times are Asia/Shanghai (+08:00).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
DAY0 = datetime(2026, 7, 29, tzinfo=CST)


def at(day: float, hour: float = 0.0) -> datetime:
    """The virtual instant ``day`` days and ``hour`` hours after day 0 (00:00 +08:00)."""
    return DAY0 + timedelta(days=day, hours=hour)


def ts(day: float, hour: float = 0.0) -> str:
    """RFC 3339 with the +08:00 offset, seconds precision."""
    return at(day, hour).isoformat(timespec="seconds")


def iso_date(day: float) -> str:
    return at(day).date().isoformat()


def day_of(d: date) -> int:
    return (d - DAY0.date()).days


@dataclass(frozen=True)
class Step:
    """One thing that happens in the scenario: a region's system hands its adapter a message at virtual ``when``.

    ``step_id`` is deterministic and unique: the played-steps ledger keys on it, so a second run plays nothing
    twice. ``kind`` is the canonical kind; ``payload`` the canonical payload (person_refs already made).
    ``refers_to`` names the steps it answers. ``fault`` names a deliberately bad delivery (see ``faults``) and ``expect_code`` the receipt code it must get.
    """

    step_id: str
    when: datetime
    region: str
    kind: str
    payload: dict
    title: str
    fault: str | None = None
    expect_code: int = 100
    expect_rule: str | None = None
    #: step ids of the messages this one answers (resolved to their message ids when played)
    refers_to: tuple[str, ...] = ()
    native: dict = field(default_factory=dict, compare=False)

    @property
    def family(self) -> str:
        return self.kind.split(".")[0]
