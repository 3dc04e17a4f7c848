"""SQLite: the statement run commits without checkpointing its WAL (``wal_autocheckpoint`` 0 on the run's
connection); the checkpoint after the run copies every frame into the database file and empties the WAL, and
nothing is lost (the database file alone, without its WAL, holds the whole run)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from hub.domain.calendar import Period
from hub.infrastructure import tables as t
from hub.services import jobs
from jjj.audit import create_audit_tables
from jjj.bench.settlement import PERIOD, seed, sql_totals
from jjj.db import make_engine

NOW = datetime(2026, 8, 6, 1, 0, tzinfo=UTC)
LINES = 3000


def _engine(tmp_path: Path):  # noqa: ANN202
    engine = make_engine(f"sqlite:///{tmp_path / 'run.db'}")
    t.create_all(engine)
    create_audit_tables(engine)
    seed(engine, LINES, chunk=1000)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return engine


def _file_alone(tmp_path: Path, name: str) -> sqlite3.Connection:
    """The database file copied without its WAL: what a checkpoint has put into it, nothing else."""
    shutil.copy(tmp_path / "run.db", tmp_path / name)
    return sqlite3.connect(tmp_path / name)


def _issued(conn: sqlite3.Connection) -> tuple:
    statements = conn.execute("SELECT count(*), coalesce(sum(total_fen), 0), coalesce(sum(line_count), 0) "
                              "FROM settlement_statements").fetchone()
    frozen = conn.execute("SELECT count(*) FROM eldercare_adjudications WHERE statement_id IS NOT NULL").fetchone()[0]
    outbox = conn.execute("SELECT count(*) FROM hub_outbox").fetchone()[0]
    return (*statements, frozen, outbox)


def test_the_run_commits_without_a_checkpoint_and_the_checkpoint_after_it_loses_nothing(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    engine = _engine(tmp_path)
    _, totals = sql_totals(engine)
    want = (len(totals), sum(v[1] for v in totals.values()), LINES, LINES, 2 * len(totals))
    handed: list = []
    checkpoint = jobs.checkpoint_after_run
    monkeypatch.setattr(jobs, "checkpoint_after_run", handed.append)  # keep the run's connection, checkpoint later
    try:
        ids = jobs.run_statements(engine, Period.parse(PERIOD), NOW)
        assert jobs.wait_for_checkpoints(30)
        assert len(ids) == len(totals) and len(handed) == 1
        wal = tmp_path / "run.db-wal"
        assert wal.stat().st_size > 0  # the commit left its frames in the WAL
        assert _issued(_file_alone(tmp_path, "before.db"))[0] == 0  # ... and none in the database file yet
        with engine.connect() as conn:  # every reader sees the committed run meanwhile
            assert tuple(conn.exec_driver_sql(
                "SELECT count(*), sum(total_fen), sum(line_count) FROM settlement_statements").one()) == want[:3]
    finally:
        for conn in handed:
            result = checkpoint(conn)
    assert result == (0, 0, 0)  # TRUNCATE: not busy, WAL emptied
    assert wal.stat().st_size == 0 if wal.exists() else True
    assert _issued(_file_alone(tmp_path, "after.db")) == want
    assert handed[0].closed
    engine.dispose()


def test_the_background_checkpoint_empties_the_wal_and_restores_autocheckpoint(tmp_path) -> None:  # noqa: ANN001
    engine = _engine(tmp_path)
    _, totals = sql_totals(engine)
    with engine.connect() as watcher:  # an open connection: the WAL file stays (the last close would delete it)
        assert jobs.run_statements(engine, Period.parse(PERIOD), NOW)
        assert jobs.wait_for_checkpoints(60)
        assert (tmp_path / "run.db-wal").stat().st_size == 0
        assert watcher.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
    assert _issued(_file_alone(tmp_path, "after.db")) == (len(totals), sum(v[1] for v in totals.values()), LINES,
                                                          LINES, 2 * len(totals))
    assert jobs.run_statements(engine, Period.parse(PERIOD), NOW) == []  # a re-run: a no-op, checkpointed as well
    assert jobs.wait_for_checkpoints(60)
    engine.dispose()


def test_a_failed_run_closes_its_connection_and_changes_nothing(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    engine = _engine(tmp_path)
    from hub.services import settlement

    def boom(batch, period):  # noqa: ANN001, ANN202
        batch.conn.exec_driver_sql("UPDATE eldercare_adjudications SET statement_id = 'X'")
        raise RuntimeError("boom")

    monkeypatch.setattr(settlement, "run_statements", boom)
    try:
        jobs.run_statements(engine, Period.parse(PERIOD), NOW)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the run should have failed")
    assert jobs.wait_for_checkpoints(30)
    with engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM eldercare_adjudications WHERE statement_id IS NOT NULL").scalar_one() == 0
    assert _issued(_file_alone(tmp_path, "after.db"))[:4] == (0, 0, 0, 0)
    engine.dispose()
