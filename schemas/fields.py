"""Marshmallow fields of the contract: JSON-native in, the same JSON-native value out.

Every field validates without converting (dates stay strings, decimals stay strings, counts stay
ints), so a loaded message re-serialises to the same bytes.  Each field also describes itself as
JSON Schema (:meth:`json_schema`), which is how ``schemas/jsonschema/*.json`` is generated: one
source of truth for both validators.  Errors are :class:`~schemas.messages.Msg` (key + en + zh).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError, fields

from schemas import refdata
from schemas.messages import Msg
from schemas.person import KEY_ID_PATTERN, REF_PATTERN, looks_like_id_number

_KEYED = {"required": "required", "null": "null", "validator_failed": "invalid"}
IDENT_RE = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
ULID_RE = r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$"
TIMESTAMP_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MASKED_RE = r"^[^\s*]\*{1,3}[^\s*]?$"
PHONE_RE = r"^\+?[0-9][0-9 -]{3,18}[0-9]$"


def strict_end(pattern: str) -> str:
    """Make a final ``$`` refuse a trailing newline in Python as it does in ECMA regexes (JSON Schema)."""
    return pattern[:-1] + r"(?!\n)$" if pattern.endswith("$") and not pattern.endswith(r"(?!\n)$") else pattern


class Base(fields.Field):
    """Common behaviour: keyed error messages and a JSON Schema description."""

    default_error_messages = _KEYED

    def json_schema(self) -> dict:  # pragma: no cover - every concrete field overrides
        raise NotImplementedError

    def fail(self, key: str, **params: Any) -> ValidationError:
        return ValidationError(Msg(key, **params))


class Str(Base):
    """Non-empty text up to ``max_length`` characters, optionally matching ``pattern``."""

    def __init__(self, *, max_length: int = 200, pattern: str | None = None, pattern_key: str = "invalid",
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.max_length = max_length
        self.pattern = strict_end(pattern) if pattern else None
        self._re = re.compile(self.pattern) if self.pattern else None
        self.pattern_key = pattern_key

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str):
            raise self.fail("type_string")
        if self._re is not None:
            if not self._re.match(value):
                raise self.fail(self.pattern_key)
        elif not value.strip():
            raise self.fail("empty")
        if len(value) > self.max_length:
            raise self.fail("max_length", max=self.max_length)
        return value

    def json_schema(self) -> dict:
        s: dict = {"type": "string", "maxLength": self.max_length}
        if self.pattern:
            s["pattern"] = self.pattern
        else:
            s["minLength"] = 1
            s["pattern"] = r"\S"
        return s


def Text(max_length: int = 2000, **kw: Any) -> Str:
    """Free text (Chinese welcome)."""
    return Str(max_length=max_length, **kw)


def Ident(**kw: Any) -> Str:
    """An entity id such as an event, depot, request or claim id."""
    return Str(max_length=64, pattern=IDENT_RE, pattern_key="identifier", **kw)


def MessageId(**kw: Any) -> Str:
    """A ULID message id."""
    return Str(max_length=26, pattern=ULID_RE, pattern_key="ulid", **kw)


def Phone(**kw: Any) -> Str:
    return Str(max_length=20, pattern=PHONE_RE, pattern_key="phone", **kw)


def MaskedName(**kw: Any) -> Str:
    """A masked name (张*明): plain names never travel (contracts.md "Privacy")."""
    return Str(max_length=5, pattern=MASKED_RE, pattern_key="masked_name", **kw)


class Timestamp(Str):
    """RFC 3339 with an offset; kept as the sender's string (``data_as_of`` stays apart from ``sent_at``)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(max_length=35, pattern=TIMESTAMP_RE, pattern_key="timestamp", **kw)

    def _deserialize(self, value, attr, data, **kw):
        super()._deserialize(value, attr, data, **kw)
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail("timestamp") from None
        return value

    def json_schema(self) -> dict:
        return {"type": "string", "maxLength": 35, "pattern": self.pattern, "format": "date-time"}


class Date(Str):
    """A calendar date ``YYYY-MM-DD`` that exists."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(max_length=10, pattern=DATE_RE, pattern_key="date", **kw)

    def _deserialize(self, value, attr, data, **kw):
        super()._deserialize(value, attr, data, **kw)
        try:
            date.fromisoformat(value)
        except ValueError:
            raise self.fail("date") from None
        return value

    def json_schema(self) -> dict:
        return {"type": "string", "maxLength": 10, "pattern": self.pattern, "format": "date"}


def Month(**kw: Any) -> Str:
    """A month ``YYYY-MM`` (settlement period, income period)."""
    return Str(max_length=7, pattern=MONTH_RE, pattern_key="month", **kw)


class Int(Base):
    """A JSON integer in ``[minimum, maximum]``; booleans, floats and strings are refused (contracts.md "Numbers")."""

    def __init__(self, *, minimum: int | None = 0, maximum: int | None = 10**15, nonzero: bool = False,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.minimum, self.maximum, self.nonzero = minimum, maximum, nonzero

    def _deserialize(self, value, attr, data, **kw):
        if type(value) is not int:
            raise self.fail("type_int")
        if self.minimum is not None and value < self.minimum:
            raise self.fail("min_value", min=self.minimum)
        if self.maximum is not None and value > self.maximum:
            raise self.fail("max_value", max=self.maximum)
        if self.nonzero and value == 0:
            raise self.fail("nonzero")
        return value

    def json_schema(self) -> dict:
        s: dict = {"type": "integer"}
        if self.minimum is not None:
            s["minimum"] = self.minimum
        if self.maximum is not None:
            s["maximum"] = self.maximum
        if self.nonzero:
            s["not"] = {"enum": [0]}
        return s


def Count(**kw: Any) -> Int:
    """A non-negative count (persons, rooms, households, items)."""
    return Int(minimum=0, **kw)


def Fen(*, signed: bool = False, **kw: Any) -> Int:
    """Money in integer fen (分); signed only for differences and reversals."""
    return Int(minimum=None if signed else 0, **kw)


class Bool(Base):
    def _deserialize(self, value, attr, data, **kw):
        if type(value) is not bool:
            raise self.fail("type_bool")
        return value

    def json_schema(self) -> dict:
        return {"type": "boolean"}


class Decimal(Base):
    """A non-negative decimal *string* with exactly ``scale`` places: hectares, km and 万元 use scale 2."""

    def __init__(self, *, scale: int = 2, **kw: Any) -> None:
        super().__init__(**kw)
        self.scale = scale
        self.pattern = strict_end(rf"^(0|[1-9][0-9]{{0,14}})\.[0-9]{{{scale}}}$")
        self._re = re.compile(self.pattern)

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or not self._re.match(value):
            raise self.fail("decimal", scale=self.scale, example="12." + "5" * self.scale)
        return value

    def json_schema(self) -> dict:
        return {"type": "string", "pattern": self.pattern}


class Choice(Base):
    """One of a fixed set of string codes."""

    def __init__(self, choices, **kw: Any) -> None:
        super().__init__(**kw)
        self.choices = tuple(choices)

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or value not in self.choices:
            raise self.fail("choice", choices=", ".join(self.choices))
        return value

    def json_schema(self) -> dict:
        return {"type": "string", "enum": list(self.choices)}


class Catalogue(Choice):
    """A code from a reference catalogue (relief items, subsidy types, disaster types)."""

    def __init__(self, catalogue: str, catalogue_zh: str, choices, **kw: Any) -> None:
        super().__init__(choices, **kw)
        self.catalogue, self.catalogue_zh = catalogue, catalogue_zh

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or value not in self.choices:
            raise self.fail("catalogue", catalogue=self.catalogue, catalogue_zh=self.catalogue_zh)
        return value


_LEVEL_ZH = {"province": "省", "prefecture": "地市", "county": "县"}


class DivisionCode(Base):
    """A current GB/T 2260 code of the three regions, optionally restricted to levels."""

    def __init__(self, *, levels: tuple[str, ...] = ("province", "prefecture", "county"), **kw: Any) -> None:
        super().__init__(**kw)
        self.levels = levels

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or not refdata.is_current_code(value):
            raise self.fail("division_code")
        if refdata.division(value).level not in self.levels:
            raise self.fail("division_level", levels="/".join(self.levels),
                            levels_zh="/".join(_LEVEL_ZH[x] for x in self.levels))
        return value

    def json_schema(self) -> dict:
        return {"type": "string", "enum": sorted(refdata.codes(self.levels))}


def CountyCode(**kw: Any) -> DivisionCode:
    return DivisionCode(levels=("county",), **kw)


class Region(Choice):
    """A region on the bus (``bj``/``tj``/``he``; ``hub`` where allowed)."""

    def __init__(self, *, hub: bool = False, **kw: Any) -> None:
        super().__init__(refdata.REGIONS + (("hub",) if hub else ()), **kw)


class PersonRef(Base):
    """A person_ref ``{"key_id", "ref"}``; anything shaped like an ID number is refused by name."""

    def _deserialize(self, value, attr, data, **kw):
        if looks_like_id_number(value):
            raise self.fail("id_number_leak")
        if not isinstance(value, dict) or set(value) != {"key_id", "ref"}:
            raise self.fail("person_ref")
        if looks_like_id_number(value.get("ref")):
            raise self.fail("id_number_leak")
        kid, ref = value["key_id"], value["ref"]
        if not (isinstance(kid, str) and KEY_ID_PATTERN.match(kid) and isinstance(ref, str) and REF_PATTERN.match(ref)):
            raise self.fail("person_ref")
        return {"key_id": kid, "ref": ref}

    def json_schema(self) -> dict:
        return {"type": "object", "additionalProperties": False, "required": ["key_id", "ref"],
                "properties": {"key_id": {"type": "string", "pattern": KEY_ID_PATTERN.pattern},
                               "ref": {"type": "string", "pattern": REF_PATTERN.pattern}}}


class Nested(fields.Nested):
    """A nested object (keyed errors)."""

    default_error_messages = {**_KEYED, "type": "type_object"}


class ListOf(fields.List):
    """A JSON array with item-count limits."""

    default_error_messages = {**_KEYED, "invalid": "type_list"}

    def __init__(self, inner, *, min_items: int = 0, max_items: int = 10_000, **kw: Any) -> None:
        super().__init__(inner, **kw)
        self.min_items, self.max_items = min_items, max_items

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, list):
            raise ValidationError(Msg("type_list"))
        if len(value) < self.min_items:
            raise ValidationError(Msg("min_items", min=self.min_items))
        if len(value) > self.max_items:
            raise ValidationError(Msg("max_items", max=self.max_items))
        return super()._deserialize(value, attr, data, **kw)


class AnyObject(Base):
    """A JSON object validated elsewhere (routed payloads, checked by a rule against their own kind)."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, dict):
            raise self.fail("type_object")
        return value

    def json_schema(self) -> dict:
        return {"type": "object"}
