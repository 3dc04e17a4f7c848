"""The base marshmallow schema of every envelope and payload object, and error flattening.

Unknown fields are refused (typos must not pass silently) except while reading a *newer minor*
of a known major: a minor only adds optional fields (contracts.md "Envelope"), so those are kept
as they are.  The policy is a context variable read when a (nested) schema instance is created;
:mod:`schemas.validate` keeps one strict and one lenient instance per kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from marshmallow import INCLUDE, RAISE, Schema

from schemas.errors import FieldError
from schemas.messages import texts

_lenient: ContextVar[bool] = ContextVar("jjj_schemas_lenient", default=False)


@contextmanager
def lenient() -> Iterator[None]:
    """Within this block, newly created schema instances keep unknown fields."""
    token = _lenient.set(True)
    try:
        yield
    finally:
        _lenient.reset(token)


class ContractSchema(Schema):
    """Base schema: keyed error messages, unknown fields refused unless lenient."""

    error_messages = {"type": "type_object", "unknown": "unknown"}

    def __init__(self, **kw) -> None:
        if kw.get("unknown") is None:
            kw["unknown"] = INCLUDE if _lenient.get() else RAISE
        super().__init__(**kw)


def flatten(messages: object, prefix: str = "") -> list[FieldError]:
    """Turn marshmallow's nested error dict into field errors with paths like ``payload.lines[0].unit``."""
    out: list[FieldError] = []
    if isinstance(messages, dict):
        for key, sub in messages.items():
            if key == "_schema":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten(sub, path))
    elif isinstance(messages, list):
        for m in messages:
            if isinstance(m, dict | list):
                out.extend(flatten(m, prefix))
            else:
                key, en, zh = texts(m)
                out.append(FieldError(prefix, key, en, zh))
    else:
        key, en, zh = texts(messages)
        out.append(FieldError(prefix, key, en, zh))
    return out
