"""The hot-path validator: compiled JSON Schema (fastjsonschema) plus the same cross-field rules.

Valid messages — nearly all of them — are checked by code fastjsonschema generated from
``schemas/jsonschema/*.json`` (the same documents we publish) and then by the rule functions.  When
the compiled check fails, the message is handed to the reference validator, which produces the
exact paths and bilingual texts; errors are rare, so their cost does not matter.  Messages of a newer
minor version take the reference path too (the published schema of 1.0 refuses their new fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from importlib import resources

import fastjsonschema

from schemas.errors import RuleViolation, SchemaInvalid
from schemas.registry import KINDS
from schemas.rules import run
from schemas.validate import _envelope_rules, check_envelope, validate_message


@cache
def _compiled(kind: str) -> Callable[[dict], dict] | None:
    name = f"{kind}.json"
    try:
        text = resources.files("schemas.jsonschema").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    schema = json.loads(text)
    # Compile as draft-04: its ``integer`` refuses 1.0 (contracts.md: never floats); the documents
    # use only keywords both drafts share (see schemas.tools.jsonschema_gen).
    schema["$schema"] = "http://json-schema.org/draft-04/schema#"
    return fastjsonschema.compile(schema, use_default=False, formats=_FORMATS)


@cache
def compiled_payload(kind: str) -> Callable[[dict], dict] | None:
    """The compiled check of a ``kind``'s payload alone (the published document's ``payload`` definition), for
    encoders that validated the rest of the envelope once (``adapters.core.encoder``); raises
    ``fastjsonschema.JsonSchemaException``. None when the kind has no published document."""
    try:
        text = resources.files("schemas.jsonschema").joinpath(f"{kind}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    doc = json.loads(text)
    schema = {**doc["properties"]["payload"], "definitions": doc.get("definitions", {}),
              "$schema": "http://json-schema.org/draft-04/schema#"}
    return fastjsonschema.compile(schema, use_default=False, formats=_FORMATS)


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


_FORMATS = {"date": _is_date, "date-time": _is_timestamp}


def validate_fast(msg: dict) -> dict:
    """Same contract as :func:`schemas.validate_message` (same codes, paths and texts), several times faster."""
    if not isinstance(msg, dict) or not isinstance(msg.get("kind"), str) or msg.get("schema_version") != \
            (KINDS[msg["kind"]].version if msg["kind"] in KINDS else None):
        return validate_message(msg)
    compiled = _compiled(msg["kind"])
    if compiled is None:
        return validate_message(msg)
    try:
        compiled(msg)
    except fastjsonschema.JsonSchemaException:
        return validate_message(msg)  # raises with exact paths; returns if the schemas ever disagree
    env, spec, _ = check_envelope_cached(msg)
    errors = _envelope_rules(env, spec)
    if errors:
        raise SchemaInvalid.from_errors(errors, message_id=env["message_id"], kind=spec.kind)
    violations = run(spec.rules, msg["payload"])
    if violations:
        raise RuleViolation.from_errors(violations, message_id=env["message_id"], kind=spec.kind)
    return {k: msg[k] for k in ("message_id", "kind", "schema_version", "sender", "sent_at", "status", "references",
                                "correlation_id", "expires_at", "payload")}


def check_envelope_cached(msg: dict):
    """Sender checks without re-validating the (already schema-valid) envelope fields."""
    from schemas.refdata import is_current_code, region_of
    from schemas.validate import SENDER_UNITS

    sender = msg["sender"]
    region, unit = sender["region"], sender["unit_code"]
    spec = KINDS[msg["kind"]]
    if unit != SENDER_UNITS[region] and (region == "hub" or region_of(unit) != region or not is_current_code(unit)) \
            or region not in spec.senders:
        return check_envelope(msg)  # raises the exact error
    return msg, spec, False
