"""Errors raised by the contract package.

Exception tree (every class carries ``code``, ``reason``, ``reason_zh``, ``paths``, ``rule`` and ``errors``)::

    ContractError                     root; never raised bare by this package except for catch-alls
    ├── EnvelopeError                 200 BAD_ENVELOPE: not JSON/UTF-8, not an object, bad envelope field, unknown kind
    │   └── UnknownMajorVersion       200 BAD_ENVELOPE: schema_version has a major this reader does not know
    ├── SenderNotAllowed              310 SENDER_NOT_ALLOWED: sender's region may not send this kind
    ├── MessageTooLarge               330 TOO_LARGE: more bytes than the configured limit
    ├── SchemaInvalid                 400 SCHEMA_INVALID: the payload breaks a field rule (type, range, format, code)
    └── RuleViolation                 420 BUSINESS_RULE: a cross-field rule inside one message (``rule`` is its id)

``schemas.person.InvalidIdNumber`` is deliberately *not* a ContractError: it is a plain ``ValueError``
raised while a region normalises its own citizens' ID numbers, before anything reaches the bus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.codes import ReceiptCode


@dataclass(frozen=True)
class FieldError:
    """One problem at one field path (``payload.counties[0].county_code``), in both languages."""

    path: str
    key: str
    en: str
    zh: str
    rule: str | None = None

    def as_dict(self) -> dict:
        return {"path": self.path, "key": self.key, "en": self.en, "zh": self.zh, "rule": self.rule}


@dataclass(eq=False)
class ContractError(Exception):
    """A message broke the contract; ``code`` is the receipt code the hub answers with."""

    code: ReceiptCode = ReceiptCode.SCHEMA_INVALID
    reason: str = ""
    reason_zh: str = ""
    paths: list[str] = field(default_factory=list)
    rule: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    message_id: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.reason)

    def __str__(self) -> str:
        where = f" at {', '.join(self.paths)}" if self.paths else ""
        return f"{int(self.code)} {self.reason}{where}"

    @classmethod
    def from_errors(cls, errors: list[FieldError], **context) -> ContractError:
        """Build the error from field errors: the first one gives reason and rule, all give paths."""
        first = errors[0]
        reason = first.en if not first.path else f"{first.path}: {first.en}"
        reason_zh = first.zh if not first.path else f"{first.path}：{first.zh}"
        if len(errors) > 1:
            reason += f" (and {len(errors) - 1} more)"
            reason_zh += f"（另有 {len(errors) - 1} 处错误）"
        paths = list(dict.fromkeys(e.path for e in errors))
        return cls(reason=reason, reason_zh=reason_zh, paths=paths, rule=first.rule, errors=errors, **context)

    def receipt_fields(self) -> dict:
        """The fields a hub.receipt payload needs for a rejection."""
        return {"code": int(self.code), "reason": self.reason, "reason_zh": self.reason_zh,
                "paths": list(self.paths), "rule": self.rule}


@dataclass(eq=False)
class EnvelopeError(ContractError):
    """The envelope (or the bytes around it) is unusable: 200."""

    code: ReceiptCode = ReceiptCode.BAD_ENVELOPE


@dataclass(eq=False)
class UnknownMajorVersion(EnvelopeError):
    """``schema_version`` has a major version this reader does not know: 200 with a reason."""


@dataclass(eq=False)
class SenderNotAllowed(ContractError):
    """The sender's region may not send this kind (e.g. a region sending ``hub.receipt``): 310."""

    code: ReceiptCode = ReceiptCode.SENDER_NOT_ALLOWED


@dataclass(eq=False)
class MessageTooLarge(ContractError):
    """More bytes than the limit: 330."""

    code: ReceiptCode = ReceiptCode.TOO_LARGE


@dataclass(eq=False)
class SchemaInvalid(ContractError):
    """A payload field breaks its rule: 400 with field paths."""

    code: ReceiptCode = ReceiptCode.SCHEMA_INVALID


@dataclass(eq=False)
class RuleViolation(ContractError):
    """A cross-field rule (其中 ≤ parent, 集中 + 分散 = 紧急转移安置, …) is broken: 420 with the rule id."""

    code: ReceiptCode = ReceiptCode.BUSINESS_RULE
