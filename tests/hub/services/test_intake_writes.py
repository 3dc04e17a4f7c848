"""The intake's bookkeeping writes: processed rows (COPY on PostgreSQL, executemany elsewhere) store exactly what was
given, a duplicate key still fails the whole transaction, and redeliveries are found by id or by position."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hub.infrastructure import tables as t
from hub.services.intake import insert_rows
from tests.hub.services import builders as b

AT = datetime(2026, 7, 30, 4, 0, tzinfo=UTC)


def _row(mid: str, offset: int, reason: str | None = None) -> dict:
    return {"message_id": mid, "topic": "jjj.bj.disaster", "partition": 2, "offset": offset, "region": "bj",
            "kind": "disaster.report", "code": 100 if reason is None else 420, "reason": reason, "received_at": AT}


def test_processed_rows_are_stored_as_given(engine) -> None:  # noqa: ANN001
    rows = [_row("M1", 7), _row("M2", 8, "规则：受灾人数\t含制表符\n和换行"), _row("jjj.bj.disaster/2/9", 9)]
    with engine.begin() as conn:
        insert_rows(conn, t.processed, rows)
    with engine.connect() as conn:
        stored = [dict(r) for r in conn.execute(select(t.processed).order_by(t.processed.c.offset)).mappings()]
    assert stored == rows


def test_a_duplicate_processed_row_fails_the_whole_transaction(engine) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        insert_rows(conn, t.processed, [_row("M1", 1)])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(t.dead_letters.delete())  # any earlier statement of the transaction is rolled back too
        insert_rows(conn, t.processed, [_row("M2", 2), _row("M1", 3)])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.processed)).scalar() == 1


def test_a_redelivered_batch_is_skipped_and_a_copy_under_a_new_offset_is_a_duplicate(hub) -> None:  # noqa: ANN001
    message = b.heartbeat("bj")
    first = hub.record(message, offset=40)
    assert hub.intake.process([first]).accepted == 1
    again = hub.intake.process([first])  # same topic/partition/offset: the crash-redelivery case
    assert (again.accepted, again.rejected, again.skipped) == (0, 0, 1)
    copy = hub.intake.process([hub.record(message, offset=41)])
    assert copy.codes == {201: 1}
    assert hub.intake.process([hub.record(message, offset=41)]).skipped == 1  # the duplicate's own redelivery
    assert [r["code"] for r in hub.rows(t.processed, "offset")] == [100, 201]
