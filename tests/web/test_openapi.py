"""The committed schemas/openapi.yaml matches the app (drift test), and schemathesis finds no server error and no
response outside the documented schemas."""

from __future__ import annotations

from pathlib import Path

import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hub.entrypoints.web.openapi import openapi_dict

COMMITTED = Path(__file__).resolve().parents[2] / "schemas" / "openapi.yaml"


def test_committed_openapi_matches_the_app() -> None:
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert committed == openapi_dict(), "run `jjj web openapi > schemas/openapi.yaml` and commit it"
    assert committed["openapi"] == "3.1.0"


def test_openapi_json_is_served_to_users(web) -> None:
    spec = web.api("coord", "/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0" and "/api/v1/disasters" in spec["paths"]


def _fuzz(operation, headers: dict) -> None:  # noqa: ANN001
    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # noqa: ANN001
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    run()


def test_api_fuzz_has_no_server_errors_and_matches_the_schemas(fresh_web) -> None:
    """Every operation, fuzzed from the spec with an admin token (a district officer's for statement actions)."""
    admin = {"Authorization": f"Bearer {fresh_web.tokens['admin']}"}
    officer = {"Authorization": f"Bearer {fresh_web.tokens['xicheng']}"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fresh_web.app, headers=admin)
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for headers in (admin, officer) if operation.path.startswith("/api/v1/eldercare") else (admin,):
            _fuzz(operation, headers)
        ran += 1
    assert ran == 21  # + GET /api/v1/relief/cost-ledger
