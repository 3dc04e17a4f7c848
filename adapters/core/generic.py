"""The generic JSON format every region offers for kinds it has no native format for yet.

A document is one canonical message body, as the provincial system would send it after mapping its own records:

    {"kind": "relief.commitment", "payload": {...}, "references": ["<id of the hub message answered>"],
     "correlation_id": null}

Persons never arrive as refs: wherever the payload holds a person (``person_ref``, ``elder_ref`` …) the system
sends ``{"身份证号": "<ID number>"}`` and the adapter turns it into the person_ref at the region's edge, as the
native formats do.  ``kinds`` limits what a region accepts this way (a region's own native formats stay the way
in for everything they cover).
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core.errors import RowError, bad
from adapters.core.mapping import per_record
from adapters.core.spec import Canonical, MapContext, Mapper

ID_FIELD = "身份证号"


def _persons(value: object, ctx: MapContext, path: str, problems: list) -> object:
    if isinstance(value, Mapping):
        if set(value) == {ID_FIELD}:
            try:
                return ctx.persons.ref(value[ID_FIELD], f"{path}.{ID_FIELD}")
            except RowError as exc:
                problems.extend(exc.problems)
                return None
        return {k: _persons(v, ctx, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_persons(v, ctx, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return value


def mapper(kinds: tuple[str, ...]) -> Mapper:
    """A per-record mapper accepting generic documents of ``kinds``."""

    def generic(doc: Mapping, ctx: MapContext) -> Canonical:
        if not isinstance(doc, Mapping):
            raise bad("$", "a document must be a JSON object", "文档应为 JSON 对象")
        kind = doc.get("kind")
        if kind not in kinds:
            raise bad("kind", f"kind {kind!r} is not accepted by this format (one of {', '.join(kinds)})",
                      f"此格式不接受消息类型“{kind}”")
        if not isinstance(doc.get("payload"), Mapping):
            raise bad("payload", "payload must be a JSON object", "payload 应为 JSON 对象")
        refs = doc.get("references") or []
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise bad("references", "references must be a list of message ids", "references 应为消息编号列表")
        problems: list = []
        payload = _persons(doc["payload"], ctx, "payload", problems)
        if problems:
            raise RowError(problems)
        corr = doc.get("correlation_id")
        return Canonical(kind, payload, references=tuple(refs), correlation_id=str(corr) if corr else None)

    generic.__doc__ = f"generic JSON → one of {', '.join(kinds)}"
    return per_record(generic)
