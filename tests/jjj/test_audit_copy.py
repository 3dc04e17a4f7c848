"""On PostgreSQL the audit log is written with COPY: the rows (and the JSON text of ``detail``) must be exactly those
the executemany of INSERTs writes, and the chain must verify."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, cast, delete, select, update

from jjj import audit
from jjj.db import make_engine

ENTRIES = [
    {"actor": "bj", "action": "message.accepted", "subject": "01J0000000000000000000000A",
     "detail": {"kind": "disaster.report", "code": 100}},
    {"actor": "he", "action": "message.rejected", "subject": "topic/0/17",
     "detail": {"kind": "undecodable", "code": 400, "note": None}},
    {"actor": "officer.李", "action": "dlq.replay", "subject": "dl-7",
     "detail": {"reason": "密钥\t登记\n已修复 \\ \"quoted\"", "ids": [3, 1, 2], "nested": {"b": 1, "a": [None, True]}}},
    {"actor": "hub", "action": "settlement.confirm", "subject": "ST-1", "detail": {}},
]


pytestmark = pytest.mark.postgres  # COPY is PostgreSQL's: these run in the PostgreSQL pass (tests/conftest.py)


@pytest.fixture
def engine(database_url):  # noqa: ANN001, ANN201
    assert database_url.startswith("postgresql")
    engine = make_engine(database_url)
    audit.create_audit_tables(engine)
    yield engine
    engine.dispose()


def _written(engine) -> list[tuple]:  # noqa: ANN001
    A = audit.audit_table
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(A, cast(A.c.detail, String).label("text")).order_by(A.c.seq))]


def _reset(engine) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        conn.execute(delete(audit.audit_table))
        conn.execute(update(audit.audit_head).values(seq=0, hash=audit.GENESIS))


def test_copy_writes_the_rows_an_executemany_writes(engine, monkeypatch) -> None:  # noqa: ANN001
    at = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    for chunk in (ENTRIES[:1], ENTRIES[1:], ENTRIES):
        with engine.begin() as conn:
            audit.append(conn, chunk, at=at)
    copied = _written(engine)
    assert audit.verify(engine).ok and len(copied) == 2 * len(ENTRIES)
    _reset(engine)
    monkeypatch.setattr(audit, "_write", functools.partial(audit._write, copy=False))
    for chunk in (ENTRIES[:1], ENTRIES[1:], ENTRIES):
        with engine.begin() as conn:
            audit.append(conn, chunk, at=at)
    inserted = _written(engine)
    assert copied == inserted
    assert audit.verify(engine).ok


def test_a_failed_copy_fails_the_transaction_and_leaves_the_chain(engine) -> None:  # noqa: ANN001
    from sqlalchemy.exc import DBAPIError

    with engine.begin() as conn:
        audit.append(conn, ENTRIES[:2])
    with pytest.raises(DBAPIError), engine.begin() as conn:
        audit._write(conn, [{"seq": 1, "at": "x", "actor": "a", "action": "b", "subject": "c", "detail": {},
                             "prev_hash": audit.GENESIS, "hash": audit.GENESIS}])  # seq 1 exists: duplicate key
    result = audit.verify(engine)
    assert (result.ok, result.checked) == (True, 2)
