"""The reference validator: envelope, version, sender, payload fields, then cross-field rules.

Order of checks and the error each one raises (see :mod:`schemas.errors`):

1. not an object → 200; unknown major of a known kind → 200 (:class:`UnknownMajorVersion`);
2. envelope fields → 200; unknown kind → 200; sender unit outside its region → 200;
3. sender's region may not send this kind → 310;
4. payload fields (and ``references`` required by the kind) → 400 with paths ``payload.…``;
5. cross-field rules → 420 with the rule id.

A newer minor of a known major is read leniently: unknown (new optional) fields are kept as they are.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache

from marshmallow import Schema, ValidationError

from schemas import refdata
from schemas.base import flatten, lenient
from schemas.envelope import SENDER_UNITS, VERSION_RE, Envelope, new_message_id
from schemas.errors import (
    ContractError,
    EnvelopeError,
    FieldError,
    RuleViolation,
    SchemaInvalid,
    SenderNotAllowed,
    UnknownMajorVersion,
)
from schemas.messages import Msg, texts
from schemas.registry import KINDS, KindSpec
from schemas.rules import run

_VERSION = re.compile(VERSION_RE)
SHANGHAI = timezone(timedelta(hours=8))


@cache
def _schema(cls: type[Schema], is_lenient: bool) -> Schema:
    if is_lenient:
        with lenient():
            return cls()
    return cls()


def _load(cls: type[Schema], data: dict, is_lenient: bool) -> dict:
    schema = _schema(cls, is_lenient)
    if is_lenient:
        with lenient():
            return schema.load(data)
    return schema.load(data)


def _error(msg: Msg, path: str) -> FieldError:
    key, en, zh = texts(msg)
    return FieldError(path, key, en, zh)


def _version_policy(msg: dict) -> tuple[KindSpec | None, bool]:
    """The kind's spec (if known) and whether to read leniently; raises UnknownMajorVersion."""
    spec = KINDS.get(msg.get("kind")) if isinstance(msg.get("kind"), str) else None
    version = msg.get("schema_version")
    if spec is None or not isinstance(version, str) or not _VERSION.match(version):
        return spec, False
    major, minor = (int(x) for x in version.split("."))
    known_major, known_minor = (int(x) for x in spec.version.split("."))
    if major != known_major:
        err = Msg("unknown_major", version=version, kind=spec.kind, major=major, known=f"{known_major}.x")
        raise UnknownMajorVersion.from_errors([_error(err, "schema_version")], kind=spec.kind,
                                              message_id=_str_or_none(msg.get("message_id")))
    return spec, minor > known_minor


def _str_or_none(v: object) -> str | None:
    return v if isinstance(v, str) else None


def check_envelope(msg: object) -> tuple[dict, KindSpec, bool]:
    """Steps 1–3: the loaded envelope, the kind's spec and the leniency flag."""
    if not isinstance(msg, dict):
        raise EnvelopeError.from_errors([_error(Msg("type_object"), "")])
    ctx = {"message_id": _str_or_none(msg.get("message_id")), "kind": _str_or_none(msg.get("kind"))}
    spec, is_lenient = _version_policy(msg)
    try:
        env = _load(Envelope, msg, is_lenient)
    except ValidationError as exc:
        raise EnvelopeError.from_errors(flatten(exc.messages), **ctx) from None
    if spec is None:
        raise EnvelopeError.from_errors([_error(Msg("unknown_kind", kind=env["kind"]), "kind")], **ctx)
    sender = env["sender"]
    region, unit = sender["region"], sender["unit_code"]
    if unit != SENDER_UNITS[region] and (region == "hub" or refdata.region_of(unit) != region
                                         or not refdata.is_current_code(unit)):
        raise EnvelopeError.from_errors([_error(Msg("sender_unit", unit=unit, region=region), "sender.unit_code")], **ctx)
    if region not in spec.senders:
        raise SenderNotAllowed.from_errors([_error(Msg("sender_not_allowed", region=region, kind=spec.kind),
                                                   "sender.region")], **ctx)
    return env, spec, is_lenient


def _envelope_rules(env: dict, spec: KindSpec) -> list[FieldError]:
    out = []
    if spec.requires_references and not env["references"]:
        out.append(_error(Msg("references_required", kind=spec.kind), "references"))
    if env["message_id"] in env["references"]:
        out.append(_error(Msg("self_reference"), "references"))
    if env["expires_at"] is not None and _dt(env["expires_at"]) < _dt(env["sent_at"]):
        out.append(_error(Msg("expiry_order"), "expires_at"))
    return out


def _dt(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def validate_message(msg: dict) -> dict:
    """Validate envelope and payload; return the loaded, JSON-native dict. Raises :class:`ContractError`."""
    env, spec, is_lenient = check_envelope(msg)
    ctx = {"message_id": env["message_id"], "kind": spec.kind}
    errors = _envelope_rules(env, spec)
    try:
        payload = _load(spec.payload_schema, env["payload"], is_lenient)
    except ValidationError as exc:
        errors.extend(flatten(exc.messages, "payload"))
    if errors:
        raise SchemaInvalid.from_errors(errors, **ctx)
    violations = run(spec.rules, payload)
    if violations:
        raise RuleViolation.from_errors(violations, **ctx)
    env["payload"] = payload
    return env


def payload_errors(kind: str, payload: dict, prefix: str, *, rule: str) -> list[FieldError]:
    """Field and rule errors of a payload embedded in another message (routed requests), tagged with ``rule``."""
    spec = KINDS.get(kind)
    if spec is None:
        key, en, zh = texts(Msg("unknown_kind", kind=kind))
        return [FieldError(prefix, key, en, zh, rule)]
    try:
        loaded = _load(spec.payload_schema, payload, False)
    except ValidationError as exc:
        return [FieldError(e.path, e.key, e.en, e.zh, rule) for e in flatten(exc.messages, prefix)]
    return [FieldError(prefix + e.path[len("payload"):], e.key, e.en, e.zh, e.rule)
            for e in run(spec.rules, loaded)]


def now_rfc3339() -> str:
    """Now in Asia/Shanghai, millisecond precision."""
    return datetime.now(SHANGHAI).isoformat(timespec="milliseconds")


def build_message(kind: str, payload: dict, *, sender: dict, references=(), correlation_id: str | None = None,
                  status: str = "actual", expires_at: str | None = None, sent_at: str | None = None,
                  message_id: str | None = None) -> dict:
    """Wrap a payload in an envelope and validate it; raises :class:`ContractError`."""
    spec = KINDS.get(kind)
    msg = {
        "message_id": message_id or new_message_id(),
        "kind": kind,
        "schema_version": spec.version if spec else "1.0",
        "sender": dict(sender),
        "sent_at": sent_at or now_rfc3339(),
        "status": status,
        "references": list(references),
        "correlation_id": correlation_id,
        "expires_at": expires_at,
        "payload": payload,
    }
    return validate_message(msg)


def is_expired(msg: dict, now: datetime | None = None) -> bool:
    """True when ``expires_at`` has passed (receipt code 203 is the hub's call, at its own clock)."""
    exp = msg.get("expires_at")
    return exp is not None and _dt(exp) < (now or datetime.now(SHANGHAI))


__all__ = ["ContractError", "build_message", "validate_message", "payload_errors", "check_envelope", "is_expired"]
