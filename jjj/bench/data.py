"""Realistic messages for the bench: every region-sent kind, in the mix of a flood plus a verification campaign
plus a monthly eldercare settlement, each message with its own id and entity key, signed like the adapters sign.

The mix (weights per 100 messages) follows the demo scenario: reports and claims dominate, the long tail of kinds
is present so that every handler runs.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

import schemas
from jjj import merkle
from jjj.bus.topics import region_topic
from jjj.outbox import sign_batch
from jjj.signing import Signer
from schemas.tools.samples import PAYLOADS, sample_message

MIX: dict[str, int] = {
    "disaster.report": 20, "disaster.correction": 2, "disaster.cancel": 1,
    "relief.stock_snapshot": 3, "relief.stock_movement": 8, "relief.support_request": 2, "relief.commitment": 1,
    "relief.decline": 1, "relief.dispatch": 1, "relief.receipt": 1,
    "verification.request": 14, "verification.response": 10,
    "referral.referral": 3, "referral.acceptance": 1, "referral.rejection": 1, "referral.progress": 2,
    "referral.closure": 1,
    "eldercare.enrolment": 3, "eldercare.entitlement_table": 1, "eldercare.claim": 18,
    "eldercare.confirmation": 1, "eldercare.dispute": 1, "eldercare.payment": 1,
    "heartbeat.heartbeat": 2,
}


@dataclass(frozen=True)
class BenchMessage:
    """One encoded message and where it goes."""

    message_id: str
    kind: str  # "<kind>@<version>", as in the outbox
    region: str
    topic: str
    key: str
    value: bytes


class _Row:
    """The outbox row shape `jjj.outbox.sign_batch` reads."""

    __slots__ = ("message_id", "kind", "value")

    def __init__(self, m: BenchMessage) -> None:
        self.message_id, self.kind, self.value = m.message_id, m.kind, m.value


def _sample_ids() -> list[str]:
    """Entity ids and person refs of the samples: a variant renames all of them, so that variant i of a claim
    references the enrolment, elder and statement of variant i (not the one elder every sample shares)."""
    ids = {schemas.KINDS[k].partition_key(p) for k, (_, p) in PAYLOADS.items()}
    text = json.dumps({k: p for k, (_, p) in PAYLOADS.items()}, ensure_ascii=False)
    ids |= set(re.findall(r'"ref": "([0-9a-f]{64})"', text))
    ids |= set(re.findall(r'"((?:EN|CL|ST|VR|RF|REQ|MV|DSP)-[A-Z0-9-]+)"', text))
    return sorted((i for i in ids if i and len(i) > 5), key=len, reverse=True)


def _rename(value: str, i: int) -> str:
    if re.fullmatch(r"[0-9a-f]{64}", value):
        return hashlib.sha256(f"{value}{i}".encode()).hexdigest()
    return f"{value}{i:05d}"


def _variant(kind: str, i: int) -> dict:
    """The sample message of `kind` with a fresh id and its entity ids and persons renamed for variant `i` (each
    renaming kept only if the contract still accepts the message)."""
    msg = sample_message(kind)
    msg["message_id"] = schemas.new_message_id()
    if not i:
        return msg
    text = json.dumps(msg["payload"], ensure_ascii=False)
    present = [old for old in _SAMPLE_IDS if f'"{old}"' in text]
    for old in present:
        text = text.replace(f'"{old}"', f'"{_rename(old, i)}"')
    candidate = dict(msg, payload=json.loads(text))
    try:
        schemas.validate_message(candidate)
        return candidate  # the common case: one validation
    except schemas.ContractError:
        pass
    for old in present:
        text = json.dumps(msg["payload"], ensure_ascii=False)
        if f'"{old}"' not in text:
            continue
        candidate = dict(msg, payload=json.loads(text.replace(f'"{old}"', f'"{_rename(old, i)}"')))
        try:
            schemas.validate_message(candidate)
            msg = candidate
        except schemas.ContractError:
            pass
    return msg


_SAMPLE_IDS = _sample_ids()


class MessageFactory:
    """Makes `n` messages in the mix; entity keys cycle over `distinct` values per kind (realistic reuse)."""

    def __init__(self, prefix: str, *, seed: int = 8, distinct: int = 5000) -> None:
        self.prefix, self.distinct = prefix, distinct
        self.rng = random.Random(seed)
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]
        self._templates: dict[tuple[str, int], dict] = {}

    def _template(self, kind: str, variant: int) -> dict:
        t = self._templates.get((kind, variant))
        if t is None:
            t = self._templates[(kind, variant)] = _variant(kind, variant)
        return t

    def messages(self, n: int) -> Iterator[BenchMessage]:
        for kind in self.rng.choices(self.kinds, self.weights, k=n):
            template = self._template(kind, self.rng.randrange(self.distinct))
            msg = dict(template, message_id=schemas.new_message_id(), status="actual")  # samples say "exercise"
            region = PAYLOADS[kind][0]
            spec = schemas.KINDS[kind]
            yield BenchMessage(msg["message_id"], f"{kind}@{msg['schema_version']}", region,
                               region_topic(self.prefix, region, spec.family), spec.partition_key(msg["payload"]),
                               schemas.serde._dumps(msg))


def signed_headers(signers: dict[str, Signer], batch: list[BenchMessage]) -> list[list[tuple[str, bytes]]]:
    """Headers exactly as `OutboxPublisher` makes them: one hash tree + one signature per (region, batch)."""
    out: list[list[tuple[str, bytes]] | None] = [None] * len(batch)
    by_region: dict[str, list[int]] = {}
    for i, m in enumerate(batch):
        by_region.setdefault(m.region, []).append(i)
    for region, idx in by_region.items():
        for i, h in zip(idx, sign_batch(signers[region], [_Row(batch[i]) for i in idx], True), strict=True):
            out[i] = h
    return out  # type: ignore[return-value]


def produce(producer, signers: dict[str, Signer], messages: Iterator[BenchMessage], *,  # noqa: ANN001
            batch: int = 1000) -> int:
    """Send signed messages (producer batches of `batch`, like the outbox publisher); returns how many."""
    sent, chunk = 0, []
    for m in messages:
        chunk.append(m)
        if len(chunk) >= batch:
            sent += _send(producer, signers, chunk)
            chunk = []
    if chunk:
        sent += _send(producer, signers, chunk)
    producer.flush(timeout=120)
    return sent


def _send(producer, signers: dict[str, Signer], chunk: list[BenchMessage]) -> int:  # noqa: ANN001
    for m, h in zip(chunk, signed_headers(signers, chunk), strict=True):
        producer.send(m.topic, key=m.key.encode(), value=m.value, headers=h)
    return len(chunk)


__all__ = ["MIX", "BenchMessage", "MessageFactory", "merkle", "produce", "signed_headers"]
