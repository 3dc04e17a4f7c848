"""The whole scenario in virtual-time order: ``build(ref)`` → list of ``Step``.

Deterministic: the same seed gives the same persons, ids and figures; only person_refs depend on the shared
person key (``ref`` turns a synthetic ID number into a person_ref, as an adapter would at the region's edge).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jjj.demo import cases, disasters, eldercare, faults, relief
from jjj.demo.people import PersonFactory
from jjj.demo.timeline import Step
from schemas.person import PersonRefHasher

PERSON_KEY_ID = "k1"
SEED = 20260729


def person_hasher(key_file: Path) -> PersonRefHasher:
    return PersonRefHasher({PERSON_KEY_ID: key_file.read_bytes().strip()}, PERSON_KEY_ID)


def build(ref: Callable[[str], dict], seed: int = SEED) -> list[Step]:
    """Every step, sorted by virtual time (ties keep the order they were written in)."""
    persons = PersonFactory(seed)
    disaster = disasters.steps(persons, ref)
    out = (disaster + relief.steps() + cases.steps(persons, ref) + eldercare.steps(persons, ref)
           + faults.steps(disaster) + faults.native_steps(disaster, ref))
    ids = [s.step_id for s in out]
    if len(ids) != len(set(ids)):
        raise ValueError("scenario step ids must be unique")
    return sorted(out, key=lambda s: s.when)


class RecordingRef:
    """``ref`` for ``build`` that remembers person_ref → ID number: the regions' own systems hold the ID numbers,
    and their native inputs carry them (the adapters make the person_refs at the edge)."""

    def __init__(self, hasher: PersonRefHasher) -> None:
        self.hasher = hasher
        self.ids: dict[str, str] = {}

    def __call__(self, id_number: str) -> dict:
        ref = self.hasher.person_ref(id_number)
        self.ids[ref["ref"]] = id_number
        return ref
