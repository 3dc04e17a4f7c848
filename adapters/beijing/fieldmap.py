"""Declarative field maps for Beijing's JSON documents: one table per kind instead of one hand-written mapper each.

A map is a tuple of entries, each naming the platform's field, the canonical path and a converter:

    F("请求编号", "request_id")                          text, required
    F("需求时间", "needed_by", TIME)                      any converter ``(value, field label, ctx) -> value``
    F("备注", "note", required=False)                     left out of the payload when blank
    F("仓库编号", "depot.depot_id")                        a dotted path nests a flat native field
    Obj("联系人", "contact", CONTACT)                      a native object → a canonical object
    Rows("物资明细", "lines", (F(...), ...))              a native array of objects → a canonical list
    Const("committing_region", REGION_CODE)               a value (or ``fn(ctx)``) the platform does not send

Every problem of a document is reported at once, located by native path and canonical path
(``物资明细[1].数量 (lines[1].quantity): count -5 is negative``).  ``DocMap`` adds the envelope: references (the
hub message answered, or this adapter's own earlier message about the entity) and the correlation id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import schemas
from adapters.core.errors import Problem, RowError, bad
from adapters.core.mapping import as_list, as_object, label
from adapters.core.spec import Canonical, MapContext

Conv = Callable[[object, str, MapContext], object]


def _text(value: object, where: str, ctx: MapContext) -> str:
    """Text as given; a whole number is taken as its digits (编号 sent as numbers), anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        kind = {float: "a decimal number", list: "a list", dict: "an object"}.get(type(value), "a boolean")
        raise bad(where, f"must be a text, not {kind}", "应为文本")
    return str(value).strip()


TEXT: Conv = _text


def plain(fn: Callable[[object, str], object]) -> Conv:
    """A core converter ``(value, field)`` (units, dates, code maps) as a field-map converter."""
    return lambda value, where, ctx: fn(value, where)


def each(conv: Conv) -> Conv:
    """A JSON array of scalars, each converted (``["天津", "河北"]`` → ``["tj", "he"]``), all problems at once."""

    def convert(value: object, where: str, ctx: MapContext) -> list:
        out, problems = [], []
        for i, v in enumerate(as_list(value, where)):
            try:
                out.append(conv(v, _indexed(where, i), ctx))
            except RowError as exc:
                problems.extend(exc.problems)
        if problems:
            raise RowError(problems)
        return out

    return convert


def _indexed(where: str, i: int) -> str:
    """``核对项目 (items)`` → ``核对项目[2] (items[2])``."""
    native, _, canonical = where.partition(" (")
    return f"{native}[{i}] ({canonical[:-1]}[{i}])" if canonical else f"{native}[{i}]"


@dataclass(frozen=True)
class F:
    native: str
    path: str
    conv: Conv = TEXT
    required: bool = True
    default: object = None  # used when the native field is blank (e.g. 0 for an optional count)


@dataclass(frozen=True)
class Obj:
    native: str
    path: str
    fields: tuple
    required: bool = True


@dataclass(frozen=True)
class Rows:
    native: str
    path: str
    fields: tuple
    required: bool = True


@dataclass(frozen=True)
class Const:
    path: str
    value: object  # or a function of the MapContext


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _put(out: dict, path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    for p in parents:
        out = out.setdefault(p, {})
    out[leaf] = value


def build(entries: tuple, data: Mapping, ctx: MapContext, problems: list[Problem], nat: str = "",
          can: str = "") -> dict:
    """The canonical object of ``data`` under ``entries``; problems are appended, the rest still converted."""
    out: dict = {}
    for e in entries:
        if isinstance(e, Const):
            _put(out, e.path, e.value(ctx) if callable(e.value) else e.value)
            continue
        where, path = f"{nat}{e.native}", f"{can}{e.path}"
        value = data.get(e.native)
        if _blank(value):
            if isinstance(e, F) and e.default is not None:
                value = e.default
            elif e.required:
                problems.append(Problem(label(where, path), "required field is missing or empty", "必填字段缺失或为空"))
                continue
            else:
                continue
        try:
            if isinstance(e, Obj):
                obj = as_object(value, label(where, path))
                _put(out, e.path, build(e.fields, obj, ctx, problems, f"{where}.", f"{path}."))
            elif isinstance(e, Rows):
                rows = []
                for i, row in enumerate(as_list(value, label(where, path))):
                    row = as_object(row, label(f"{where}[{i}]", f"{path}[{i}]"))
                    rows.append(build(e.fields, row, ctx, problems, f"{where}[{i}].", f"{path}[{i}]."))
                _put(out, e.path, rows)
            else:
                _put(out, e.path, e.conv(value.strip() if isinstance(value, str) else value, label(where, path), ctx))
        except RowError as exc:
            problems.extend(exc.problems)
    return out


def field_names(entries: tuple, nat: str = "", can: str = "payload.") -> dict[str, str]:
    """Canonical path (no indexes) → native path, so the contract's own errors name the platform's fields."""
    out: dict[str, str] = {}
    for e in entries:
        if isinstance(e, Const):
            continue
        where, path = f"{nat}{e.native}", f"{can}{e.path}"
        out[path] = where
        if isinstance(e, Obj):
            out.update(field_names(e.fields, f"{where}.", f"{path}."))
        elif isinstance(e, Rows):
            out.update(field_names(e.fields, f"{where}[].", f"{path}."))
    return out


ANSWERS = "回复消息编号"  # the id of the hub message answered, as the platform got it from GET /deliveries


def references(kind: str, doc: Mapping, payload: dict, ctx: MapContext, problems: list[Problem],
               answers: str | None = ANSWERS, previous: tuple[tuple[str, str], ...] = ()) -> tuple[str, ...]:
    """The message ids a message references: quoted in the ``answers`` field, else this adapter's latest message
    of the ``previous`` kinds about the same entity; a located problem when the kind needs one and there is none."""
    where = label(answers, "references") if answers else "references"
    quoted = doc.get(answers) if answers else None
    if not _blank(quoted):
        ids = quoted if isinstance(quoted, list) else [quoted]
        if all(isinstance(i, str) and i.strip() for i in ids):
            return tuple(i.strip() for i in ids)
        problems.append(Problem(where, "must be a message id or a list of message ids", "应为消息编号或消息编号列表"))
        return ()
    for prev_kind, key in previous:
        found = ctx.last_message_id(prev_kind, str(payload[key]))
        if found:
            return (found,)
    if schemas.KINDS[kind].requires_references:
        if previous:
            key = previous[0][1]
            problems.append(Problem(where, f"not given, and this adapter sent no earlier message about {key} "
                                    f"{payload[key]}", f"未填写，且本适配器未报送过 {payload[key]} 的消息"))
        else:
            problems.append(Problem(where, "required: the id of the hub message this answers (GET /deliveries)",
                                    "必填：所答复的平台消息编号（GET /deliveries）"))
    return ()


@dataclass(frozen=True)
class DocMap:
    """One Beijing document → one canonical message of ``kind``.

    ``previous``: ``(kind, payload key)`` lookups of this adapter's own earlier messages about the same entity,
    tried in order when the document quotes no message id (a correction references the report it corrects).
    ``finish``: derived fields and cross-field checks, ``fn(payload, doc, ctx, problems)``.
    """

    kind: str
    entries: tuple
    answers: str | None = ANSWERS
    previous: tuple[tuple[str, str], ...] = ()
    correlation: str | None = None
    finish: Callable[[dict, Mapping, MapContext, list[Problem]], None] | None = None

    def __call__(self, doc: Mapping, ctx: MapContext) -> Canonical:
        doc = as_object(doc, "$")
        problems: list[Problem] = []
        payload = build(self.entries, doc, ctx, problems)
        if self.finish is not None and not problems:
            self.finish(payload, doc, ctx, problems)
        refs = self._references(doc, payload, ctx, problems) if not problems else ()
        if problems:
            raise RowError(problems)
        corr = payload.get(self.correlation) if self.correlation else None
        return Canonical(self.kind, payload, references=refs, correlation_id=corr)

    def _references(self, doc: Mapping, payload: dict, ctx: MapContext, problems: list[Problem]) -> tuple[str, ...]:
        return references(self.kind, doc, payload, ctx, problems, self.answers, self.previous)

    def fields(self) -> dict[str, str]:
        names = field_names(self.entries)
        if self.answers:
            names["references"] = self.answers
        return names


__all__ = ["ANSWERS", "TEXT", "Const", "DocMap", "F", "Obj", "Rows", "build", "each", "field_names", "plain", "references"]
