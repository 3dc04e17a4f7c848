"""Persons on the bus: ID-number validation (GB 11643-1999), keyed pseudonyms and masked names.

Wire shape of a person reference (contracts.md "Privacy")::

    {"key_id": "k2026a", "ref": "<64 lowercase hex>"}

``ref`` = HMAC-SHA256(key, normalised ID number) under the key the three regions share; ``key_id``
names the key so keys can rotate: a region hashes with the current key and, during a rotation,
can compute refs under every key it still holds (:meth:`PersonRefHasher.all_refs`) to match old ones.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

from schemas import refdata

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # ISO 7064 MOD 11-2, indexed by the weighted sum mod 11
ID_PATTERN = re.compile(r"^[0-9]{17}[0-9Xx](?!\n)$")
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}(?!\n)$")
REF_PATTERN = re.compile(r"^[0-9a-f]{64}(?!\n)$")


class InvalidIdNumber(ValueError):
    """An ID number failed validation; ``reason`` (English) and ``reason_zh`` say why."""

    def __init__(self, reason: str, reason_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_zh = reason_zh


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_id_number(s: str) -> str:
    """Strip blanks, upper-case the check ``x`` and validate; raises :class:`InvalidIdNumber`.

    Accepts retired address codes (崇文区 110103): the address code records where the number was
    issued, never where the person lives now (domain.md "Citizen ID number").
    """
    if not isinstance(s, str):
        raise InvalidIdNumber("ID number must be a string", "身份证号码必须为字符串")
    n = s.strip().upper()
    if not ID_PATTERN.match(n):
        raise InvalidIdNumber("ID number must be 17 digits and a check digit or X", "身份证号码应为 17 位数字加 1 位校验码（数字或 X）")
    address = n[:6]
    if refdata.division(address) is None and not _plausible_foreign_address(address):
        raise InvalidIdNumber(f"unknown address code {address}", f"地址码 {address} 不存在")
    try:
        born = date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"impossible birth date {n[6:14]}", f"出生日期 {n[6:14]} 不存在") from None
    if born.year < 1860 or born > date.today():
        raise InvalidIdNumber(f"birth date {n[6:14]} out of range", f"出生日期 {n[6:14]} 超出合理范围")
    expected = check_char(n[:17])
    if n[17] != expected:
        raise InvalidIdNumber(f"check digit is {n[17]}, expected {expected}", f"校验码为 {n[17]}，应为 {expected}")
    return n


def _plausible_foreign_address(address: str) -> bool:
    # Our reference data holds only Beijing, Tianjin and Hebei; a person registered in another province
    # still has a valid ID number. Outside 11/12/13 we check only the province-code range (11–82).
    return address[:2] not in ("11", "12", "13") and 11 <= int(address[:2]) <= 82


def is_valid_id_number(s: str) -> bool:
    """True when :func:`normalise_id_number` accepts ``s``."""
    try:
        normalise_id_number(s)
    except InvalidIdNumber:
        return False
    return True


def looks_like_id_number(value: object) -> bool:
    """True for any string that has the shape of an ID number (18 chars, 17 digits + digit/X), valid or not."""
    return isinstance(value, str) and bool(ID_PATTERN.match(value.strip()))


class PersonRefHasher:
    """Keyed HMAC-SHA256 pseudonyms with a key id and rotation.

    ``keys`` maps key id → secret (≥ 32 bytes); ``current_key_id`` is the one new refs use.
    """

    def __init__(self, keys: dict[str, bytes], current_key_id: str) -> None:
        if current_key_id not in keys:
            raise ValueError(f"current key id {current_key_id!r} not among the keys")
        for key_id, secret in keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise ValueError(f"bad key id {key_id!r}")
            if len(secret) < 32:
                raise ValueError(f"key {key_id!r} is shorter than 32 bytes")
        self._keys = dict(keys)
        self.current_key_id = current_key_id

    def person_ref(self, id_number: str, key_id: str | None = None) -> dict[str, str]:
        """``{"key_id": …, "ref": …}`` for an ID number (normalised first; raises InvalidIdNumber)."""
        kid = key_id or self.current_key_id
        n = normalise_id_number(id_number)
        digest = hmac.new(self._keys[kid], n.encode("ascii"), hashlib.sha256).hexdigest()
        return {"key_id": kid, "ref": digest}

    def all_refs(self, id_number: str) -> list[dict[str, str]]:
        """The refs under every held key: lets a region match refs made before a rotation."""
        return [self.person_ref(id_number, kid) for kid in self._keys]

    def matches(self, id_number: str, ref: dict) -> bool:
        """True when ``ref`` was made from this ID number under a key we hold."""
        kid = ref.get("key_id")
        if kid not in self._keys:
            return False
        return hmac.compare_digest(self.person_ref(id_number, kid)["ref"], str(ref.get("ref", "")))


def mask_name(name: str) -> str:
    """张三明 → 张*明; 2-character names 张三 → 张*; longer names keep the first and last character."""
    n = name.strip()
    if len(n) <= 1:
        return "*"
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]
