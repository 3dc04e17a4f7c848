"""Relief-material stock as an auditable ledger (domain.md §2: "physical count = label = ledger").

A ledger holds movements (deduped by ``movement_id``) and snapshots (deduped by ``snapshot_id``) per stock line
``(depot, item, spec, batch)``. Each snapshot is reconciled against the previous snapshot plus the movements
between them: ``expected = previous.on_hand + Σ signed movements in (previous.as_of, snapshot.as_of]``; any
difference is reported as a ``Discrepancy``, never absorbed. The first snapshot of a line opens it (no check).

Balance at ``t`` = last snapshot at or before ``t`` + movements after it up to ``t`` (movements alone from zero
when there is no snapshot yet). A movement stamped exactly at a snapshot's ``as_of`` is inside that snapshot.
Reserved and damaged quantities come from the last snapshot: movements change only what is on hand.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from itertools import accumulate
from types import MappingProxyType
from typing import TypeVar

from hub.domain.errors import ReliefRuleError


class MovementKind(Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    SCRAP = "scrap"
    ADJUSTMENT = "adjustment"  # the only kind whose quantity may be negative

    @property
    def sign(self) -> int:
        return -1 if self in (MovementKind.OUTBOUND, MovementKind.TRANSFER_OUT, MovementKind.SCRAP) else 1


class Tier(Enum):
    CENTRAL = "central"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"


@dataclass(frozen=True)
class Depot:
    depot_id: str
    tier: Tier
    unit_code: str  # GB/T 2260
    region: str  # province-level code, 110000 / 120000 / 130000


@dataclass(frozen=True, order=True)
class StockKey:
    depot_id: str
    item: str
    spec: str
    batch: str


@dataclass(frozen=True)
class Movement:
    movement_id: str
    key: StockKey
    kind: MovementKind
    quantity: int
    occurred_at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.quantity, int) or (self.kind is not MovementKind.ADJUSTMENT and self.quantity <= 0):
            raise ReliefRuleError("relief.bad_quantity", movement_id=self.movement_id)

    @property
    def signed(self) -> int:
        return self.kind.sign * self.quantity


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    key: StockKey
    on_hand: int
    reserved: int
    damaged: int
    as_of: datetime

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved - self.damaged, 0)


@dataclass(frozen=True)
class Discrepancy:
    """``counted − expected`` for a snapshot; ``conflict`` when two snapshots share an ``as_of`` and disagree."""

    key: StockKey
    snapshot_id: str
    previous_snapshot_id: str
    expected: int
    counted: int
    conflict: bool = False

    @property
    def difference(self) -> int:
        return self.counted - self.expected


_Item = TypeVar("_Item", "Movement", "Snapshot")
_When = TypeVar("_When", datetime, int)  # movement times, or the µs the hub's stock memo packs them as


@dataclass(frozen=True)
class StockLedger:
    movements: Mapping[StockKey, tuple[Movement, ...]]  # per line, by (occurred_at, movement_id)
    snapshots: Mapping[StockKey, tuple[Snapshot, ...]]  # per line, by (as_of, snapshot_id)

    @property
    def keys(self) -> tuple[StockKey, ...]:
        return tuple(sorted(self.movements.keys() | self.snapshots.keys()))


def _unique(items: Iterable[_Item], id_of: str) -> list[_Item]:
    seen: dict[str, _Item] = {}
    for item in items:
        ident = getattr(item, id_of)
        if seen.setdefault(ident, item) != item:
            raise ReliefRuleError("relief.id_reused", **{id_of: ident})
    return list(seen.values())


def build_ledger(movements: Iterable[Movement], snapshots: Iterable[Snapshot]) -> StockLedger:
    """The ledger of a set of messages: arrival order and duplicates do not matter."""
    by_key_m: dict[StockKey, list[Movement]] = {}
    for m in _unique(movements, "movement_id"):
        by_key_m.setdefault(m.key, []).append(m)
    by_key_s: dict[StockKey, list[Snapshot]] = {}
    for s in _unique(snapshots, "snapshot_id"):
        by_key_s.setdefault(s.key, []).append(s)
    return StockLedger(
        MappingProxyType(
            {k: tuple(sorted(v, key=lambda m: (m.occurred_at, m.movement_id))) for k, v in sorted(by_key_m.items())}
        ),
        MappingProxyType(
            {k: tuple(sorted(v, key=lambda s: (s.as_of, s.snapshot_id))) for k, v in sorted(by_key_s.items())}
        ),
    )


def _moved(ledger: StockLedger, key: StockKey, after: datetime | None, until: datetime) -> int:
    return sum(
        m.signed
        for m in ledger.movements.get(key, ())
        if (after is None or m.occurred_at > after) and m.occurred_at <= until
    )


def movement_sums(times: Sequence[_When], signed: Iterable[int]) -> Callable[[_When | None, _When], int]:
    """``moved(after, until)``: the signed movements of one line in ``(after, until]`` (``after`` None: from the
    start), in O(log n) a call. ``times``: the line's movement times in ledger order (datetimes, or any ordered
    stand-in such as the µs the hub's stock memo packs); ``signed`` their signed quantities in the same order."""
    prefix = list(accumulate(signed, initial=0))

    def moved(after: datetime | None, until: datetime) -> int:
        lo, hi = (0 if after is None else bisect_right(times, after)), bisect_right(times, until)
        return prefix[hi] - prefix[lo] if hi > lo else 0

    return moved


def line_discrepancies(key: StockKey, shots: Sequence[tuple[datetime, str, int]],
                       moved: Callable[[datetime | None, datetime], int]) -> list[Discrepancy]:
    """The discrepancies of one line: ``shots`` its snapshots as ``(as_of, snapshot_id, on_hand)`` in ledger order,
    ``moved`` its ``movement_sums``."""
    found: list[Discrepancy] = []
    for (p_at, p_id, p_on), (c_at, c_id, c_on) in zip(shots, shots[1:], strict=False):
        if p_at == c_at:
            if p_on != c_on:
                found.append(Discrepancy(key, c_id, p_id, p_on, c_on, True))
            continue
        expected = p_on + moved(p_at, c_at)
        if expected != c_on:
            found.append(Discrepancy(key, c_id, p_id, expected, c_on))
    return found


def discrepancies(ledger: StockLedger) -> tuple[Discrepancy, ...]:
    """Every snapshot that disagrees with its predecessor plus the movements between them.

    Linear in a line's history (one pass over its movements, a binary search per snapshot): a line recomputed in
    every batch of a long flood would otherwise cost snapshots × movements each time.
    """
    found: list[Discrepancy] = []
    for key, shots in ledger.snapshots.items():
        moves = ledger.movements.get(key, ())
        moved = movement_sums([m.occurred_at for m in moves], (m.signed for m in moves))
        found += line_discrepancies(key, [(s.as_of, s.snapshot_id, s.on_hand) for s in shots], moved)
    return tuple(found)


@dataclass(frozen=True)
class StockPosition:
    key: StockKey
    on_hand: int
    reserved: int
    damaged: int

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved - self.damaged, 0)


def position_at(ledger: StockLedger, key: StockKey, at: datetime) -> StockPosition:
    """Ledger balance of one line at ``at``."""
    shots = [s for s in ledger.snapshots.get(key, ()) if s.as_of <= at]
    last = shots[-1] if shots else None
    if last is None:
        return StockPosition(key, _moved(ledger, key, None, at), 0, 0)
    return StockPosition(key, last.on_hand + _moved(ledger, key, last.as_of, at), last.reserved, last.damaged)


@dataclass(frozen=True)
class StockTotals:
    """Available quantities summed by (region, item), (tier, item) and item; specs and batches are pooled."""

    by_region: Mapping[tuple[str, str], int]
    by_tier: Mapping[tuple[Tier, str], int]
    by_item: Mapping[str, int]


def stock_totals(ledger: StockLedger, depots: Mapping[str, Depot], at: datetime) -> StockTotals:
    by_region: dict[tuple[str, str], int] = {}
    by_tier: dict[tuple[Tier, str], int] = {}
    by_item: dict[str, int] = {}
    for key in ledger.keys:
        depot = depots.get(key.depot_id)
        if depot is None:
            raise ReliefRuleError("relief.unknown_depot", depot_id=key.depot_id)
        qty = position_at(ledger, key, at).available
        by_region[(depot.region, key.item)] = by_region.get((depot.region, key.item), 0) + qty
        by_tier[(depot.tier, key.item)] = by_tier.get((depot.tier, key.item), 0) + qty
        by_item[key.item] = by_item.get(key.item, 0) + qty
    return StockTotals(
        MappingProxyType(dict(sorted(by_region.items()))),
        MappingProxyType(dict(sorted(by_tier.items(), key=lambda kv: (kv[0][0].value, kv[0][1])))),
        MappingProxyType(dict(sorted(by_item.items()))),
    )
