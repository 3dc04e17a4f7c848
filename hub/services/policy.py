"""Configurable rule parameters of the hub in one place (domain.md marks these ``[configurable]``/``[unverified]``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from hub.domain.calendar import WorkingCalendar
from hub.domain.disaster_checks import DeadlinePolicy
from hub.domain.eldercare import AdjudicationPolicy
from hub.domain.relief_needs import Ratios
from hub.domain.settlement_accounts import SettlementPolicy
from hub.domain.verification import VerificationPolicy

#: Bus region code → GB/T 2260 province code (contracts.md "Topics").
PROVINCE = {"bj": "110000", "tj": "120000", "he": "130000"}
BUS_REGION = {v: k for k, v in PROVINCE.items()}


def bus_region_of(unit_code: str) -> str:
    """``130681`` → ``he``."""
    return BUS_REGION[unit_code[:2] + "0000"]


@dataclass(frozen=True)
class HubPolicy:
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    verification: VerificationPolicy = field(default_factory=VerificationPolicy)
    adjudication: AdjudicationPolicy = field(default_factory=AdjudicationPolicy)
    settlement: SettlementPolicy = field(default_factory=SettlementPolicy)
    ratios: Ratios = field(default_factory=Ratios)
    #: county-code pairs that share a border; reference data (none published here yet), an input to linking
    adjacent_counties: frozenset[tuple[str, str]] = frozenset()
    #: a region whose adapters sent no heartbeat for this long is stale
    heartbeat_stale_after: timedelta = timedelta(minutes=2)
    #: statements for month M are run on this day of month M+1
    statement_day: int = 5
    #: distances between regions for the suggested allocation (rank; Beijing–Tianjin nearest) [configurable]
    region_distances: dict[tuple[str, str], int] = field(
        default_factory=lambda: {("bj", "tj"): 120, ("bj", "he"): 150, ("tj", "he"): 180})
