"""``settlement_lines`` is a view (issue 8): claim lines are read from the frozen adjudications, other lines from
``settlement_extra_lines``. Migration 0010 keeps every stored line (both ways); an INSERT into the view lands in
the extra lines; a statement's lines are found through the statement key index, never by a scan."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import insert, select, text

from hub.infrastructure import tables as t
from hub.migrations import config, upgrade
from jjj.db import make_engine

NOW = datetime(2026, 8, 6, 1, 0, tzinfo=UTC)
SID = "ST-202607-110102-he-0123456789ab"
STATEMENT = {"statement_id": SID, "period": "2026-07", "payer_district": "110102", "payer_region": "bj",
             "payee_region": "he", "facility_id": "HE-F1", "subsidy_type": "age_80_89", "total_fen": 90500,
             "line_count": 4, "issued_at": NOW}


def _adjudication(claim: str, line: str, period: str, fen: int, sid: str | None) -> dict:
    return {"claim_id": claim, "line_id": line, "period": period, "payer_district": "110102", "facility_id": "HE-F1",
            "facility_region": "he", "subsidy_type": "age_80_89", "elder_ref": f"k1:{claim}{line}",
            "claimed_fen": fen, "accepted": True, "reasons": [], "payable_fen": fen, "rate_fen": fen,
            "statement_id": sid, "updated_at": NOW}


ADJUDICATIONS = [_adjudication("C-1", "1", "2026-07", 50000, SID), _adjudication("C-0", "1", "2026-06", 30000, SID),
                 _adjudication("C-2", "1", "2026-07", 70000, None)]
#: as a statement run before 0010 stored them: two claim lines (one late), an adjustment, a line put by hand
LINES = {(SID, "C-1/1", "k1:C-11", 50000, None, None), (SID, "C-0/1", "k1:C-01", 30000, None, "2026-06"),
         (SID, "ADJ-1", "k1:C-91", -500, "C-9/1", None), (SID, "HAND-1", "k1:h", 11000, None, None)}
SELECT_LINES = "SELECT statement_id, line_id, elder_ref, amount_fen, adjusts, late_of FROM "


def _rows(conn, table: str) -> set[tuple]:  # noqa: ANN001
    return {tuple(r) for r in conn.execute(text(SELECT_LINES + table))}  # noqa: S608 - fixed table names


def test_migration_0010_keeps_every_line_both_ways(database_url) -> None:  # noqa: ANN001
    upgrade(database_url, "0009")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(t.settlement_statements), [STATEMENT])
            conn.execute(insert(t.eldercare_adjudications), ADJUDICATIONS)
            conn.execute(text("INSERT INTO settlement_lines (statement_id, line_id, elder_ref, amount_fen, adjusts,"
                              " late_of) VALUES (:s, :l, :e, :a, :j, :o)"),
                         [dict(zip("sleajo", r, strict=True)) for r in sorted(LINES, key=str)])
        upgrade(database_url, "0010")
        with engine.connect() as conn:
            assert _rows(conn, "settlement_lines") == LINES
            assert {r[1] for r in _rows(conn, "settlement_extra_lines")} == {"ADJ-1", "HAND-1"}
        command.downgrade(config(database_url), "0009")
        with engine.connect() as conn:
            assert _rows(conn, "settlement_lines") == LINES
    finally:
        engine.dispose()


def test_an_insert_into_the_view_lands_in_the_extra_lines(engine) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        conn.execute(insert(t.settlement_statements), [STATEMENT])
        conn.execute(insert(t.eldercare_adjudications), ADJUDICATIONS)
        conn.execute(insert(t.settlement_lines), [{"statement_id": SID, "line_id": "HAND-1", "elder_ref": "k1:h",
                                                   "amount_fen": 11000, "adjusts": None, "late_of": None}])
    with engine.connect() as conn:
        assert _rows(conn, "settlement_extra_lines") == {(SID, "HAND-1", "k1:h", 11000, None, None)}
        got = {tuple(r) for r in conn.execute(select(t.settlement_lines).where(t.settlement_lines.c.statement_id == SID))}
    # the open line C-2/1 is on no statement; the June line carried onto July's statement is a late line
    assert got == {(SID, "C-1/1", "k1:C-11", 50000, None, None), (SID, "C-0/1", "k1:C-01", 30000, None, "2026-06"),
                   (SID, "HAND-1", "k1:h", 11000, None, None)}


def test_a_statements_lines_are_found_through_its_key_index(tmp_path) -> None:  # noqa: ANN001
    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        t.create_all(engine)
        with engine.connect() as conn:
            plan = " | ".join(r[3] for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT * FROM settlement_lines WHERE statement_id = :s ORDER BY line_id"),
                {"s": SID}))
    finally:
        engine.dispose()
    assert "SEARCH s USING INDEX" in plan
    assert "SEARCH a USING INDEX ix_eldercare_adjudications_statement_key" in plan
    assert "SCAN a" not in plan and "SCAN eldercare_adjudications" not in plan
