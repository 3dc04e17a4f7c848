"""PostgreSQL connections run without JIT compilation and plan every execution of a prepared statement unless asked
(jjj.db.pg_connect_args): the platform's short, repeated statements paid a plan compilation per execution once a
table's estimates passed ``jit_above_cost``, and a generic plan made while a table was empty stayed a sequential scan
as it grew."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from jjj.db import make_engine, pg_connect_args


def test_connections_ask_for_jit_off_and_custom_plans_unless_told_otherwise(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("JJJ_PG_JIT", raising=False)
    monkeypatch.delenv("JJJ_PG_PLAN_CACHE_MODE", raising=False)
    assert pg_connect_args()["options"] == "-c jit=off"
    assert pg_connect_args(custom_plans=True)["options"] == "-c plan_cache_mode=force_custom_plan -c jit=off"
    monkeypatch.setenv("JJJ_PG_JIT", "on")
    assert "options" not in pg_connect_args()
    assert pg_connect_args(custom_plans=True)["options"] == "-c plan_cache_mode=force_custom_plan"
    monkeypatch.setenv("JJJ_PG_PLAN_CACHE_MODE", "")
    assert "options" not in pg_connect_args(custom_plans=True)
    monkeypatch.setenv("JJJ_PG_PLAN_CACHE_MODE", "auto")
    assert pg_connect_args()["options"] == "-c plan_cache_mode=auto"
    monkeypatch.setenv("JJJ_PG_PLAN_CACHE_MODE", "sometimes")
    with pytest.raises(ValueError, match="JJJ_PG_PLAN_CACHE_MODE"):
        pg_connect_args()


@pytest.mark.postgres
@pytest.mark.parametrize(("setting", "expected"), [(None, ("off", "force_custom_plan")), ("on", ("on", "auto"))])
def test_the_server_runs_a_platform_connection_as_configured(database_url, monkeypatch, setting,  # noqa: ANN001
                                                             expected) -> None:
    if setting is None:
        monkeypatch.delenv("JJJ_PG_JIT", raising=False)
        monkeypatch.delenv("JJJ_PG_PLAN_CACHE_MODE", raising=False)
    else:
        monkeypatch.setenv("JJJ_PG_JIT", setting)
        monkeypatch.setenv("JJJ_PG_PLAN_CACHE_MODE", "")  # the server's own: auto (its default)
    engine = make_engine(database_url, custom_plans=True)  # as the hub worker's
    try:
        with engine.connect() as conn:
            assert (conn.execute(text("SHOW jit")).scalar_one(),
                    conn.execute(text("SHOW plan_cache_mode")).scalar_one()) == expected
            assert conn.execute(text("SHOW application_name")).scalar_one().startswith("jjj")
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(("mode", "plans"), [(None, (0, 10)), ("auto", (5, 5))])
def test_the_processed_id_look_up_is_planned_for_its_ids_not_once_for_an_empty_table(  # noqa: ANN001
        database_url, monkeypatch, tmp_path, mode, plans) -> None:
    """The hub's per-batch look-up on the hub worker's engine, prepared by psycopg after five executions on a table
    still empty: with the
    server's default (``auto``) PostgreSQL plans the first five prepared executions for their values, then keeps
    a generic plan made then and reuses it as the table grows; the hub worker's connections plan every execution
    for its own ids. (The first five executions are not prepared: 10 prepared of 15.)"""
    from hub.services.intake import _seen

    if mode is None:
        monkeypatch.delenv("JJJ_PG_PLAN_CACHE_MODE", raising=False)
    else:
        monkeypatch.setenv("JJJ_PG_PLAN_CACHE_MODE", mode)
    from hub.bootstrap import HubServices
    from jjj.config import Settings

    engine = HubServices(Settings(state_dir=tmp_path, database_url=database_url)).engine  # the hub worker's
    try:
        with engine.connect() as conn:
            for i in range(15):
                assert list(_seen(conn, [f"m{i}", f"topic/0/{i}"])) == []
            made = conn.execute(text("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                                     "WHERE statement LIKE '%processed_messages%'")).one()
        assert tuple(made) == plans
    finally:
        engine.dispose()
