"""The adapter's own messages → bytes, validated: the envelope once per shape, the payload per message.

An import sends thousands of messages that differ only in ``message_id``, ``sent_at`` and ``payload``: the
sender, kind, version, status, references and correlation id are the same for all of them.  ``schemas.encode(msg,
fast=True)`` checks and serialises the whole envelope again for each one.  :class:`Encoder` does that once per
envelope *shape* — the first message of a shape takes the full path, and the bytes around the three varying fields
are kept only if they reproduce its output exactly — and then, per message, checks what varies:

* ``payload``: the kind's compiled payload schema (jsonschema-rs) and its rules (``schemas.fast.compiled_payload``, ``spec.rules``);
* ``message_id``: the published pattern; not one of the references;
* ``sent_at``: a value not yet seen goes the full path (it changes once a millisecond).

Anything that fails, or does not fit (an expiry, an unknown kind, a minor version the compiled schema does not
know), goes through ``schemas.encode(msg, fast=True)``, which raises the exact contract error or returns the bytes.
The bytes are those ``schemas.encode`` returns.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import schemas
from schemas.envelope import ENVELOPE_FIELDS
from schemas.fast import _compiled, compiled_payload
from schemas.registry import KINDS
from schemas.rules import run as run_rules

_MARK = "\ue000"  # a private-use character: where the varying fields go in a shape's bytes
_MAX_SHAPES = 64  # references and correlation ids may differ per message: those shapes are not reused, drop them


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def warm(kind: str) -> None:
    """Compile what encoding ``kind`` needs (a forking importer does it once, before its workers start)."""
    if kind in KINDS and _compiled(kind) is not None and compiled_payload(kind) is not None:
        _id_check(kind)


@cache
def _id_check(kind: str):  # noqa: ANN202
    """The document's own ``message_id`` rule (pattern and length) as a predicate."""
    doc = json.loads(resources.files("schemas.jsonschema").joinpath(f"{kind}.json").read_text(encoding="utf-8"))
    spec = doc["properties"]["message_id"]
    pattern = spec["pattern"]
    rx = re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)
    longest = spec.get("maxLength", 1 << 30)
    return lambda v: type(v) is str and len(v) <= longest and rx.search(v) is not None  # noqa: E721


class Encoder:
    """``encode(msg)`` ≡ ``schemas.encode(msg, fast=True)`` for the adapter's messages, without redoing the envelope."""

    def __init__(self) -> None:
        self._shapes: dict[tuple, tuple | None] = {}
        self._sent_ok = ""  # the last sent_at the full path accepted

    def encode(self, msg: dict) -> bytes:
        try:
            key = (
                msg["kind"],
                msg["schema_version"],
                msg["status"],
                tuple(msg["references"]),
                msg["correlation_id"],
                msg["expires_at"],
                tuple(msg["sender"].items()),
                tuple(msg),
            )
            shape = self._shapes.get(key, False)
        except (KeyError, TypeError, AttributeError):
            return schemas.encode(msg, fast=True)
        if shape is False:
            value = schemas.encode(msg, fast=True)
            if len(self._shapes) >= _MAX_SHAPES:
                self._shapes.clear()
            self._shapes[key] = self._shape(msg, value)
            self._sent_ok = msg["sent_at"]
            return value
        mid, sent, payload = msg["message_id"], msg["sent_at"], msg["payload"]
        if shape is None or sent != self._sent_ok:
            value = schemas.encode(msg, fast=True)
            self._sent_ok = sent
            return value
        head, middle, tail, payload_ok, rules, id_ok, refs = shape
        try:
            if not id_ok(mid) or mid in refs or not isinstance(payload, dict) or not payload_ok(payload):
                raise ValueError
            if run_rules(rules, payload):
                raise ValueError
            return b"".join((head, mid.encode(), middle, sent.encode(), tail, _dumps(payload), b"}"))
        except (ValueError, TypeError):
            return schemas.encode(msg, fast=True)  # raises the exact error (or, should the checks disagree, encodes)

    @staticmethod
    def _shape(msg: dict, value: bytes) -> tuple | None:
        """The bytes around message_id, sent_at and payload of an accepted message, if they rebuild it exactly."""
        kind, spec = msg["kind"], KINDS.get(msg["kind"])
        if (
            spec is None
            or msg["schema_version"] != spec.version
            or msg["expires_at"] is not None
            or _compiled(kind) is None
            or compiled_payload(kind) is None
        ):
            return None
        env = {k: msg[k] for k in ENVELOPE_FIELDS}
        env.update(message_id=_MARK + "I", sent_at=_MARK + "S", payload=_MARK + "P")
        text = _dumps(env)
        parts = text.split(b'"' + _MARK.encode())
        if len(parts) != 4 or (parts[1][:2], parts[2][:2], parts[3]) != (b'I"', b'S"', b'P"}'):
            return None
        head, middle, tail = parts[0], parts[1][2:], parts[2][2:]
        head, middle, tail = head + b'"', b'"' + middle + b'"', b'"' + tail
        rebuilt = b"".join(
            (head, msg["message_id"].encode(), middle, msg["sent_at"].encode(), tail, _dumps(msg["payload"]), b"}")
        )
        if rebuilt != value:
            return None
        return head, middle, tail, compiled_payload(kind), spec.rules, _id_check(kind), frozenset(msg["references"])
