"""SQLite freeze: the ``UPDATE`` and the ``GROUP BY`` that totals its lines run at once on two connections, under the
run's write lock; the totals are exactly those of the lines frozen; a count that differs fails the run; an in-memory
database (no second connection) totals first, then freezes, on the run's connection."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import and_, create_engine, func, select
from sqlalchemy.pool import StaticPool

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services import settlement_freeze
from hub.services.settlement_ids import SettlementError, prepare, sid
from jjj.bench.settlement import PERIOD, seed, sql_totals
from jjj.db import make_engine

LINES = 2000
A = t.eldercare_adjudications
OPEN = and_(A.c.period.in_([PERIOD]), A.c.accepted.is_(True), A.c.statement_id.is_(None))


def _file_engine(tmp_path):  # noqa: ANN001, ANN202
    engine = make_engine(f"sqlite:///{tmp_path / 'freeze.db'}")
    t.create_all(engine)
    seed(engine, LINES, chunk=500)
    return engine


def _frozen_ids(engine) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        return {r[0]: int(r[1]) for r in conn.execute(select(A.c.statement_id, func.count()).group_by(A.c.statement_id))}


def _expected_ids(totals: dict) -> dict:
    return {sid(Period.parse(PERIOD), *k): v[0] for k, v in totals.items()}


def test_the_totals_are_those_of_the_lines_frozen_and_writers_wait_meanwhile(tmp_path) -> None:  # noqa: ANN001
    engine = _file_engine(tmp_path)
    _, want = sql_totals(engine)
    seen = {}

    def then(totals: dict) -> str:
        other = sqlite3.connect(tmp_path / "freeze.db", timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # the run holds the write lock while it freezes
        finally:
            other.close()
        seen.update(totals)
        return "issued"

    with engine.begin() as conn:
        prepare(conn)
        assert settlement_freeze.freeze(conn, Period.parse(PERIOD), OPEN, then) == "issued"
    assert {k: tuple(v) for k, v in seen.items()} == want
    assert _frozen_ids(engine) == _expected_ids(want)
    engine.dispose()


def test_a_frozen_count_that_differs_from_the_totals_fails_the_run(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    engine = _file_engine(tmp_path)
    real = settlement_freeze._execute
    monkeypatch.setattr(settlement_freeze, "_execute", lambda raw, sql, params: real(raw, sql, params) - 1)
    with pytest.raises(SettlementError, match=f"{LINES - 1} lines frozen, {LINES} totalled"):
        with engine.begin() as conn:
            prepare(conn)
            settlement_freeze.freeze(conn, Period.parse(PERIOD), OPEN, lambda totals: None)
    assert _frozen_ids(engine) == {None: LINES}  # rolled back
    engine.dispose()


@pytest.mark.parametrize("file", [False, True], ids=["in-memory", "file-static-pool"])
def test_one_connection_totals_then_freezes(tmp_path, file: bool) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'static.db'}" if file else "sqlite://"
    engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    t.create_all(engine)
    seed(engine, LINES, chunk=500)
    _, want = sql_totals(engine)
    with engine.begin() as conn:
        prepare(conn)
        got = settlement_freeze.freeze(conn, Period.parse(PERIOD), OPEN, lambda totals: dict(totals))
    assert {k: tuple(v) for k, v in got.items()} == want
    assert _frozen_ids(engine) == _expected_ids(want)
    engine.dispose()
