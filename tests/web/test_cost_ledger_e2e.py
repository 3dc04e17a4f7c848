"""Valuation is configuration, end to end: the sample file named by JJJ_RELIEF_VALUATION_FILE → the default
HubPolicy of the intake → the ledger rows written as a support flow is fed → GET /api/v1/relief/cost-ledger.
Without the file the same flow has quantities only, every line flagged ``unvalued``."""

from __future__ import annotations

import pytest

from hub.services.policy import VALUATION_ENV
from jjj.config import PROJECT_ROOT
from tests.hub.services.conftest import Hub
from tests.hub.services.test_cost_ledger import REF, STEPS

SAMPLE = PROJECT_ROOT / "ops" / "relief_valuation.example.json"


@pytest.mark.parametrize(("file", "pairs"), [
    (SAMPLE, [("he", "bj", 64_800_000, 1_200_000, 0, 64_800_000), ("he", "tj", 24_000_000, 0, 0, 24_000_000)]),
    (None, [("he", "bj", 0, 0, 2, 0), ("he", "tj", 0, 0, 1, 0)]),
])
def test_the_configured_values_reach_the_api(fresh_web, keys_dir, monkeypatch, file, pairs) -> None:  # noqa: ANN001
    if file is None:
        monkeypatch.delenv(VALUATION_ENV, raising=False)
    else:
        monkeypatch.setenv(VALUATION_ENV, str(file))
    hub = Hub(fresh_web.engine, keys_dir)  # its intake builds the default HubPolicy, which reads the file
    for _rule, messages, _expected in STEPS:
        hub.feed(*messages)
    body = fresh_web.api("coord", f"/api/v1/relief/cost-ledger?event={REF}").get_json()
    assert [(p["payer_region"], p["payee_region"], p["goods_fen"], p["supplier_bears_fen"], p["unvalued_lines"],
             p["total_fen"]) for p in body["pairs"]] == pairs
    assert [(x["supplier_region"], x["item"], x["received"], x["discrepancy"], x["flags"]) for x in body["items"]] == [
        ("bj", "quilt", 2000, 0, [] if file else ["unvalued"]),
        ("bj", "tent_single", 290, 10, [] if file else ["unvalued"]),
        ("tj", "tent_single", 200, 0, [] if file else ["unvalued"])]
