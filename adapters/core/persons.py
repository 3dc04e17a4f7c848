"""ID numbers → ``person_ref`` and names → masked names, at the region's edge (contracts.md "Privacy").

The shared HMAC key is read from a file (``JJJ_PERSON_KEY_FILE``; key id ``JJJ_PERSON_KEY_ID``).  During a key
rotation ``JJJ_PERSON_KEY_FILES`` may name more keys as ``id=path,id=path``; new refs use the current id.
The key is never logged, printed or put in an exception.
"""

from __future__ import annotations

import os
from pathlib import Path

from adapters.core.errors import AdapterError, bad
from schemas.person import InvalidIdNumber, PersonRefHasher, mask_name

MIN_KEY_BYTES = 32


class PersonKeyMissing(AdapterError):
    """No usable person-ref key is configured (the adapter cannot pseudonymise, so it must not run)."""


def _read_key(path: Path) -> bytes:
    try:
        raw = path.read_bytes().strip()
    except OSError as exc:
        raise PersonKeyMissing(f"cannot read the person-ref key file: {exc.strerror}", path=str(path)) from None
    if len(raw) < MIN_KEY_BYTES:
        raise PersonKeyMissing(f"the person-ref key must be at least {MIN_KEY_BYTES} bytes", path=str(path))
    return raw


def load_hasher(env: dict[str, str] | None = None) -> PersonRefHasher:
    """The region's hasher from ``JJJ_PERSON_KEY_FILE`` / ``JJJ_PERSON_KEY_ID`` (and ``JJJ_PERSON_KEY_FILES``)."""
    env = os.environ if env is None else env
    path, key_id = env.get("JJJ_PERSON_KEY_FILE"), env.get("JJJ_PERSON_KEY_ID", "k1")
    if not path:
        raise PersonKeyMissing("JJJ_PERSON_KEY_FILE is not set: the adapter needs the shared person-ref key")
    keys = {key_id: _read_key(Path(path))}
    for item in filter(None, (env.get("JJJ_PERSON_KEY_FILES") or "").split(",")):
        kid, _, other = item.partition("=")
        keys.setdefault(kid.strip(), _read_key(Path(other.strip())))
    try:
        return PersonRefHasher(keys, key_id)
    except ValueError as exc:
        raise PersonKeyMissing(f"bad person-ref key configuration: {exc}") from None


class Persons:
    """What mappers use: ``ref(id_number, field)`` and ``masked(name, field)``, failing with located errors."""

    def __init__(self, hasher: PersonRefHasher | None) -> None:
        self._hasher = hasher

    def ref(self, id_number: object, field: str) -> dict[str, str]:
        if self._hasher is None:
            raise PersonKeyMissing("no person-ref key loaded (set JJJ_PERSON_KEY_FILE)")
        if not isinstance(id_number, str) or not id_number.strip():
            raise bad(field, "ID number is missing", "身份证号码缺失")
        try:
            return self._hasher.person_ref(id_number)
        except InvalidIdNumber as exc:
            raise bad(field, exc.reason, exc.reason_zh) from None

    @staticmethod
    def masked(name: object, field: str) -> str:
        if not isinstance(name, str) or not name.strip():
            raise bad(field, "name is missing", "姓名缺失")
        n = name.strip()
        if "*" in n:  # already masked by the provincial system
            return n
        if len(n) > 5 or any(not ("\u4e00" <= ch <= "\u9fff" or ch == "·") for ch in n):
            raise bad(field, "name is not a Chinese personal name of 1–5 characters", "姓名应为 1–5 个汉字")
        return mask_name(n)
