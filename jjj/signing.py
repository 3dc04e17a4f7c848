"""Ed25519 message signatures and the key registry (contracts.md "Envelope": each message verifies on its own).

Headers on every record (bytes values):
    jjj-id       message id               jjj-kind   "<kind>@<schema_version>"
    jjj-key      signing key id           jjj-sig    64-byte Ed25519 signature over the exact value bytes
Batch mode (X-Road style, `jjj.merkle`) replaces `jjj-sig` by `jjj-root-sig` (signature over a hash-tree root) and
`jjj-proof` (this record's audit path), so one signature covers a producer batch yet each record verifies alone.

The registry maps key id -> owner ("bj", "tj", "he", "hub") and validity period; rotation = add a key with a later
`valid_from`, keep the old one until its `valid_to` so messages in flight still verify.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from jjj.errors import JJJError

H_ID, H_KIND, H_KEY, H_SIG = "jjj-id", "jjj-kind", "jjj-key", "jjj-sig"
H_ROOT_SIG, H_PROOF = "jjj-root-sig", "jjj-proof"
OWNERS = ("bj", "tj", "he", "hub")


class SignatureError(JJJError):
    """A record failed signature checks; `code` is the receipt code (410 bad signature, 300 unknown key/sender,
    310 key owner not allowed to write this topic)."""

    def __init__(self, message: str, code: int, **context: object) -> None:
        super().__init__(message, **context)
        self.code = code


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    owner: str
    verify_key: VerifyKey
    valid_from: datetime
    valid_to: datetime | None

    def valid_at(self, when: datetime) -> bool:
        return self.valid_from <= when and (self.valid_to is None or when < self.valid_to)


class KeyRegistry:
    """Public keys of every party, loaded from `<keys dir>/registry.json`."""

    def __init__(self, keys: dict[str, PublicKey]) -> None:
        self._keys = keys

    @classmethod
    def load(cls, keys_dir: Path) -> KeyRegistry:
        raw = json.loads((keys_dir / "registry.json").read_text(encoding="utf-8"))
        keys = {}
        for key_id, entry in raw["keys"].items():
            keys[key_id] = PublicKey(
                key_id=key_id,
                owner=entry["owner"],
                verify_key=VerifyKey(base64.b64decode(entry["public"])),
                valid_from=datetime.fromisoformat(entry["valid_from"]),
                valid_to=datetime.fromisoformat(entry["valid_to"]) if entry.get("valid_to") else None,
            )
        return cls(keys)

    def get(self, key_id: str) -> PublicKey | None:
        return self._keys.get(key_id)

    def __iter__(self):
        return iter(self._keys.values())


class Signer:
    """Signs value bytes with one party's current private key."""

    def __init__(self, owner: str, key_id: str, signing_key: SigningKey) -> None:
        self.owner, self.key_id, self._key = owner, key_id, signing_key

    @classmethod
    def load(cls, keys_dir: Path, owner: str) -> Signer:
        current = json.loads((keys_dir / "registry.json").read_text(encoding="utf-8"))["current"][owner]
        seed = base64.b64decode((keys_dir / "private" / f"{current}.key").read_text().strip())
        return cls(owner, current, SigningKey(seed))

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data).signature

    def headers(self, message_id: str, kind_at_version: str, value: bytes) -> list[tuple[str, bytes]]:
        return [(H_ID, message_id.encode()), (H_KIND, kind_at_version.encode()), (H_KEY, self.key_id.encode()),
                (H_SIG, self.sign(value))]


def verify_record(registry: KeyRegistry, value: bytes, headers: dict[str, bytes], *, expected_owner: str,
                  now: datetime | None = None) -> PublicKey:
    """Check a record's signature before anything else reads it. Raises SignatureError with the receipt code."""
    key_id = headers.get(H_KEY, b"").decode("utf-8", "replace")
    if not key_id:
        raise SignatureError("record is unsigned (no jjj-key header)", 410)
    key = registry.get(key_id)
    if key is None:
        raise SignatureError(f"unknown signing key {key_id!r}", 300, key_id=key_id)
    if key.owner != expected_owner:
        raise SignatureError(f"key {key_id} belongs to {key.owner}, not to {expected_owner}", 310, key_id=key_id)
    if not key.valid_at(now or datetime.now(UTC)):
        raise SignatureError(f"key {key_id} is not valid now (expired or not yet valid)", 410, key_id=key_id)
    if H_SIG in headers:
        _verify(key, value, headers[H_SIG])
    elif H_ROOT_SIG in headers and H_PROOF in headers:
        from jjj.merkle import root_from_proof

        _verify(key, root_from_proof(value, headers[H_PROOF]), headers[H_ROOT_SIG])
    else:
        raise SignatureError("record is unsigned (no jjj-sig or jjj-root-sig header)", 410, key_id=key_id)
    return key


@lru_cache(maxsize=4096)
def _verify_cached(verify_key_bytes: bytes, data: bytes, sig: bytes) -> bool:
    # Batch mode verifies the same root once per batch, not once per record.
    try:
        VerifyKey(verify_key_bytes).verify(data, sig)
        return True
    except (BadSignatureError, ValueError):
        return False


def _verify(key: PublicKey, data: bytes, sig: bytes) -> None:
    if not _verify_cached(bytes(key.verify_key), data, bytes(sig)):
        raise SignatureError("signature does not verify", 410, key_id=key.key_id)


def init_keys(keys_dir: Path, owners: tuple[str, ...] = OWNERS, *, key_suffix: str | None = None) -> list[str]:
    """Create a key pair per owner that has none (development and demo; production keys come from each region).
    Returns the new key ids. Private keys are written 0600."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    (keys_dir / "private").mkdir(exist_ok=True)
    reg_file = keys_dir / "registry.json"
    reg = json.loads(reg_file.read_text()) if reg_file.exists() else {"keys": {}, "current": {}}
    created = []
    for owner in owners:
        if owner in reg["current"] and key_suffix is None:
            continue
        suffix = key_suffix or datetime.now(UTC).strftime("%Y%m%d")
        key_id = f"{owner}-{suffix}"
        sk = SigningKey.generate()
        priv = keys_dir / "private" / f"{key_id}.key"
        priv.write_text(base64.b64encode(bytes(sk)).decode())
        os.chmod(priv, 0o600)
        reg["keys"][key_id] = {"owner": owner, "public": base64.b64encode(bytes(sk.verify_key)).decode(),
                               "valid_from": "2020-01-01T00:00:00+00:00", "valid_to": None}
        reg["current"][owner] = key_id
        created.append(key_id)
    reg_file.write_text(json.dumps(reg, indent=2, ensure_ascii=False))
    return created


def retire_key(keys_dir: Path, key_id: str, valid_to: datetime) -> None:
    """Set a key's end of validity (rotation: messages signed with it verify until `valid_to`, then get 410)."""
    reg_file = keys_dir / "registry.json"
    reg = json.loads(reg_file.read_text(encoding="utf-8"))
    if key_id not in reg["keys"]:
        raise JJJError(f"no key {key_id!r} in {reg_file}", key_id=key_id)
    reg["keys"][key_id]["valid_to"] = valid_to.isoformat()
    reg_file.write_text(json.dumps(reg, indent=2, ensure_ascii=False))
