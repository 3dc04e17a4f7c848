"""Declarative element maps for Hebei's XML exports: one small table per message kind, one engine.

A map is a tuple of fields.  ``F("Quantity", "quantity", count)`` takes the text of the child ``<Quantity>``
(``"@no"`` an attribute, ``"Contact/Phone"`` a nested child) through a converter into the canonical key;
``Obj`` maps one child element to a nested object, ``Many`` repeated children to a list (of objects, or of
scalars when given a converter), ``Const`` sets a fixed value.  Every bad field of a record is reported at once,
named by its native path inside the record and the canonical path (``Line[2]/Quantity (lines[1].quantity)``);
an element or attribute the map does not know is refused by name (a changed export is caught, never ignored).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.core.errors import Problem, RowError, bad
from adapters.core.spec import Canonical, MapContext
from adapters.core.xmlsource import local

#: conv(value, where, ctx): value is the stripped text (or the element itself for ``elem=True`` fields)
Conv = Callable[[object, str, MapContext], object]


@dataclass(frozen=True)
class F:
    native: str
    key: str
    conv: Conv
    required: bool = True
    elem: bool = False          # the converter gets the element (units in attributes, nested figures)
    null: bool = False          # absent → an explicit null (the contract's "required, may be null" fields)


@dataclass(frozen=True)
class Const:
    key: str
    value: object


@dataclass(frozen=True)
class Obj:
    native: str
    key: str
    fields: tuple
    required: bool = True


@dataclass(frozen=True)
class Many:
    native: str                 # "Line" (children of the record) or "Lines/Line" (inside a wrapper)
    key: str
    fields: tuple | Conv
    min_items: int = 1


@dataclass(frozen=True)
class Doc:
    """One message kind: its record element, field map, and how its ``references`` are found."""

    kind: str
    tag: str
    fields: tuple
    #: (kind, payload key): with no <ReplyTo>, reference our own latest message of that kind about the entity
    own: tuple[tuple[str, str], ...] = ()
    refs_required: bool = False
    check: Callable[[dict, ET.Element], None] | None = None   # kind-specific native checks after mapping
    extra_natives: frozenset[str] = field(default_factory=frozenset)


def wrap(fn: Callable[[object, str], object]) -> Conv:
    """A core converter ``(value, field)`` as a map converter."""
    return lambda v, where, ctx: fn(v, where)


# ------------------------------------------------------------------ the engine

def _find(elem: ET.Element, path: str) -> list[ET.Element]:
    nodes = [elem]
    for step in path.split("/"):
        nodes = [c for n in nodes for c in n if local(c.tag) == step]
    return nodes


def _value(elem: ET.Element, native: str) -> tuple[object, ET.Element | None]:
    """(stripped text or attribute value or None, the element holding it)."""
    head, _, attr = native.rpartition("@") if "@" in native else (native, "", "")
    if attr:
        node = elem if not head.rstrip("/") else next(iter(_find(elem, head.rstrip("/"))), None)
        value = None if node is None else node.get(attr)
        return (value.strip() if isinstance(value, str) and value.strip() else None), node
    found = _find(elem, native)
    if not found:
        return None, None
    value = (found[0].text or "").strip()
    return (value or None), found[0]


def _natives(spec: tuple) -> tuple[set[str], set[str]]:
    """Allowed child element names and attribute names of an element mapped by ``spec``."""
    elems, attrs = set(), set()
    for f in spec:
        if isinstance(f, Const):
            continue
        first = f.native.split("/")[0]
        (attrs if first.startswith("@") else elems).add(first.lstrip("@"))
    return elems, attrs


def _unknown(elem: ET.Element, spec: tuple, where: str, extra: frozenset = frozenset()) -> list[Problem]:
    elems, attrs = _natives(spec)
    problems = []
    seen: dict[str, int] = {}
    for c in elem:
        name = local(c.tag)
        if name not in elems and name not in extra:
            problems.append(Problem(_join(where, name), "unknown element", "未知元素"))
        seen[name] = seen.get(name, 0) + 1
    for a in elem.attrib:
        if local(a) not in attrs:
            problems.append(Problem(f"{where}@{local(a)}" if where else f"@{local(a)}", "unknown attribute", "未知属性"))
    for f in spec:  # a single-valued element given twice is ambiguous; a leaf carries no attributes but its unit
        if isinstance(f, Const | Many) or "/" in f.native or f.native.startswith("@"):
            continue
        if seen.get(f.native, 0) > 1 and f.native not in extra:
            problems.append(Problem(_join(where, f.native), f"element appears {seen[f.native]} times, once expected",
                                    f"元素出现 {seen[f.native]} 次，应只出现一次"))
        if isinstance(f, F):
            allowed = {"unit"} if f.elem else set()
            problems += [Problem(f"{_join(where, f.native)}@{local(a)}", "unknown attribute", "未知属性")
                         for node in _find(elem, f.native) for a in node.attrib if local(a) not in allowed]
    # nested paths (Contact/Phone) are checked on their own element below
    nested: dict[str, list] = {}
    for f in spec:
        if not isinstance(f, Const) and "/" in f.native and not isinstance(f, (Obj, Many)):
            first, rest = f.native.split("/", 1)
            nested.setdefault(first, []).append(F(rest, f.key, f.conv))
    for first, sub in nested.items():
        for node in _find(elem, first):
            problems.extend(_unknown(node, tuple(sub), _join(where, first)))
    return problems


def _join(where: str, name: str) -> str:
    return f"{where}/{name}" if where else name


def _canon(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def map_fields(elem: ET.Element, spec: tuple, ctx: MapContext, where: str = "", base: str = "",
               extra: frozenset = frozenset()) -> dict:
    """``elem`` through ``spec`` → a canonical dict; every problem of the element is raised at once."""
    problems = _unknown(elem, spec, where, extra)
    out: dict = {}
    for f in spec:
        if isinstance(f, Const):
            out[f.key] = f.value
            continue
        canon = _canon(base, f.key)
        try:
            if isinstance(f, Obj):
                nodes = _find(elem, f.native)
                if not nodes:
                    if f.required:
                        raise bad(f"{_join(where, f.native)} ({canon})", "element is missing", "元素缺失")
                    continue
                out[f.key] = map_fields(nodes[0], f.fields, ctx, _join(where, f.native), canon)
            elif isinstance(f, Many):
                out[f.key] = _many(elem, f, ctx, where, canon)
            else:
                value, node = _value(elem, f.native)
                label = f"{_join(where, f.native).replace('/@', '@')} ({canon})"
                if value is None:
                    if f.required:
                        raise bad(label, "element is missing or empty" if "@" not in f.native
                                  else "attribute is missing or empty", "元素缺失或为空")
                    if f.null:
                        out[f.key] = None
                    continue
                out[f.key] = f.conv(node if f.elem else value, label, ctx)
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    return out


def _many(elem: ET.Element, f: Many, ctx: MapContext, where: str, canon: str) -> list:
    wrapper, _, item = f.native.rpartition("/")
    nodes = _find(elem, f.native)
    if len(nodes) < f.min_items:
        raise bad(f"{_join(where, f.native)} ({canon})", f"at least {f.min_items} <{item}> needed",
                  f"至少需要 {f.min_items} 个 <{item}>")
    out, problems = [], []
    prefix = _join(where, wrapper)
    if wrapper:  # a wrapper (<Lines>) holds only its items: anything else is a changed export
        problems += [Problem(_join(prefix, local(c.tag)), "unknown element", "未知元素")
                     for w in _find(elem, wrapper) for c in w if local(c.tag) != item]
    for i, node in enumerate(nodes):
        at = _join(prefix, f"{item}[{i + 1}]")
        try:
            if callable(f.fields):
                value = (node.text or "").strip()
                if not value:
                    raise bad(f"{at} ({canon}[{i}])", "element is empty", "元素为空")
                out.append(f.fields(value, f"{at} ({canon}[{i}])", ctx))
            else:
                out.append(map_fields(node, f.fields, ctx, at, f"{canon}[{i}]"))
        except RowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RowError(problems)
    return out


REPLY_TO = "ReplyTo"


def mapper(doc: Doc) -> Callable[[ET.Element, MapContext], Canonical]:
    """The per-record function of ``doc`` (wrap it with ``adapters.core.mapping.per_record``)."""

    def one(elem: ET.Element, ctx: MapContext) -> Canonical:
        payload = map_fields(elem, doc.fields, ctx, extra=frozenset({REPLY_TO}) | doc.extra_natives)
        if doc.check is not None:
            doc.check(payload, elem)
        refs = [(c.text or "").strip() for c in elem if local(c.tag) == REPLY_TO]
        if any(not r for r in refs):
            raise bad(REPLY_TO, "element is empty", "元素为空")
        if not refs:
            for kind, key in doc.own:
                previous = ctx.last_message_id(kind, str(payload[key]))
                if previous:
                    refs = [previous]
                    break
        if doc.refs_required and not refs:
            raise bad(f"{REPLY_TO} (references)", "no <ReplyTo> (the platform message answered) and no earlier "
                      "message of this adapter about it", "缺少 <ReplyTo>（所答复的平台消息编号），本适配器也未报送过相关消息")
        return Canonical(doc.kind, payload, references=tuple(refs))

    one.__doc__ = f"<{doc.tag}> → {doc.kind}"
    return one


def field_map(spec: tuple, base: str = "payload", native: str = "") -> dict[str, str]:
    """Canonical path (no list indexes) → native path, so contract errors name the native field."""
    out: dict[str, str] = {"references": REPLY_TO} if base == "payload" else {}
    for f in spec:
        if isinstance(f, Const):
            continue
        path, nat = f"{base}.{f.key}", _join(native, f.native)
        if isinstance(f, Obj):
            out.update(field_map(f.fields, path, nat))
        elif isinstance(f, Many) and not callable(f.fields):
            out.update(field_map(f.fields, path, nat))
        else:
            out[path] = nat.replace("/@", "@")
    return out
