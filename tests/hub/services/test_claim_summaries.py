"""The claims list reads one summary row per actual claim (``eldercare_claims``), kept by the intake in the same
transaction as the claim's lines: exact counts and sums, drills never summarised, lines of a later message for the
same claim added, a duplicate line counted once; migration 0009 fills it from lines stored before it."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.infrastructure import tables as t
from tests.hub.services import builders as b
from tests.hub.services.conftest import Hub


def summaries(hub: Hub) -> list[tuple]:
    return sorted((r["claim_id"], r["payer_district"], r["period"], r["facility_id"], r["facility_region"],
                   r["line_count"], r["claimed_fen"]) for r in hub.rows(t.eldercare_claims))


def test_each_actual_claim_has_one_summary_with_its_count_and_total(hub: Hub) -> None:
    drill = b.claim("he", "C-D", "110102", "2026-05", [("L1", 3, 31, 60000)], at=3)
    drill["status"] = "exercise"
    result = hub.feed(b.claim("he", "C-1", "110102", "2026-05", [("L1", 1, 31, 60000), ("L2", 2, 30, 45000)], at=1),
                      b.claim("tj", "C-2", "110105", "2026-06", [("L1", 1, 30, 58000)], at=2), drill)
    assert (result.accepted, result.rejected) == (3, 0)
    assert summaries(hub) == [("C-1", "110102", "2026-05", "HE-YJ-0007", "he", 2, 105000),
                              ("C-2", "110105", "2026-06", "TJ-WQ-0021", "tj", 1, 58000)]
    # a later message of claim C-1: a new line is added, the line L1 it repeats is kept once (facts are written once)
    hub.feed(b.claim("he", "C-1", "110102", "2026-05", [("L1", 1, 31, 60000), ("L3", 4, 10, 20000)], at=4))
    assert summaries(hub)[0] == ("C-1", "110102", "2026-05", "HE-YJ-0007", "he", 3, 125000)


def test_migration_0009_fills_the_summaries_from_stored_lines(database_url) -> None:  # noqa: ANN001
    from alembic import command
    from sqlalchemy import text

    from hub.migrations import config, upgrade
    from jjj.db import make_engine

    upgrade(database_url, "0008")
    engine = make_engine(database_url)
    at = datetime(2026, 6, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            for claim, line, status, fen in (("C-1", "1", "actual", 60000), ("C-1", "2", "actual", 45000),
                                             ("exercise/C-9", "1", "exercise", 99900)):
                conn.execute(text(
                    "INSERT INTO eldercare_claim_lines (claim_id, line_id, message_id, region, facility_id,"
                    " facility_region, payer_district, period, elder_ref, enrolment_id, subsidy_type, days_in_care,"
                    " amount_fen, submitted_at, envelope_status) VALUES (:c, :l, 'M1', 'he', 'HE-F1', 'he', '110102',"
                    " '2026-05', 'k1:x', 'E1', 'care_severe', 30, :fen, :at, :s)"),
                    {"c": claim, "l": line, "fen": fen, "at": at, "s": status})
        upgrade(database_url)
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(text(
                "SELECT claim_id, payer_district, period, facility_id, line_count, claimed_fen"
                " FROM eldercare_claims"))] == [("C-1", "110102", "2026-05", "HE-F1", 2, 105000)]
        command.downgrade(config(database_url), "0008")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM eldercare_claim_lines")).scalar_one() == 3
    finally:
        engine.dispose()
