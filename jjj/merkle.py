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
    """Return (root, proofs) for the values of one batch."""
    if not values:
        raise ValueError("empty batch")
    level = [leaf_hash(v) for v in values]
    proofs: list[list[bytes]] = [[] for _ in values]
    positions = list(range(len(values)))  # index of each leaf's ancestor in the current level
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                nxt.append(node_hash(level[i], level[i + 1]))
            else:
                nxt.append(level[i])
        for leaf, pos in enumerate(positions):
            sibling = pos ^ 1
            if sibling < len(level):
                side = b"L" if sibling < pos else b"R"
                proofs[leaf].append(side + level[sibling])
            positions[leaf] = pos // 2
        level = nxt
    return level[0], [b"".join(p) for p in proofs]


def root_from_proof(value: bytes, proof: bytes) -> bytes:
    """Rebuild the root from a record's value and its proof; a wrong proof yields a root that will not verify."""
    h = leaf_hash(value)
    if len(proof) % 33:
        return b""
    for i in range(0, len(proof), 33):
        side, sibling = proof[i:i + 1], proof[i + 1:i + 33]
        h = node_hash(sibling, h) if side == b"L" else node_hash(h, sibling)
    return h
