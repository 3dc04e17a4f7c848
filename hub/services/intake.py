"""Use case "consume a poll batch": check every record, apply effects exactly once, queue exactly one receipt each.

Order of checks (contracts.md "Guarantees"): size (330) → signature and sender key (410/300/310) → envelope and
schema (200/400) → sender may send this kind on this topic (300/310) → expiry (203) → duplicate (201) → business
rules (420). The processed-message ids, the effects, the receipts and dead letters are written in ONE transaction;
offsets are committed by the caller after it. A record redelivered after a crash (same topic/partition/offset) is
skipped silently because its receipt is already in the hub outbox.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine, String, Table, any_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY

import schemas
from hub.infrastructure import tables as t
from hub.infrastructure.sql import accumulate, insert_ignore, upsert
from hub.services import audit
from hub.services.context import WRITTEN, Batch
from hub.services.handlers import HANDLERS, RECOMPUTE, BusinessRuleBroken
from hub.services.policy import HubPolicy
from hub.services.receipts import dead_letter_message, receipt_message
from hub.services.records import Record, Verdict
from jjj.bus.topics import parse_region_topic
from jjj.db import copy_rows
from jjj.outbox import enqueue
from jjj.signing import KeyRegistry, SignatureError, verify_record

log = logging.getLogger(__name__)

ACCEPTED = 100
MAX_BYTES = 1_000_000


#: Version columns of state rows that a later message replaces only when newer.
NEWER = {t.eldercare_enrolments: "version_at", t.eldercare_rates: "version_at"}


def warm_schemas() -> None:
    """Compile every kind's fast validator now, at worker start, not inside the first poll batch (~0.7–1.7 s CPU
    one-off). Uses ``schemas.fast.warm`` when the contract package offers it, else its per-kind compile cache."""
    import schemas.fast as fast

    warm = getattr(fast, "warm", None)
    if warm is not None:
        warm()
        return
    compiled = getattr(fast, "_compiled", None)
    if compiled is not None:
        for kind in schemas.KINDS:
            compiled(kind)


@dataclass
class BatchResult:
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    codes: dict[int, int] | None = None
    outcomes: list[tuple[str, str, int]] | None = None  # (region, kind, code) per processed record, for metrics


class Intake:
    """Checks and applies poll batches; one instance per hub worker."""

    def __init__(self, engine: Engine, keys: KeyRegistry, *, prefix: str = "jjj",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), policy: HubPolicy | None = None) -> None:
        self.engine, self.keys, self.prefix, self.clock = engine, keys, prefix, clock
        self.policy = policy or HubPolicy()
        self.cache: dict = {}  # derived-state memo shared by this worker's batches (see services.disasters)
        self._topics: dict[str, tuple[str, str] | None] = {}  # topic -> (region, family), parsed once per topic
        warm_schemas()

    # -- checks that need no database -------------------------------------------------------------------------
    def _where(self, topic: str) -> tuple[str, str] | None:
        try:
            return self._topics[topic]
        except KeyError:
            found = self._topics[topic] = parse_region_topic(self.prefix, topic)
            return found

    def check(self, record: Record) -> Verdict:
        where = self._where(record.topic)
        if where is None:
            return Verdict(300, f"topic {record.topic} is not a regional topic", "主题不是地区主题")
        region, family = where
        if len(record.value) > MAX_BYTES:
            return Verdict(330, f"message has {len(record.value)} bytes, more than {MAX_BYTES}", "消息过大")
        try:
            verify_record(self.keys, record.value, record.headers, expected_owner=region, now=self.clock())
        except SignatureError as exc:
            return Verdict(exc.code, str(exc), "签名校验失败" if exc.code == 410 else "发送方密钥无效或不属于该地区")
        try:
            msg = schemas.decode(record.value, max_bytes=MAX_BYTES)
        except schemas.ContractError as exc:
            # a whole-document error has the path "" which a receipt cannot carry: no path then
            return Verdict(int(exc.code), exc.reason, exc.reason_zh, [p for p in exc.paths if p], exc.rule)
        sender = msg["sender"]["region"]
        if sender != region:
            return Verdict(310, f"sender {sender} wrote on {region}'s topic", "发送方与主题所属地区不一致",
                           ["sender.region"], message=msg)
        spec = schemas.KINDS[msg["kind"]]
        if spec.family != family:
            return Verdict(310, f"kind {msg['kind']} does not belong on topic {record.topic}",
                           f"消息类型 {msg['kind']} 不能发往主题 {record.topic}", ["kind"], message=msg)
        if region not in spec.senders:
            return Verdict(310, f"region {region} may not send {msg['kind']}", f"地区 {region} 无权发送 {msg['kind']}",
                           ["kind"], message=msg)
        expires = msg.get("expires_at")
        if expires and datetime.fromisoformat(expires) < self.clock():
            return Verdict(203, f"message expired at {expires}", "消息已过期", ["expires_at"], message=msg)
        return Verdict(ACCEPTED, message=msg)

    # -- the transaction ---------------------------------------------------------------------------------------
    def process(self, records: Sequence[Record], verdicts: Sequence[Verdict] | None = None) -> BatchResult:
        """Apply a poll batch in one transaction. ``verdicts``: the records' `check` results when another process
        made them already (``hub.entrypoints.pipeline``), else they are made here."""
        if verdicts is None:
            verdicts = [self.check(r) for r in records]
        result = BatchResult(codes={}, outcomes=[])
        now = self.clock()
        try:
            self._process(records, verdicts, result, now)
        except BaseException:
            # the memo of derived state may hold what this batch computed: the transaction did not commit it
            self.cache.clear()
            raise
        return result

    def _process(self, records: Sequence[Record], verdicts: Sequence[Verdict], result: BatchResult,
                 now: datetime) -> None:
        with self.engine.begin() as conn:
            batch = Batch(conn, now, self.prefix, self.policy, cache=self.cache,
                          messages=[v.message for v in verdicts if v.accepted])
            ids = [self._id(r, v) for r, v in zip(records, verdicts, strict=True)]
            seen = {row.message_id: row for row in _seen(conn, sorted(set(ids) | {r.position for r in records}))}
            processed_rows, outgoing, dead = [], [], []
            received_at = now.isoformat()  # the receipts' received_at: one text per batch
            codes, outcomes, audit_entries = result.codes, result.outcomes, batch.audit
            for record, verdict, mid in zip(records, verdicts, ids, strict=True):
                position = record.position
                if position != mid and position in seen:
                    result.skipped += 1  # a duplicate's redelivery: its 201 receipt is already queued
                    continue
                prior = seen.get(mid)
                if prior is not None:
                    if (prior.topic, prior.partition, prior.offset) == (record.topic, record.partition, record.offset):
                        result.skipped += 1  # redelivery after a crash: effect and receipt already recorded
                        continue
                    verdict = Verdict(201, f"duplicate of a message already processed at {prior.topic}/"
                                      f"{prior.partition}/{prior.offset}", "重复消息（无害）", message=verdict.message)
                elif verdict.code == ACCEPTED:
                    verdict = self._apply(batch, verdict)
                region = self._where(record.topic)
                region_code = region[0] if region else "??"
                row_id = mid if prior is None else position
                seen[row_id] = record  # a second copy inside the same batch is a duplicate too
                code = verdict.code
                msg = verdict.message
                kind = msg.get("kind") if msg else None
                processed_rows.append({"message_id": row_id, "topic": record.topic, "partition": record.partition,
                                       "offset": record.offset, "region": region_code, "kind": kind, "code": code,
                                       "reason": verdict.reason or None, "received_at": now})
                outgoing.append(receipt_message(self.prefix, region_code, record, verdict, mid, received_at))
                accepted = code == ACCEPTED
                if not accepted and code != 201:
                    outgoing.append(dead_letter_message(self.prefix, record, verdict, mid))
                    dead.append({"message_id": mid, "topic": record.topic, "partition": record.partition,
                                 "offset": record.offset, "region": region_code, "code": code,
                                 "reason": verdict.reason, "paths": verdict.paths,
                                 "original": base64.b64encode(record.value).decode(), "received_at": now})
                codes[code] = codes.get(code, 0) + 1
                kind = kind or "undecodable"
                outcomes.append((region_code, kind, code))
                audit_entries.append({"actor": region_code, "subject": mid,
                                      "action": "message.accepted" if accepted else "message.rejected",
                                      "detail": {"kind": kind, "code": code}})
                if accepted:
                    result.accepted += 1
                else:
                    result.rejected += 1
            apply_batch(batch)
            if processed_rows:
                insert_rows(conn, t.processed, processed_rows)
                accumulate(conn, t.processed_counts, _counts(processed_rows), add="count", latest="last_at")
            if dead:
                conn.execute(insert(t.dead_letters), dead)
            enqueue(conn, t.hub_outbox, outgoing + batch.outgoing, now)
            audit.append(conn, batch.audit)

    def _apply(self, batch: Batch, verdict: Verdict) -> Verdict:
        """Run the kind's handler; a refusal leaves no trace in the batch (an in-memory savepoint)."""
        msg = verdict.message
        handler = HANDLERS.get(msg["kind"])
        if handler is None:
            return verdict
        facts, upserts = batch.facts, batch.upserts
        marks = (dict(zip(facts, map(len, facts.values()), strict=True)),
                 dict(zip(upserts, map(len, upserts.values()), strict=True)), len(batch.outgoing))
        try:
            handler(batch, msg)
            return verdict
        except BusinessRuleBroken as exc:
            _rewind(batch, marks)
            return Verdict(420, exc.reason, exc.reason_zh, exc.paths, exc.rule, message=msg)
        except Exception as exc:  # noqa: BLE001 - a poison message must never block its partition
            log.exception("handler of %s failed on %s", msg["kind"], msg["message_id"])
            _rewind(batch, marks)
            return Verdict(500, f"hub error: {type(exc).__name__}", "中心处理出错", [], "hub.handler_error",
                           message=msg)

    @staticmethod
    def _id(record: Record, verdict: Verdict) -> str:
        if verdict.message is not None:
            return verdict.message["message_id"]
        return record.position


def _rewind(batch: Batch, marks) -> None:  # noqa: ANN001
    facts, upserts, outgoing = marks
    for table, rows in batch.facts.items():
        del rows[facts.get(table, 0):]
    for table, rows in batch.upserts.items():
        del rows[upserts.get(table, 0):]
    del batch.outgoing[outgoing:]


_P = t.processed
_SEEN = select(_P.c.message_id, _P.c.topic, _P.c.partition, _P.c.offset)
#: PostgreSQL: one array parameter (``= ANY(:ids)``) instead of ~1,000 IN parameters: ~6 ms less per poll batch
_SEEN_PG = _SEEN.where(_P.c.message_id == any_(bindparam("ids", type_=ARRAY(String))))
#: SQLite: the ids as one JSON text read by ``json_each`` instead of ~4,000 IN placeholders that SQLAlchemy
#: rendered anew for every batch (~5 % of the worker); the primary key is probed once per id either way
_IDS = func.json_each(bindparam("ids_json", type_=String)).table_valued("value")
_SEEN_JSON = _SEEN.where(_P.c.message_id.in_(select(_IDS.c.value)))


def _seen(conn, ids: list[str]):  # noqa: ANN001, ANN202
    """The processed rows among the batch's ids (message ids and topic/partition/offset positions)."""
    if conn.dialect.name == "postgresql":
        return conn.execute(_SEEN_PG, {"ids": ids})
    return conn.execute(_SEEN_JSON, {"ids_json": orjson.dumps(ids).decode()})


def _counts(processed_rows: list[dict]) -> list[dict]:
    """Records per (region, receipt code) of the batch and the newest one's time (``processed_counts``)."""
    out: dict[tuple[str, int], dict] = {}
    for r in processed_rows:
        c = out.setdefault((r["region"], r["code"]), {"region": r["region"], "code": r["code"], "count": 0,
                                                      "last_at": r["received_at"]})
        c["count"] += 1
        c["last_at"] = max(c["last_at"], r["received_at"])
    return list(out.values())


def insert_rows(conn, table: Table, rows: list[dict]) -> None:  # noqa: ANN001
    """Plain INSERT of rows with the same keys and no JSON columns (a duplicate key fails the transaction either
    way): COPY FROM STDIN on PostgreSQL with psycopg 3 (one round trip instead of one statement per row, ~10x
    faster for a poll batch), else one executemany of a statement compiled once (``jjj.db_fast``)."""
    dialect = conn.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg" or table.schema is not None:
        from jjj.db_fast import insert_many

        insert_many(conn, table, rows)
        return
    names = list(rows[0])
    copy_rows(conn, table.name, names, ([row[n] for n in names] for row in rows))


def apply_batch(batch: Batch) -> None:
    """Write the batch's facts (insert-if-absent), its state upserts, then recompute each touched entity once."""
    for table, rows in batch.facts.items():
        insert_ignore(batch.conn, table, rows)
    for table, rows in batch.upserts.items():
        upsert(batch.conn, table, rows, newer=NEWER.get(table))
    batch.memo[WRITTEN] = dict(batch.facts)
    batch.facts.clear()
    batch.upserts.clear()
    for step in RECOMPUTE:
        step(batch)
