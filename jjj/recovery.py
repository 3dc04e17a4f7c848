"""Replay and recovery (ISSUE 7 item 4): dead-letter replay and `jjj hub rebuild`.

Replay: a dead letter's original record (value AND the signature headers it came with) is still on its regional topic
(regional topics keep a year), so it is fetched from (topic, partition, offset) and produced again to the same topic,
unchanged, with a `jjj-replay-of` header. In one database transaction the dead letter is marked `replayed_at`, the
rejected `processed_messages` row is removed (otherwise the replayed copy would be answered 201 duplicate), and an
audit entry records who replayed it and why. The transaction commits only after the broker acknowledged the record.

Rebuild: the regional topics are read from the beginning (or from a time) with a fresh consumer that joins no group
and commits nothing, and fed through the hub's own `Intake` into a fresh database. The receipts it queues went out the
first time, so they are recorded in the new database's outbox as sent and never published again. The intake clock is
each batch's broker timestamp, so key validity and expiry are judged as they were when the records arrived.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, delete, select, update

from jjj.config import Settings
from jjj.db import make_engine
from jjj.errors import JJJError

log = logging.getLogger(__name__)

H_REPLAY = "jjj-replay-of"
ACCEPTED_OR_DUPLICATE = (100, 201)


class RecoveryError(JJJError):
    """A replay or rebuild could not be done (no such dead letter, original record gone, ...)."""


# ----------------------------------------------------------------------------------------------- dead letters
def dead_letters(engine: Engine, *, limit: int = 50, code: int | None = None, pending: bool = False) -> list[dict]:
    from hub.infrastructure import tables as t

    q = select(t.dead_letters).order_by(t.dead_letters.c.id.desc()).limit(limit)
    if code is not None:
        q = q.where(t.dead_letters.c.code == code)
    if pending:
        q = q.where(t.dead_letters.c.replayed_at.is_(None))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def dead_letter(engine: Engine, dl_id: int) -> dict:
    from hub.infrastructure import tables as t

    with engine.connect() as conn:
        row = conn.execute(select(t.dead_letters).where(t.dead_letters.c.id == dl_id)).first()
    if row is None:
        raise RecoveryError(f"no dead letter {dl_id}", dead_letter=dl_id)
    return dict(row._mapping)


def fetch_record(settings: Settings, topic: str, partition: int, offset: int, timeout_s: float = 15.0):  # noqa: ANN201
    """The record at (topic, partition, offset), or None when it is gone (retention) or unreadable."""
    import time

    from kafka import TopicPartition

    from jjj.bus.clients import make_consumer

    consumer = make_consumer(settings.kafka_bootstrap, [], group_id=None, client_id="jjj-dlq-replay",
                             max_poll_records=1)
    tp = TopicPartition(topic, partition)
    try:
        consumer.assign([tp])
        consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for r in consumer.poll(timeout_ms=500).get(tp, []):
                if r.offset == offset:
                    return r
                if r.offset > offset:
                    return None
        return None
    finally:
        consumer.close()


def replay(settings: Settings, engine: Engine, dl_id: int, *, reason: str, actor: str) -> dict:
    """Re-inject one dead letter's original record; returns where it went. Audited as `dlq.replay`."""
    from hub.infrastructure import tables as t
    from jjj import audit
    from jjj.bus.clients import make_producer

    if not reason.strip():
        raise RecoveryError("a replay needs a reason")
    dl = dead_letter(engine, dl_id)
    if dl["replayed_at"] is not None:
        raise RecoveryError(f"dead letter {dl_id} was already replayed at {dl['replayed_at']}", dead_letter=dl_id)
    original = base64.b64decode(dl["original"])
    record = fetch_record(settings, dl["topic"], dl["partition"], dl["offset"])
    if record is None or record.value != original:
        raise RecoveryError("the original record is no longer on its topic (retention?); cannot replay it with its "
                            "signature", dead_letter=dl_id, topic=dl["topic"], offset=dl["offset"])
    position = f"{dl['topic']}/{dl['partition']}/{dl['offset']}"
    headers = [(k, v) for k, v in (record.headers or []) if k != H_REPLAY] + [(H_REPLAY, position.encode())]
    subject = dl["message_id"] or position
    # Committed BEFORE producing: the hub may consume the copy at once and must not find the rejection's
    # idempotency row (it would answer 201 duplicate). A failed send is undone below.
    with engine.begin() as conn:
        done = conn.execute(update(t.dead_letters).where(t.dead_letters.c.id == dl_id)
                            .where(t.dead_letters.c.replayed_at.is_(None)).values(replayed_at=datetime.now(UTC)))
        if done.rowcount != 1:
            raise RecoveryError(f"dead letter {dl_id} is being replayed by someone else", dead_letter=dl_id)
        conn.execute(delete(t.processed).where(t.processed.c.message_id.in_({dl["message_id"], position}))
                     .where(t.processed.c.code.not_in(ACCEPTED_OR_DUPLICATE)))
    producer = make_producer(settings.kafka_bootstrap, client_id="jjj-dlq-replay")
    try:
        md = producer.send(dl["topic"], key=record.key, value=record.value, headers=headers).get(timeout=30)
    except Exception as exc:
        with engine.begin() as conn:
            conn.execute(update(t.dead_letters).where(t.dead_letters.c.id == dl_id).values(replayed_at=None))
            audit.append(conn, [{"actor": actor, "action": "dlq.replay_failed", "subject": subject,
                                 "detail": {"dead_letter": dl_id, "reason": reason, "error": type(exc).__name__}}])
        raise RecoveryError(f"replaying dead letter {dl_id} failed: {exc}", dead_letter=dl_id) from exc
    finally:
        producer.close(timeout=10)
    with engine.begin() as conn:
        audit.append(conn, [{"actor": actor, "action": "dlq.replay", "subject": subject,
                             "detail": {"dead_letter": dl_id, "code": dl["code"], "reason": reason,
                                        "from": position, "to": f"{md.topic}/{md.partition}/{md.offset}"}}])
    return {"dead_letter": dl_id, "topic": md.topic, "partition": md.partition, "offset": md.offset}


# ----------------------------------------------------------------------------------------------- rebuild
@dataclass
class RebuildStats:
    records: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    partitions: int = 0

    def summary(self) -> str:
        return (f"rebuilt from {self.records} records on {self.partitions} partitions: {self.accepted} accepted, "
                f"{self.rejected} rejected, {self.skipped} already present")


def rebuild(settings: Settings, target_url: str, *, from_timestamp: datetime | None = None,
            poll_records: int = 500, actor: str = "operator") -> RebuildStats:
    """Replay the regional topics into the database at `target_url` (fresh, or restored to `from_timestamp`)."""
    from kafka import TopicPartition

    from hub.infrastructure import tables as t
    from hub.services import audit as hub_audit
    from hub.services.intake import Intake
    from hub.services.records import Record
    from jjj import audit
    from jjj.bus.clients import make_consumer
    from jjj.bus.topics import hub_input_topics
    from jjj.signing import KeyRegistry

    if _same_database(settings.database_url, target_url):
        raise RecoveryError("the rebuild target must not be the live database", target=target_url)
    engine = make_engine(target_url)
    t.create_all(engine)
    hub_audit.create_tables(engine)
    clock = _Clock()
    intake = Intake(engine, KeyRegistry.load(settings.keys), prefix=settings.topic_prefix, clock=clock)
    consumer = make_consumer(settings.kafka_bootstrap, [], group_id=None, client_id="jjj-rebuild",
                             max_poll_records=poll_records)
    stats = RebuildStats()
    try:
        parts = [TopicPartition(topic, p) for topic in hub_input_topics(settings.topic_prefix)
                 for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(parts)
        ends = consumer.end_offsets(parts)
        if from_timestamp is None:
            consumer.seek_to_beginning(*parts)
        else:
            found = consumer.offsets_for_times({tp: int(from_timestamp.timestamp() * 1000) for tp in parts})
            for tp in parts:
                consumer.seek(tp, found[tp].offset if found.get(tp) else ends[tp])
        todo = {tp for tp in parts if consumer.position(tp) < ends[tp]}
        stats.partitions = len(parts)
        while todo:
            polled = consumer.poll(timeout_ms=1000)
            batch = []
            for tp, recs in polled.items():
                batch += [Record(r.topic, r.partition, r.offset, r.key, r.value or b"", dict(r.headers or []),
                                 r.timestamp) for r in recs if r.offset < ends[tp]]
            for tp in list(todo):
                if consumer.position(tp) >= ends[tp]:
                    todo.discard(tp)
            if not batch:
                continue
            clock.at = datetime.fromtimestamp(max(r.timestamp_ms for r in batch) / 1000, UTC)
            result = intake.process(batch)
            stats.records += len(batch)
            stats.accepted, stats.rejected = stats.accepted + result.accepted, stats.rejected + result.rejected
            stats.skipped += result.skipped
        with engine.begin() as conn:  # the receipts went out the first time: never send them again
            conn.execute(update(t.hub_outbox).where(t.hub_outbox.c.sent_at.is_(None))
                         .values(sent_at=datetime.now(UTC)))
            audit.append(conn, [{"actor": actor, "action": "hub.rebuild", "subject": settings.topic_prefix,
                                 "detail": {"records": stats.records, "accepted": stats.accepted,
                                            "rejected": stats.rejected, "from": from_timestamp.isoformat()
                                            if from_timestamp else "beginning"}}])
    finally:
        consumer.close()
        engine.dispose()
    return stats


class _Clock:
    """The intake clock during a rebuild: the broker time of the batch being replayed."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


def _same_database(a: str, b: str) -> bool:
    from jjj.db import normalise_url

    return normalise_url(a).rstrip("/") == normalise_url(b).rstrip("/")


# ----------------------------------------------------------------------------------------------- compare
#: Bookkeeping of the processing itself, not derived state: different by nature after a rebuild.
NOT_STATE = {"hub_outbox", "audit_log", "audit_head", "scheduler_lease", "job_runs", "web_users", "web_tokens",
             "web_sessions", "login_attempts"}


@dataclass
class StateDiff:
    tables: int = 0
    differences: dict[str, str] = field(default_factory=dict)

    @property
    def equal(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        if self.equal:
            return f"state equal: {self.tables} tables compared (processing timestamps excluded)"
        return "state differs:\n" + "\n".join(f"  {k}: {v}" for k, v in sorted(self.differences.items()))


def comparable_rows(engine: Engine, table) -> list[str]:  # noqa: ANN001
    """A table's rows as sorted canonical JSON, without timestamps of processing, surrogate ids and columns marked
    ``info={"not_state": True}`` (the id of a message the hub sent: a rebuild sends it again with a new id)."""
    cols = [c for c in table.columns if not _is_timestamp(c) and c.name != "id" and not c.info.get("not_state")]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols)).all()
    return sorted(json.dumps(list(r), sort_keys=True, ensure_ascii=False, default=str) for r in rows)


def _is_timestamp(column) -> bool:  # noqa: ANN001
    kind = getattr(column.type, "impl", column.type)
    return isinstance(kind, DateTime) or isinstance(column.type, DateTime)


def compare_state(live_url: str, rebuilt_url: str, *, skip: set[str] | None = None) -> StateDiff:
    """Compare every hub table (except processing bookkeeping) row for row."""
    from hub.infrastructure import tables as t

    skip = NOT_STATE | (skip or set())
    a, b = make_engine(live_url), make_engine(rebuilt_url)
    diff = StateDiff()
    try:
        for table in t.metadata.sorted_tables:
            if table.name in skip:
                continue
            diff.tables += 1
            left, right = comparable_rows(a, table), comparable_rows(b, table)
            if left != right:
                only_l, only_r = len(set(left) - set(right)), len(set(right) - set(left))
                diff.differences[table.name] = (f"{len(left)} rows live, {len(right)} rebuilt; {only_l} only live, "
                                                f"{only_r} only rebuilt")
    finally:
        a.dispose()
        b.dispose()
    return diff
