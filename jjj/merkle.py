"""Hash trees for batch signatures (X-Road style): one Ed25519 signature per producer batch, and per record the
audit path that rebuilds the signed root from the record's own bytes, so each record still verifies on its own.

Leaves are SHA-256(0x00 || value), inner nodes SHA-256(0x01 || left || right) (RFC 6962 domain separation);
an odd node is promoted unchanged. A proof is the concatenation of (side byte, 32-byte sibling) steps.
"""

from __future__ import annotations

import hashlib


def leaf_hash(value: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + value).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def build(values: list[bytes]) -> tuple[bytes, list[bytes]]:
    """Return (root, proofs) for the values of one batch.

    Level by level: each node's proof step (side byte + sibling) is made once and appended to the proofs of all
    the leaves under it (leaf i sits under node i >> level), so a batch costs O(n log n) byte appends, no more.
    """
    if not values:
        raise ValueError("empty batch")
    sha = hashlib.sha256
    level = [sha(b"\x00" + v).digest() for v in values]
    proofs = [b""] * len(values)
    shift = 0
    while len(level) > 1:
        n = len(level)
        steps = [(b"R" + level[i + 1] if i % 2 == 0 else b"L" + level[i - 1]) if (i ^ 1) < n else b""
                 for i in range(n)]
        proofs = [p + steps[i >> shift] for i, p in enumerate(proofs)]
        level = [sha(b"\x01" + level[i] + level[i + 1]).digest() if i + 1 < n else level[i] for i in range(0, n, 2)]
        shift += 1
    return level[0], proofs


def root_from_proof(value: bytes, proof: bytes) -> bytes:
    """Rebuild the root from a record's value and its proof; a wrong proof yields a root that will not verify."""
    h = leaf_hash(value)
    if len(proof) % 33:
        return b""
    for i in range(0, len(proof), 33):
        side, sibling = proof[i:i + 1], proof[i + 1:i + 33]
        h = node_hash(sibling, h) if side == b"L" else node_hash(h, sibling)
    return h
