"""Append-only, hash-chained audit trail (ISSUE 7 "Audit trail").

Every accepted and rejected message and every officer action (confirm, dispute, replay, rebuild) is one row of
`audit_log`. Row n stores `prev_hash` = hash of row n-1 and `hash` = SHA-256 over the canonical JSON of
(seq, at, actor, action, subject, detail, prev_hash), so editing, deleting or reordering any row breaks the chain
and `verify` says at which `seq`. The head hash printed by `jjj audit verify` can be recorded outside the system
(an anchor): a truncated tail is only detectable against such an anchor.

API (stable; called by hub services inside their own transaction):
    create_audit_tables(engine)
    append(conn, [{"actor": ..., "action": ..., "subject": ..., "detail": {...}}, ...]) -> list[int]  (new seqs)
    verify(engine) -> VerifyResult(ok, checked, first_bad_seq, problem, head_hash)

Entries hold no personal data: message ids, kinds, receipt codes, officer user names only.
Concurrency: the single row of `audit_head` is read `FOR UPDATE` on PostgreSQL, so workers appending from several
transactions are serialized on the chain head (SQLite's database write lock serializes them already).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from jjj.db import copy_rows, create_tables
from jjj.db_fast import insert_many
from jjj.errors import JJJError

GENESIS = "0" * 64
HEAD_ID = 1

audit_metadata = MetaData()

audit_table = Table(
    "audit_log", audit_metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),  # RFC 3339 text: hashed exactly as stored, no timezone round trip
    Column("actor", String(80), nullable=False),
    Column("action", String(80), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: One row (id=1): the last seq and hash; locked while appending so the chain never forks.
audit_head = Table(
    "audit_head", audit_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)


class AuditError(JJJError):
    """An audit entry is malformed (missing actor/action/subject)."""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    head_hash: str = GENESIS

    def summary(self) -> str:
        if self.ok:
            return f"audit log OK: {self.checked} entries, head hash {self.head_hash}"
        return f"audit log BROKEN at seq {self.first_bad_seq}: {self.problem} ({self.checked} entries checked)"


def create_audit_tables(engine: Engine) -> None:
    """Create `audit_log` and `audit_head` (with its single row) when missing (idempotent)."""
    create_tables(audit_metadata, engine)
    try:
        with engine.begin() as conn:
            if conn.execute(select(audit_head.c.id).where(audit_head.c.id == HEAD_ID)).first() is None:
                conn.execute(insert(audit_head).values(id=HEAD_ID, seq=0, hash=GENESIS, updated_at=datetime.now(UTC)))
    except IntegrityError:
        pass  # another process created it at the same moment


def entry_hash(seq: int, at: str, actor: str, action: str, subject: str, detail: Any, prev_hash: str) -> str:
    """SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of the entry's fields and the previous hash.

    A flat detail of strings, integers, booleans and nulls (every message's entry) is written by orjson, whose bytes
    for these types are ``json.dumps``'s (sorted by code point, which UTF-8 byte order is); anything else (floats,
    nesting) by ``json.dumps`` itself, so no stored hash depends on which one wrote it."""
    fields = [seq, at, actor, action, subject, detail, prev_hash]
    if type(detail) is dict and all(type(k) is str and type(v) in _SCALARS for k, v in detail.items()):
        return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_SCALARS = (str, int, bool, type(None))
sha256, dumps, SORT_KEYS = hashlib.sha256, orjson.dumps, orjson.OPT_SORT_KEYS


def _plain(detail: Any) -> Any:
    """The detail as stored (and hashed): JSON types only. A flat dict of strings and integers (every message's
    entry) is taken as it is; anything else goes through a JSON round trip (``default=str``)."""
    if type(detail) is dict and all(type(k) is str and type(v) in _SCALARS for k, v in detail.items()):
        return detail
    return json.loads(json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str))


def _head(conn) -> tuple[int, str]:  # noqa: ANN001
    q = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    if row is not None:
        return int(row.seq), row.hash
    # First append ever: create the head row. Two first appenders race on the primary key; the loser's
    # transaction fails and its caller retries like any other serialization failure.
    conn.execute(insert(audit_head).values(id=HEAD_ID, seq=0, hash=GENESIS, updated_at=datetime.now(UTC)))
    if conn.dialect.name == "postgresql":
        conn.execute(select(audit_head.c.seq).where(audit_head.c.id == HEAD_ID).with_for_update())
    return 0, GENESIS


def append(conn, entries: Iterable[Mapping[str, Any]], *, at: datetime | None = None) -> list[int]:  # noqa: ANN001
    """Append entries inside the caller's transaction; returns their seq numbers. Nothing is written when empty."""
    entries = list(entries)
    if not entries:
        return []
    seq, prev = _head(conn)
    stamp = (at or datetime.now(UTC)).isoformat(timespec="microseconds")
    rows = []
    for e in entries:
        try:
            actor, action, subject = str(e["actor"]), str(e["action"]), str(e["subject"])
        except KeyError as exc:
            raise AuditError(f"audit entry lacks {exc.args[0]!r}") from exc
        if len(subject) > 200:
            raise AuditError("audit subject longer than 200 characters")
        detail = e.get("detail") or {}
        seq += 1
        if type(detail) is dict and all(type(k) is str and type(v) in _SCALARS for k, v in detail.items()):
            # a flat detail (every message's entry): ``_plain`` keeps it and ``entry_hash`` hashes it by orjson;
            # checked once here instead of once in each
            h = sha256(dumps([seq, stamp, actor, action, subject, detail, prev], option=SORT_KEYS)).hexdigest()
        else:
            detail = _plain(detail)
            h = entry_hash(seq, stamp, actor, action, subject, detail, prev)
        rows.append({"seq": seq, "at": stamp, "actor": actor, "action": action, "subject": subject,
                     "detail": detail, "prev_hash": prev, "hash": h})
        prev = h
    _write(conn, rows)
    conn.execute(update(audit_head).where(audit_head.c.id == HEAD_ID)
                 .values(seq=seq, hash=prev, updated_at=datetime.now(UTC)))
    return [r["seq"] for r in rows]


_COLUMNS = ("seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash")


def _write(conn, rows: list[dict], *, copy: bool | None = None) -> None:  # noqa: ANN001
    """The rows as they are (hashed above): COPY FROM STDIN on PostgreSQL with psycopg 3 (one round trip instead of
    one INSERT per entry), else one executemany. COPY writes ``detail`` as the text the INSERT's JSON bind writes
    (the dialect's serializer), so both store the same rows; ``tests/jjj/test_audit_copy.py`` compares them."""
    dialect = conn.dialect
    if copy is None:
        copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    if not copy:
        insert_many(conn, audit_table, rows)  # one executemany of a statement compiled once (jjj.db_fast)
        return
    dumps = getattr(dialect, "_json_serializer", None) or json.dumps
    copy_rows(conn, audit_table.name, _COLUMNS, ((r["seq"], r["at"], r["actor"], r["action"], r["subject"],
                                                   dumps(r["detail"]), r["prev_hash"], r["hash"]) for r in rows))


def verify(engine: Engine, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in seq order. Detects edited rows (hash mismatch), deleted rows (seq gap or broken link),
    reordered rows (link mismatch) and a head that does not match the last row (deleted tail)."""
    checked, expected_seq, prev = 0, 1, GENESIS
    with engine.connect() as conn:
        last = 0
        while True:
            rows = list(conn.execute(select(audit_table).where(audit_table.c.seq > last)
                                     .order_by(audit_table.c.seq).limit(batch)))
            if not rows:
                break
            for r in rows:
                if r.seq != expected_seq:
                    return VerifyResult(False, checked, expected_seq,
                                        f"entry {expected_seq} is missing (next present is {r.seq})", prev)
                if r.prev_hash != prev:
                    return VerifyResult(False, checked, r.seq, "link to the previous entry is broken "
                                        "(an earlier entry was deleted, reordered or rewritten)", prev)
                if entry_hash(r.seq, r.at, r.actor, r.action, r.subject, r.detail, r.prev_hash) != r.hash:
                    return VerifyResult(False, checked, r.seq, "entry content does not match its hash (edited)", prev)
                prev, expected_seq, checked = r.hash, expected_seq + 1, checked + 1
            last = rows[-1].seq
        head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)).first()
    if head is not None and (int(head.seq), head.hash) != (checked, prev):
        return VerifyResult(False, checked, checked + 1 if head.seq > checked else head.seq,
                            f"head records seq {head.seq} but the log ends at {checked} (entries deleted at the end)",
                            prev)
    return VerifyResult(True, checked, None, "", prev)


def entries(engine: Engine, *, limit: int = 50, action: str | None = None) -> list[dict]:
    """The newest entries (for `jjj audit list`)."""
    q = select(audit_table).order_by(audit_table.c.seq.desc()).limit(limit)
    if action:
        q = q.where(audit_table.c.action == action)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]
