"""Linking one disaster seen from two regions (domain.md §1: event identity = date + county + type).

Two events of *different* regions are linked when

* both carry the same explicit ``shared_event_ref`` (a typhoon number, an agreed cross-border id), or
* they have the same disaster type, overlapping date ranges, and a shared county or a pair of adjacent counties.

Adjacency is an input (a set of county-code pairs, order irrelevant): borders are reference data, not code.
An open event's date range runs to ``as_of`` (the caller's "today").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from hub.domain.disasters import DisasterEvent, EventKey, Status


@dataclass(frozen=True, order=True)
class EventLink:
    """``a`` sorts before ``b``; ``reason`` is ``shared_ref`` or ``same_area``."""

    a: tuple[str, str]
    b: tuple[str, str]
    reason: str


def _span(event: DisasterEvent, as_of: date) -> tuple[date, date] | None:
    current = event.current
    if current is None:
        return None
    return current.started_on, current.ended_on or as_of


def _touching(a: frozenset[str], b: frozenset[str], adjacency: frozenset[frozenset[str]]) -> bool:
    return bool(a & b) or any(frozenset((x, y)) in adjacency for x in a for y in b)


def link_events(
    events: Iterable[DisasterEvent], adjacent_counties: Iterable[tuple[str, str]], as_of: date
) -> tuple[EventLink, ...]:
    """All links between events of different regions, sorted; cancelled events are never linked."""
    adjacency = frozenset(frozenset(pair) for pair in adjacent_counties)
    live = sorted(
        (e for e in events if e.status is not Status.CANCELLED and e.current is not None),
        key=lambda e: (e.key.region, e.key.event_id),
    )
    links: set[EventLink] = set()
    for one, two in combinations(live, 2):
        if one.key.region == two.key.region:
            continue
        first, second = one.current, two.current
        assert first is not None and second is not None
        a, b = (one.key.region, one.key.event_id), (two.key.region, two.key.event_id)
        if first.shared_event_ref and first.shared_event_ref == second.shared_event_ref:
            links.add(EventLink(a, b, "shared_ref"))
            continue
        span_a, span_b = _span(one, as_of), _span(two, as_of)
        assert span_a is not None and span_b is not None
        if (
            first.disaster_type == second.disaster_type
            and span_a[0] <= span_b[1]
            and span_b[0] <= span_a[1]
            and _touching(first.counties, second.counties, adjacency)
        ):
            links.add(EventLink(a, b, "same_area"))
    return tuple(sorted(links))


def linked_groups(events: Iterable[EventKey], links: Iterable[EventLink]) -> tuple[frozenset[tuple[str, str]], ...]:
    """Connected components of the link graph (every event appears once), sorted by smallest member."""
    parent: dict[tuple[str, str], tuple[str, str]] = {(k.region, k.event_id): (k.region, k.event_id) for k in events}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent[node] != node:
            node = parent[node]
        return node

    for link in links:
        parent.setdefault(link.a, link.a)
        parent.setdefault(link.b, link.b)
        ra, rb = root(link.a), root(link.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return tuple(frozenset(g) for _, g in sorted(groups.items()))
