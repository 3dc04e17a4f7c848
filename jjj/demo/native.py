"""Each scenario step rendered the way its region's own system sends it (adapters/README.md "formats").

Beijing pushes JSON with Chinese field names (元, 京-xx district numbers) to ``POST /intake/<format>``; Tianjin
drops GBK CSV exports (亩, 元, districts by name) in its export folder; Hebei drops XML exports (12-digit
statistical codes, 万元) and CAP 1.2 alerts.  Every kind the scenario sends has a native format in its region; an
answer quotes the hub message it answers in the native reply field (Beijing ``回复消息编号``, Tianjin's
``回复消息编号`` column, Hebei ``<ReplyTo>``).  ``generic`` (the region's ``canonical`` format: persons as ID
numbers, turned into person_refs by the adapter) remains only as a fallback for a kind without a renderer.
The rendering is deterministic: the same step gives the same bytes (so a re-dropped file has the same sha256).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from jjj.demo import native_bj, native_he, native_tj
from jjj.demo.native_common import Native, slug
from jjj.demo.timeline import Step

__all__ = ["Native", "generic", "render"]


def generic(payload: dict, ids: Mapping[str, str], kind: str, references: tuple[str, ...]) -> dict:
    """The generic document: the canonical payload with every person_ref replaced by its ID number."""
    def walk(v: object) -> object:
        if isinstance(v, dict):
            if set(v) == {"key_id", "ref"}:
                return {"身份证号": ids[v["ref"]]}
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return {"kind": kind, "payload": walk(payload), "references": list(references)}


def render(step: Step, ids: Mapping[str, str], references: tuple[str, ...] = ()) -> Native:
    """The native input for ``step`` (``ids``: person_ref → the synthetic ID number the region's system holds)."""
    module = {"bj": native_bj, "tj": native_tj, "he": native_he}[step.region]
    out = module.render(step, ids, references)
    if out is not None:
        return out
    doc = json.dumps(generic(step.payload, ids, step.kind, references), ensure_ascii=False, indent=1).encode()
    if step.region == "bj":
        return Native("http", "canonical", doc)
    return Native("file", "canonical", doc, f"canonical_{slug(step.step_id)}.json")
