"""Marshmallow schemas → JSON Schema (draft-07, using only keywords draft-04 also knows).

Draft-04 compatibility matters: the fast validator compiles these documents as draft-04, whose
``integer`` refuses ``1.0`` as contracts.md demands ("never floats"); draft-06+ would accept it.
So: no ``const`` (we use one-element ``enum``), no numeric ``exclusiveMinimum``.
"""

from __future__ import annotations

from marshmallow import Schema

from schemas import fields as f
from schemas.envelope import Envelope
from schemas.registry import KindSpec

DIALECT = "http://json-schema.org/draft-07/schema#"


def _def_name(cls: type[Schema]) -> str:
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}"


def field_schema(field, defs: dict) -> dict:
    """The JSON Schema of one field (objects go to ``definitions``)."""
    if isinstance(field, f.Nested):
        s = object_ref(field.nested, defs)
    elif isinstance(field, f.ListOf):
        s = {"type": "array", "items": field_schema(field.inner, defs)}
        if field.min_items:
            s["minItems"] = field.min_items
        s["maxItems"] = field.max_items
    else:
        s = field.json_schema()
    if field.allow_none:
        s = {"anyOf": [{"type": "null"}, s]}  # null first: the usual value passes the compiled check at once
    return s


def object_schema(cls: type[Schema], defs: dict, *, overrides: dict | None = None) -> dict:
    """An object with every declared field, ``required`` as declared, no additional properties."""
    props, required = {}, []
    for name, field in cls._declared_fields.items():
        props[name] = (overrides or {}).get(name) or field_schema(field, defs)
        if field.required:
            required.append(name)
    out: dict = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = required
    doc = (cls.__doc__ or "").strip().split("\n")[0]
    if doc:
        out["description"] = doc
    return out


def object_ref(cls: type[Schema], defs: dict) -> dict:
    name = _def_name(cls)
    if name not in defs:
        defs[name] = {}  # placeholder against recursion
        defs[name] = object_schema(cls, defs)
    return {"$ref": f"#/definitions/{name}"}


def message_schema(spec: KindSpec) -> dict:
    """The whole message of one kind at its current version: envelope + payload."""
    defs: dict = {}
    payload = object_ref(spec.payload_schema, defs)
    sender = object_schema(Envelope._declared_fields["sender"].nested, defs)
    sender["properties"]["region"] = {"type": "string", "enum": list(spec.senders)}
    env = object_schema(Envelope, defs, overrides={
        "kind": {"type": "string", "enum": [spec.kind]},
        "schema_version": {"type": "string", "enum": [spec.version]},
        "sender": sender,
        "payload": payload,
    })
    return {
        "$schema": DIALECT,
        "title": f"{spec.kind} {spec.version}: {spec.title_zh} ({spec.title_en})",
        "description": (f"京津冀民政协同平台 message {spec.kind}, schema version {spec.version}. "
                        f"Partition key: {spec.key_doc}. Generated from schemas.registry; do not edit."),
        **{k: v for k, v in env.items() if k != "description"},
        "definitions": dict(sorted(defs.items())),
    }
