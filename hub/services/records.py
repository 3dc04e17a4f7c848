"""What the hub consumes and what it decides about each record (plain data, no Kafka types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Record(NamedTuple):
    """One consumed Kafka record, copied out of kafka-python's ConsumerRecord (a named tuple: a worker makes one
    per record, and sends them to its apply process)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]
    timestamp_ms: int = 0

    @property
    def position(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"


@dataclass
class Verdict:
    """The outcome for one record: accepted (code 100) or rejected with a receipt code, reason and field paths."""

    code: int
    reason: str = ""
    reason_zh: str = ""
    paths: list[str] = field(default_factory=list)
    rule: str | None = None
    message: dict | None = None  # the validated message when it could be decoded

    @property
    def accepted(self) -> bool:
        return self.code == 100
