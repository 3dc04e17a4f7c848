"""Configurable rule parameters of the hub in one place (domain.md marks these ``[configurable]``/``[unverified]``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from hub.domain.calendar import WorkingCalendar
from hub.domain.disaster_checks import DeadlinePolicy
from hub.domain.eldercare import AdjudicationPolicy
from hub.domain.relief_costs import Valuation
from hub.domain.relief_needs import Ratios
from hub.domain.settlement_accounts import SettlementPolicy
from hub.domain.verification import VerificationPolicy

#: Bus region code → GB/T 2260 province code (contracts.md "Topics").
PROVINCE = {"bj": "110000", "tj": "120000", "he": "130000"}
BUS_REGION = {v: k for k, v in PROVINCE.items()}


def bus_region_of(unit_code: str) -> str:
    """``130681`` → ``he``."""
    return BUS_REGION[unit_code[:2] + "0000"]


#: Names the JSON file of agreed relief unit values (ops/relief_valuation.example.json shows the shape).
VALUATION_ENV = "JJJ_RELIEF_VALUATION_FILE"


class ValuationFileError(ValueError):
    """The relief valuation file is unreadable or malformed (the hub refuses to start on it)."""


def load_valuation(path: str | Path) -> Valuation:
    """``{"discrepancy_borne_by": "supplier"|"receiver", "unit_fen": [{"item", "unit", "fen"}, ...]}`` → Valuation.
    Keys starting with ``_`` are comments. Fen are integers (never floats)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        values = {}
        for row in doc.get("unit_fen", []):
            key = (str(row["item"]), str(row["unit"]))
            if key in values:
                raise ValuationFileError(f"{path}: {key} valued twice")
            values[key] = row["fen"]
        return Valuation(values, doc.get("discrepancy_borne_by", "supplier"))
    except ValuationFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse or rule error is the same configuration error
        raise ValuationFileError(f"{path}: {exc}") from exc


@lru_cache(maxsize=8)
def _cached(path: str, mtime_ns: int) -> Valuation:  # noqa: ARG001 - the mtime keys the cache
    return load_valuation(path)


def valuation_from_env() -> Valuation:
    """The agreed values named by ``JJJ_RELIEF_VALUATION_FILE``; none (every item ``unvalued``) when unset."""
    path = os.environ.get(VALUATION_ENV, "").strip()
    if not path:
        return Valuation()
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError as exc:
        raise ValuationFileError(f"{VALUATION_ENV}={path}: {exc}") from exc
    return _cached(path, mtime)


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
    #: agreed unit values (fen per item and unit) and who bears discrepancies [configurable: set by the operating
    #: agency in the file named by JJJ_RELIEF_VALUATION_FILE]; without it the cost ledger has quantities only
    relief_valuation: Valuation = field(default_factory=valuation_from_env)
