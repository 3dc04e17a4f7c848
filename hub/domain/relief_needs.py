"""Rough relief needs from disaster figures, shortfalls, and a suggested cross-region allocation (domain.md §2).

Planning ratios are ``[configurable]`` in domain.md: a 12 m² tent shelters about 4 to 5 people (default 1 tent per
4.5 relocated persons, rounded up), one quilt and one folding bed per relocated person. Ratios are exact
``Fraction``s so 1/4.5 never passes through a float.

Allocation is greedy and deterministic: regions in shortfall are served in region-code order, items in item
order; each takes from the nearest region with a surplus (distance given as input, km or rank; ties broken by
region code). A surplus is what a region holds beyond its own need.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from hub.domain.disasters import Figure
from hub.domain.errors import ReliefRuleError


def _default_per_person() -> Mapping[str, Fraction]:
    return MappingProxyType({"tent_12m2": Fraction(2, 9), "quilt": Fraction(1), "folding_bed": Fraction(1)})


@dataclass(frozen=True)
class Ratios:
    """Units of each item per relocated person, and which indicator counts the relocated."""

    per_person: Mapping[str, Fraction] = field(default_factory=_default_per_person)
    basis_indicators: tuple[str, ...] = ("relocated_realtime", "relocated_cumulative")


def needs(figures: Mapping[str, Figure], ratios: Ratios = Ratios()) -> Mapping[str, int]:
    """Item → units needed for one event: ``ceil(relocated × ratio)``; the first basis indicator present counts."""
    people = next((int(figures[name]) for name in ratios.basis_indicators if name in figures), 0)
    return MappingProxyType({item: math.ceil(people * ratio) for item, ratio in sorted(ratios.per_person.items())})


@dataclass(frozen=True, order=True)
class Shortfall:
    region: str
    item: str
    need: int
    available: int

    @property
    def missing(self) -> int:
        return max(self.need - self.available, 0)


def shortfalls(
    need_by_region: Mapping[str, Mapping[str, int]], available: Mapping[tuple[str, str], int]
) -> tuple[Shortfall, ...]:
    """Every (region, item) whose need exceeds the stock available in that region."""
    found = [
        Shortfall(region, item, need, available.get((region, item), 0))
        for region, items in need_by_region.items()
        for item, need in items.items()
    ]
    return tuple(sorted(s for s in found if s.missing))


@dataclass(frozen=True, order=True)
class Allocation:
    to_region: str
    item: str
    from_region: str
    quantity: int


def _distance(distances: Mapping[tuple[str, str], int | float], a: str, b: str) -> int | float:
    if (a, b) in distances:
        return distances[(a, b)]
    if (b, a) in distances:
        return distances[(b, a)]
    raise ReliefRuleError("relief.distance_unknown", regions=sorted((a, b)))


def allocate(
    need_by_region: Mapping[str, Mapping[str, int]],
    available: Mapping[tuple[str, str], int],
    distances: Mapping[tuple[str, str], int | float],
) -> tuple[tuple[Allocation, ...], tuple[Shortfall, ...]]:
    """Suggest transfers from the nearest surplus; returns (allocations, what is still missing after them)."""
    regions = sorted({r for r, _ in available} | set(need_by_region))
    surplus = {
        (r, item): qty - need_by_region.get(r, {}).get(item, 0)
        for (r, item), qty in available.items()
        if qty > need_by_region.get(r, {}).get(item, 0)
    }
    allocations: list[Allocation] = []
    remaining: list[Shortfall] = []
    for short in shortfalls(need_by_region, available):
        missing = short.missing
        donors = sorted(
            (r for r in regions if r != short.region and surplus.get((r, short.item), 0) > 0),
            key=lambda r: (_distance(distances, short.region, r), r),
        )
        for donor in donors:
            if not missing:
                break
            qty = min(missing, surplus[(donor, short.item)])
            surplus[(donor, short.item)] -= qty
            missing -= qty
            allocations.append(Allocation(short.region, short.item, donor, qty))
        if missing:
            remaining.append(Shortfall(short.region, short.item, missing, 0))
    return tuple(allocations), tuple(remaining)
