"""The hot-path validator: compiled JSON Schema (jsonschema-rs) plus the same cross-field rules.

Valid messages — nearly all of them — are checked by a jsonschema-rs validator built from
``schemas/jsonschema/*.json`` (the same documents we publish) and then by the rule functions.  When
that check fails, the message is handed to the reference validator, which produces the exact paths
and bilingual texts; errors are rare, so their cost does not matter.  Messages of a newer minor
version take the reference path too (the published schema of 1.0 refuses their new fields).

The validator must never accept what the reference refuses (refusing more only costs time), so the
documents are adapted before compiling (:func:`rs_schema`; the published files stay as they are):

* ``$schema`` is draft-04, whose ``integer`` refuses ``1.0`` (contracts.md: never floats);
* ``\\s``/``\\S`` mean Python's whitespace (``str.isspace``, what ``str.strip`` and ``re`` use), not
  ECMA's, which lacks U+001C–U+001F and U+0085; other escapes whose meaning differs are not translated:
  such a document gets no validator and its kind takes the reference path;
* ``format`` ``date``/``date-time`` with the published patterns use jsonschema-rs's own RFC 3339 checks,
  with the two things RFC 3339 allows and Python's ``fromisoformat`` refuses (year 0000 and second 60)
  cut off by the pattern; a format on any other pattern is checked by the Python functions below.

``tests/schemas/test_fast_rs.py`` checks these claims (every code point, every date shape).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources

import jsonschema_rs

from schemas.envelope import ENVELOPE_FIELDS
from schemas.errors import RuleViolation, SchemaInvalid
from schemas.fields import DATE_RE, TIMESTAMP_RE, strict_end
from schemas.registry import KINDS
from schemas.rules import run
from schemas.validate import _envelope_rules, check_envelope, validate_message

_DRAFT4 = "http://json-schema.org/draft-04/schema#"

#: every character ``str.isspace`` (hence ``re``'s ``\s`` and ``str.strip``) counts as whitespace
PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: published pattern → the same pattern without what RFC 3339 allows and ``fromisoformat`` refuses
_FORMAT_PATTERNS = {
    ("date", strict_end(DATE_RE)): "^(?!0000)" + strict_end(DATE_RE)[1:],
    ("date-time", strict_end(TIMESTAMP_RE)): "^(?!0000)(?!.{17}60)" + strict_end(TIMESTAMP_RE)[1:],
}


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_timestamp(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


#: the reference's own checks, for a ``format`` whose pattern is not one of ``_FORMAT_PATTERNS``
_PY_FORMATS = {"py-date": _is_date, "py-date-time": _is_timestamp}


class Untranslatable(ValueError):
    """A pattern whose meaning in jsonschema-rs could differ from Python's ``re``."""


def rs_pattern(pattern: str) -> str:
    """``pattern`` with ``\\s``/``\\S`` spelled as Python's whitespace; raises :class:`Untranslatable`."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt == "s":
                out.append(PY_SPACE if in_class else f"[{PY_SPACE}]")
            elif nxt == "S" and not in_class:
                out.append(f"[^{PY_SPACE}]")
            elif (
                nxt in ("", "S", "d", "D", "w", "W", "b", "B", "p", "P", "u", "x", "c", "k", "A", "Z", "z", "N")
                or nxt.isdigit()
            ):
                raise Untranslatable(pattern)
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                raise Untranslatable(pattern)  # "[]...]": Python reads a literal ], ECMA an empty class
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        elif ch == "[" and in_class:
            raise Untranslatable(pattern)  # nested sets / set operations differ between engines
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def rs_schema(schema: object) -> object:
    """A copy of a published document (or part of one) as jsonschema-rs must see it (see the module text)."""
    if isinstance(schema, list):
        return [rs_schema(x) for x in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("properties", "definitions") and isinstance(value, dict):
            out[key] = {k: rs_schema(v) for k, v in value.items()}
        elif key == "enum":
            out[key] = value
        else:
            out[key] = rs_schema(value)
    if isinstance(out.get("pattern"), str):
        out["pattern"] = rs_pattern(out["pattern"])
    fmt = out.get("format")
    if fmt in ("date", "date-time"):
        tight = _FORMAT_PATTERNS.get((fmt, schema.get("pattern")))
        if tight is not None:
            out["pattern"] = tight
        else:
            out["format"] = "py-" + fmt
    return out


def _build(schema: dict) -> Callable[[object], bool] | None:
    """A predicate that never raises: False for anything jsonschema-rs refuses or cannot read (a set, bytes, a
    lone surrogate, a str subclass...), which sends the message to the reference validator."""
    try:
        schema = {**rs_schema(schema), "$schema": _DRAFT4}
        is_valid = jsonschema_rs.validator_for(schema, validate_formats=True, formats=_PY_FORMATS).is_valid
    except (Untranslatable, ValueError):  # jsonschema-rs raises ValueError on a schema it cannot compile
        return None

    def check(value: object) -> bool:
        try:
            return is_valid(value)
        except Exception:  # noqa: BLE001 - not JSON jsonschema-rs can read: the reference path decides
            return False

    return check


def _document(kind: str) -> dict | None:
    try:
        text = resources.files("schemas.jsonschema").joinpath(f"{kind}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)


@cache
def _compiled(kind: str) -> Callable[[object], bool] | None:
    """The structural check of a whole ``kind`` message as a predicate; None when the kind has no published
    document (or one :func:`rs_schema` cannot translate)."""
    doc = _document(kind)
    return None if doc is None else _build(doc)


@cache
def compiled_payload(kind: str) -> Callable[[object], bool] | None:
    """The structural check of a ``kind``'s payload alone (the published document's ``payload`` definition), for
    encoders that validated the rest of the envelope once (``adapters.core.encoder``): a predicate that never
    raises. None when the kind has no published document."""
    doc = _document(kind)
    if doc is None:
        return None
    return _build({**doc["properties"]["payload"], "definitions": doc.get("definitions", {})})


def validate_fast(msg: dict) -> dict:
    """Same contract as :func:`schemas.validate_message` (same codes, paths and texts), several times faster."""
    if (
        not isinstance(msg, dict)
        or not isinstance(msg.get("kind"), str)
        or msg.get("schema_version") != (KINDS[msg["kind"]].version if msg["kind"] in KINDS else None)
    ):
        return validate_message(msg)
    compiled = _compiled(msg["kind"])
    if compiled is None or not compiled(msg):
        return validate_message(msg)  # raises with exact paths; returns if the schemas ever disagree
    env, spec, _ = check_envelope_cached(msg)
    errors = _envelope_rules(env, spec)
    if errors:
        raise SchemaInvalid.from_errors(errors, message_id=env["message_id"], kind=spec.kind)
    violations = run(spec.rules, msg["payload"])
    if violations:
        raise RuleViolation.from_errors(violations, message_id=env["message_id"], kind=spec.kind)
    return {k: msg[k] for k in ENVELOPE_FIELDS}


def check_envelope_cached(msg: dict):
    """Sender checks without re-validating the (already schema-valid) envelope fields."""
    from schemas.refdata import is_current_code, region_of
    from schemas.validate import SENDER_UNITS

    sender = msg["sender"]
    region, unit = sender["region"], sender["unit_code"]
    spec = KINDS[msg["kind"]]
    if (
        unit != SENDER_UNITS[region]
        and (region == "hub" or region_of(unit) != region or not is_current_code(unit))
        or region not in spec.senders
    ):
        return check_envelope(msg)  # raises the exact error
    return msg, spec, False
