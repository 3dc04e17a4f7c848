"""Cross-field rules: plain functions over an already field-valid payload dict.

A rule yields :class:`~schemas.errors.FieldError` with a rule id (``disaster.relocation_split``) and
its own English and Chinese text; both validators (marshmallow and the fast path) run the same
functions after field validation, so they agree.  A broken rule is receipt code 420.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from schemas.errors import FieldError

Rule = Callable[[dict], Iterable[FieldError]]


def violation(rule: str, path: str, en: str, zh: str) -> FieldError:
    """A broken rule at ``path`` (relative to the envelope, e.g. ``payload.totals.people.injured_severe``)."""
    return FieldError(path=path, key="rule", en=en, zh=zh, rule=rule)


def at(base: str, *parts: str | int) -> str:
    """Join path parts: ``at("payload.lines", 0, "unit")`` → ``payload.lines[0].unit``."""
    out = base
    for p in parts:
        out = f"{out}[{p}]" if isinstance(p, int) else (f"{out}.{p}" if out else p)
    return out


def num(value: Any) -> int:
    """A count (int) or a fixed-scale decimal string as an integer of hundredths, for comparisons."""
    if type(value) is int:
        return value
    if isinstance(value, str):
        whole, _, frac = value.partition(".")
        return int(whole) * 100 + int((frac + "00")[:2])
    return int(value)


def not_above(rule: str, obj: dict, base: str, part: str, whole: str, zh_part: str, zh_whole: str) -> Iterator[FieldError]:
    """``其中 ≤ parent``: ``obj[part] ≤ obj[whole]`` when both are present."""
    if part in obj and whole in obj and num(obj[part]) > num(obj[whole]):
        yield violation(rule, at(base, part), f"{part} ({obj[part]}) exceeds {whole} ({obj[whole]}).",
                        f"{zh_part}（{obj[part]}）大于{zh_whole}（{obj[whole]}）。")


def unique(rule: str, items: list[dict], key: str, base: str) -> Iterator[FieldError]:
    """Ids inside one list must be unique."""
    seen: set = set()
    for i, item in enumerate(items):
        v = item.get(key)
        if v in seen:
            yield violation(rule, at(base, i, key), f"Duplicate {key} {v!r}.", f"{key} {v!r} 重复。")
        seen.add(v)


def run(rules: Iterable[Rule], payload: dict) -> list[FieldError]:
    """All violations of all rules, in rule order."""
    out: list[FieldError] = []
    for rule in rules:
        out.extend(rule(payload))
    return out
