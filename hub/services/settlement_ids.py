"""Statement ids, the same text from Python and from SQL: ``ST-YYYYMM-<payer>-<payee>-<digest of facility, type>``.

The digest keeps ids short and contract-safe (an identifier is at most 64 characters) whatever the facility id.
PostgreSQL computes it with its built-in ``sha256``; SQLite has no hash function, so the run looks digests up in a
small table of the (facility, subsidy type) pairs (``hub.services.settlement_freeze``), and ``prepare`` also
registers the Python digest on the run's connection for the few rows (adjustments) named by an expression.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from sqlalchemy import func, literal

from hub.domain.calendar import Period
from hub.domain.settlement import StatementKey
from hub.services.policy import BUS_REGION


class SettlementError(Exception):
    """An officer action refers to an unknown statement or line, or breaks a settlement rule."""


def statement_id(key: StatementKey) -> str:
    """Stable, short, contract-safe id: ``ST-YYYYMM-<payer>-<payee>-<hash of facility and type>``."""
    return sid(key.period, key.payer_district, BUS_REGION[key.payee_region], key.facility_id, key.subsidy_type)


@lru_cache(maxsize=65536)
def digest(facility_id: str, subsidy_type: str) -> str:
    return hashlib.sha256(f"{facility_id}|{subsidy_type}".encode()).hexdigest()[:12]


def prefix(period: Period) -> str:
    """What every statement id of ``period`` starts with."""
    return f"ST-{period.year:04d}{period.month:02d}-"


def sid(period: Period, payer_district: str, payee_region: str, facility_id: str, subsidy_type: str) -> str:
    """``statement_id`` of a key given with the bus code of the payee region (no per-statement key object)."""
    return f"{prefix(period)}{payer_district}-{payee_region}-{digest(facility_id, subsidy_type)}"


def prepare(conn) -> None:  # noqa: ANN001
    """Per dialect: a consistent view of the run's inputs, and the digest in SQL.

    PostgreSQL: writers of the run's inputs wait until commit, so every step sees the same lines, and the run's
    sorts and groups get memory. SQLite: the run takes the database's write lock now (a write statement that changes
    nothing; writers wait, as with PostgreSQL's lock), so every step, and the second connection that totals the
    lines while they are frozen (``settlement_freeze``), reads the same state; the digest is registered on this
    connection.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE eldercare_adjudications, settlement_adjustments IN SHARE ROW EXCLUSIVE MODE")
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
    else:
        conn.exec_driver_sql("UPDATE eldercare_adjudications SET statement_id = statement_id WHERE 0")
        conn.connection.driver_connection.create_function("jjj_statement_digest", 2, digest, deterministic=True)


def sid_sql(conn, period: Period, payer, payee, facility, subsidy):  # noqa: ANN001, ANN201
    """``sid`` as an SQL expression of columns (the same text: the tests compare both). SQLite: after ``prepare``."""
    if conn.dialect.name == "postgresql":
        hashed = func.substr(func.encode(func.sha256(func.convert_to(facility + "|" + subsidy, "UTF8")), "hex"), 1, 12)
    else:
        hashed = func.jjj_statement_digest(facility, subsidy)
    return literal(prefix(period)) + payer + "-" + payee + "-" + hashed
