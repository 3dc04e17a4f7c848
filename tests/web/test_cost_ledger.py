"""GET /api/v1/relief/cost-ledger: exact lines and pair totals per event, drills only on request, region operators
scoped to the regions involved, CSV export; drills kept out of the event timeline and the flows list; the relief
valuation file loaded into HubPolicy."""

from __future__ import annotations

import json

import pytest

from hub.domain.relief_costs import Valuation
from hub.services.policy import VALUATION_ENV, HubPolicy, ValuationFileError, load_valuation
from jjj.config import PROJECT_ROOT
from tests.web.ledger_seed import seed_ledger

URL = "/api/v1/relief/cost-ledger"
BJ_PAIRS = [
    {"event_ref": "bj:BJ-E1", "payer_region": "bj", "payee_region": "he", "goods_fen": 960_000,
     "supplier_bears_fen": 240_000, "in_transit_fen": 0, "other_costs_fen": 0, "total_fen": 960_000,
     "unvalued_lines": 0},
    {"event_ref": "bj:BJ-E1", "payer_region": "bj", "payee_region": "tj", "goods_fen": 900_000,
     "supplier_bears_fen": 0, "in_transit_fen": 600_000, "other_costs_fen": 30_000, "total_fen": 930_000,
     "unvalued_lines": 1},
]


@pytest.fixture(scope="module")
def lw(web):  # noqa: ANN001, ANN201
    seed_ledger(web.engine)
    return web


def _key(line: dict) -> tuple:
    return (line["supplier_region"], line["item"], line["received"], line["in_transit"], line["discrepancy"],
            line["unit_fen"], line["receiver_bears_fen"], line["supplier_bears_fen"], line["flags"])


def test_event_ledger_lines_and_pairs_exact(lw) -> None:  # noqa: ANN001
    body = lw.api("coord", f"{URL}?event=bj:BJ-E1").get_json()
    assert body["envelope_status"] == "actual" and body["event"] == "bj:BJ-E1" and body["total"] == 3
    assert [_key(x) for x in body["items"]] == [
        ("he", "tent_single", 8, 0, 2, 120_000, 960_000, 240_000, []),
        ("tj", "emergency_lamp", 5, 0, 0, None, None, None, ["unvalued"]),
        ("tj", "quilt", 60, 40, 0, 15_000, 900_000, 0, []),
    ]
    assert body["pairs"] == BJ_PAIRS


def test_drills_only_with_status(lw) -> None:  # noqa: ANN001
    body = lw.api("coord", f"{URL}?event=bj:BJ-E1&status=exercise").get_json()
    assert [(x["item"], x["received"], x["flags"]) for x in body["items"]] == [("quilt", 999, ["unvalued"])]
    assert body["pairs"] == [{"event_ref": "bj:BJ-E1", "payer_region": "bj", "payee_region": "he", "goods_fen": 0,
                              "supplier_bears_fen": 0, "in_transit_fen": 0, "other_costs_fen": 0, "total_fen": 0,
                              "unvalued_lines": 1}]
    every = lw.api("admin", URL).get_json()
    assert sorted({x["event_ref"] for x in every["items"]}) == ["bj:BJ-E1", "tj:TJ-E1"] and every["total"] == 4


def test_every_event_comes_a_page_of_events_at_a_time(lw) -> None:  # noqa: ANN001
    first = lw.api("admin", f"{URL}?per_page=1").get_json()
    second = lw.api("admin", f"{URL}?per_page=1&page=2").get_json()
    assert (first["events_total"], first["page"], first["per_page"]) == (2, 1, 1)
    assert {x["event_ref"] for x in first["items"]} == {"bj:BJ-E1"} and first["total"] == 3
    assert {x["event_ref"] for x in second["items"]} == {"tj:TJ-E1"} and second["total"] == 1
    assert lw.api("admin", f"{URL}?per_page=1&page=3").get_json()["items"] == []
    csv_rows = lw.api("admin", f"{URL}?per_page=1&format=csv").get_data(as_text=True).strip().splitlines()
    assert len(csv_rows) == 1 + 4  # the export has every event's lines


@pytest.mark.parametrize(("user", "query", "code", "events"), [
    ("op-he", "?event=bj:BJ-E1", 200, {("he", "bj")}),      # he supplied bj: sees only its own line and pair
    ("op-he", "?event=tj:TJ-E1", 403, None),                # not involved in Tianjin's event
    ("op-he", "", 200, {("he", "bj")}),
    ("op-bj", "?event=tj:TJ-E1", 200, {("bj", "tj")}),
    ("xicheng", "?event=bj:BJ-E1", 403, None),              # district officers have no relief area
    ("coord", "?event=bj:NOPE", 404, None),
    ("coord", "?event=xx:BJ-E1", 422, None),
    ("coord", "?event=bj:BJ-E1&status=real", 422, None),
])
def test_access_and_errors(lw, user: str, query: str, code: int, events) -> None:  # noqa: ANN001
    resp = lw.api(user, URL + query)
    assert resp.status_code == code, resp.get_json()
    if events is not None:
        body = resp.get_json()
        assert {(x["supplier_region"], x["receiver_region"]) for x in body["items"]} == events
        assert {(p["payee_region"], p["payer_region"]) for p in body["pairs"]} == events


def test_known_event_without_flows_is_an_empty_ledger(lw) -> None:  # noqa: ANN001
    body = lw.api("coord", f"{URL}?event=he:HE-E1").get_json()
    assert (body["items"], body["pairs"], body["total"]) == ([], [], 0)


def test_csv_export(lw) -> None:  # noqa: ANN001
    resp = lw.api("coord", f"{URL}?event=bj:BJ-E1&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert 'filename="relief_cost_ledger_bj_BJ-E1.csv"' in resp.headers["Content-Disposition"]
    rows = resp.data.decode("utf-8-sig").splitlines()
    assert rows[0].split(",")[:6] == ["event_ref", "supplier_region", "receiver_region", "item", "unit", "committed"]
    assert len(rows) == 4 and rows[1].startswith("bj:BJ-E1,he,bj,tent_single,顶,10,10,8,0,2,120000,1200000,960000,")


def test_event_timeline_shows_actual_reports_unless_asked(lw) -> None:  # noqa: ANN001
    real = lw.api("coord", "/api/v1/disasters/bj/BJ-E1").get_json()
    assert [h["message_id"] for h in real["history"]] == ["BJ-E1-m1", "BJ-E1-m2"]
    drill = lw.api("coord", "/api/v1/disasters/bj/BJ-E1?status=exercise").get_json()
    assert [h["message_id"] for h in drill["history"]] == ["BJ-E1-x9"]
    assert lw.api("coord", "/api/v1/disasters/bj/BJ-E1?status=test").status_code == 404


def test_flows_list_is_actual_unless_asked(lw) -> None:  # noqa: ANN001
    real = lw.api("coord", "/api/v1/relief/flows").get_json()
    assert [x["request_id"] for x in real["items"]] == ["REQ-bj-1"] and real["items"][0]["in_transit"] == 40
    drill = lw.api("coord", "/api/v1/relief/flows?envelope_status=exercise").get_json()
    assert [x["request_id"] for x in drill["items"]] == ["DRILL-bj-1"]


def test_valuation_file_is_loaded_into_the_policy(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv(VALUATION_ENV, raising=False)
    assert HubPolicy().relief_valuation == Valuation()
    sample = PROJECT_ROOT / "ops" / "relief_valuation.example.json"
    monkeypatch.setenv(VALUATION_ENV, str(sample))
    v = HubPolicy().relief_valuation
    assert (v.of("quilt", "床"), v.of("tent_single", "顶"), v.of("emergency_lamp", "盏")) == (15_000, 120_000, None)
    assert v.discrepancy_borne_by == "supplier"
    f = tmp_path / "v.json"
    f.write_text(json.dumps({"discrepancy_borne_by": "receiver", "unit_fen": [{"item": "quilt", "unit": "床",
                                                                               "fen": 1}]}), encoding="utf-8")
    assert load_valuation(f) == Valuation({("quilt", "床"): 1}, "receiver")


@pytest.mark.parametrize("doc", [
    {"unit_fen": [{"item": "quilt", "unit": "床", "fen": 1.5}]},
    {"unit_fen": [{"item": "quilt", "unit": "床", "fen": 1}, {"item": "quilt", "unit": "床", "fen": 2}]},
    {"discrepancy_borne_by": "nobody"},
    {"unit_fen": [{"item": "quilt"}]},
])
def test_bad_valuation_files_are_refused(tmp_path, doc: dict) -> None:  # noqa: ANN001
    f = tmp_path / "v.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValuationFileError):
        load_valuation(f)


@pytest.mark.parametrize(("user", "shown"), [("coord", True), ("op-bj", True), ("op-he", False)])
def test_event_page_carries_the_event_ledger_panel(lw, user: str, shown: bool) -> None:  # noqa: ANN001
    html = lw.login(user).get("/events/bj/BJ-E1").data.decode()
    assert ('data-src="/api/v1/relief/cost-ledger?event=bj:BJ-E1"' in html) is shown
    assert "跨区域费用台账" in lw.login("coord").get("/relief").data.decode()
