"""/livez, /readyz (database, Kafka group, freshness) and the users CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from jjj.cli import main


def test_livez_and_readyz_without_a_broker(web) -> None:
    client = web.app.test_client()
    assert client.get("/livez").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.get_json()["checks"]
    assert checks["database"] == "ok"
    assert checks["kafka"] == {"reachable": False, "hub_group_members": 0}
    assert checks["freshness"]["fresh"] is False  # the seeded heartbeat is from 2026-08-01 12:00 UTC


def test_readyz_can_require_kafka(web, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JJJ_WEB_READY_REQUIRES_KAFKA", "1")
    assert web.app.test_client().get("/readyz").status_code == 503


@pytest.mark.kafka
def test_the_kafka_probe_reaches_the_real_broker(kafka_bootstrap: str, tmp_path) -> None:
    from hub.entrypoints.web import kafka_probe
    from jjj.config import Settings

    status = kafka_probe.status(Settings(state_dir=tmp_path, kafka_bootstrap=kafka_bootstrap, hub_group="no-such-group"))
    assert status["ok"] is True and status["lag"] == {} and status["members"] == 0


def test_users_cli_add_list_set_role_token(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JJJ_DATABASE_URL", database_url)
    run = CliRunner().invoke
    r = run(main, ["users", "add", "wang", "--role", "district_officer", "--district", "131082",
                   "--password", "long-enough-pw"])
    assert r.exit_code == 0, r.output
    assert run(main, ["users", "add", "li", "--role", "region_operator", "--password", "long-enough-pw"]).exit_code == 1
    assert run(main, ["users", "set-role", "wang", "--role", "region_operator", "--region", "he"]).exit_code == 0
    assert run(main, ["users", "list"]).output == "wang\tregion_operator\the\t-\n"
    token = run(main, ["users", "token", "wang"]).output.strip()
    assert token.startswith("jjj_") and len(token) > 40
    from hub.entrypoints.web import auth_store
    from jjj.db import make_engine

    engine = make_engine(database_url)
    assert auth_store.user_for_token(engine, token).username == "wang"
    engine.dispose()
