"""Totals over reconciled disaster events (domain.md §1: "Person counts per event are persons; sums across
events are person-times (人次). Keep them distinct.").

Per event the people figures are ``persons``; summed over events (per region, per county, overall) they become
``person_times``. The two are different types so a caller cannot add one to the other by accident. Houses,
hectares, 万元 and the like are ``quantities`` in both. Cancelled events count for nothing; only the current
report of each event counts (each report is a full snapshot, never a delta).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hub.domain.disasters import DisasterEvent, EventKey, Figure, Status

PERSON_INDICATORS: frozenset[str] = frozenset(
    {
        "affected_population",
        "deaths",
        "missing",
        "injured",
        "seriously_injured",
        "emergency_evacuated",
        "relocated_cumulative",
        "relocated_realtime",
        "relocated_centralised",
        "relocated_dispersed",
        "emergency_assistance_needed_cumulative",
        "emergency_assistance_needed_realtime",
        "transitional_assistance_needed",
        "drought_assistance_needed",
    }
)


@dataclass(frozen=True)
class EventTotals:
    """One event: people in persons (人), everything else in its own unit."""

    key: EventKey
    persons: Mapping[str, int]
    quantities: Mapping[str, Figure]


@dataclass(frozen=True)
class AggregateTotals:
    """Several events: people in person-times (人次), everything else summed in its own unit."""

    event_count: int
    person_times: Mapping[str, int]
    quantities: Mapping[str, Figure]


def _split(figures: Mapping[str, Figure], people: frozenset[str]) -> tuple[dict[str, int], dict[str, Figure]]:
    persons = {k: int(v) for k, v in figures.items() if k in people}
    quantities = {k: v for k, v in figures.items() if k not in people}
    return persons, quantities


def _freeze(values: Mapping[str, Figure]) -> Mapping[str, Figure]:
    return MappingProxyType(dict(sorted(values.items())))


def event_totals(event: DisasterEvent, people: frozenset[str] = PERSON_INDICATORS) -> EventTotals:
    persons, quantities = _split(event.figures if event.status is not Status.CANCELLED else {}, people)
    return EventTotals(event.key, MappingProxyType(dict(sorted(persons.items()))), _freeze(quantities))


def _aggregate(figure_sets: Iterable[Mapping[str, Figure]], people: frozenset[str]) -> AggregateTotals:
    count = 0
    person_times: dict[str, int] = {}
    quantities: dict[str, Figure] = {}
    for figures in figure_sets:
        count += 1
        persons, others = _split(figures, people)
        for k, n in persons.items():
            person_times[k] = person_times.get(k, 0) + n
        for k, v in others.items():
            quantities[k] = quantities.get(k, 0) + v
    return AggregateTotals(count, MappingProxyType(dict(sorted(person_times.items()))), _freeze(quantities))


def region_totals(
    events: Iterable[DisasterEvent], people: frozenset[str] = PERSON_INDICATORS
) -> Mapping[str, AggregateTotals]:
    """Per region code, over its live events."""
    by_region: dict[str, list[Mapping[str, Figure]]] = {}
    for event in events:
        if event.status is not Status.CANCELLED and event.current is not None:
            by_region.setdefault(event.key.region, []).append(event.figures)
    return MappingProxyType({r: _aggregate(by_region[r], people) for r in sorted(by_region)})


def county_totals(
    events: Iterable[DisasterEvent], people: frozenset[str] = PERSON_INDICATORS
) -> Mapping[str, AggregateTotals]:
    """Per county code, from the county breakdown of each live event's current report."""
    by_county: dict[str, list[Mapping[str, Figure]]] = {}
    for event in events:
        if event.status is not Status.CANCELLED and event.current is not None:
            for county, figures in event.current.county_figures.items():
                by_county.setdefault(county, []).append(figures)
    return MappingProxyType({c: _aggregate(by_county[c], people) for c in sorted(by_county)})


def overall_totals(events: Iterable[DisasterEvent], people: frozenset[str] = PERSON_INDICATORS) -> AggregateTotals:
    """Across every live event: person-times, never persons."""
    return _aggregate((e.figures for e in events if e.status is not Status.CANCELLED and e.current is not None), people)
