"""PostgreSQL connections run without JIT compilation unless asked (jjj.db.pg_connect_args): the platform's short,
repeated statements paid a plan compilation per execution once a table's estimates passed ``jit_above_cost``."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from jjj.db import make_engine, pg_connect_args


def test_connections_ask_for_jit_off_unless_jjj_pg_jit_is_on(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("JJJ_PG_JIT", raising=False)
    assert pg_connect_args()["options"] == "-c jit=off"
    monkeypatch.setenv("JJJ_PG_JIT", "on")
    assert "options" not in pg_connect_args()


@pytest.mark.postgres
@pytest.mark.parametrize(("setting", "expected"), [(None, "off"), ("on", "on")])
def test_the_server_runs_a_platform_connection_with_jit_as_configured(database_url, monkeypatch, setting,  # noqa: ANN001
                                                                       expected) -> None:
    if setting is None:
        monkeypatch.delenv("JJJ_PG_JIT", raising=False)
    else:
        monkeypatch.setenv("JJJ_PG_JIT", setting)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar_one() == expected
            assert conn.execute(text("SHOW application_name")).scalar_one().startswith("jjj")
    finally:
        engine.dispose()
