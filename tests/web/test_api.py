"""The REST API returns exactly the seeded state, per endpoint and filter (allow-listed sorting and paging)."""

from __future__ import annotations

import pytest

DISASTER_FILTERS = [
    ("", ["BJ-E1", "HE-E1", "HE-E2", "TJ-E1"]),
    ("region=he", ["HE-E1", "HE-E2"]),
    ("county=110111", ["BJ-E1"]),
    ("county=131082", ["HE-E1"]),
    ("type=flood", ["BJ-E1", "HE-E1"]),
    ("stage=final", ["TJ-E1"]),
    ("status=open", ["BJ-E1", "HE-E1"]),
    ("status=cancelled", ["HE-E2"]),
    ("started_from=2026-07-01&started_to=2026-07-30", ["BJ-E1", "HE-E2"]),
    ("region=bj&type=wind_hail", []),
]


@pytest.mark.parametrize(("query", "expected"), DISASTER_FILTERS)
def test_disaster_list_filters(web, query: str, expected: list[str]) -> None:
    body = web.api("coord", f"/api/v1/disasters?{query}&sort=event_id").get_json()
    assert [e["event_id"] for e in body["items"]] == expected
    assert body["total"] == len(expected)


def test_disaster_list_shapes_figures_sorts_and_pages(web) -> None:
    body = web.api("coord", "/api/v1/disasters?sort=-started_on&per_page=2&page=1").get_json()
    assert [e["event_id"] for e in body["items"]] == ["HE-E1", "BJ-E1"]
    assert (body["total"], body["page"], body["per_page"], body["sort"]) == (4, 1, 2, "-started_on")
    bj = body["items"][1]
    assert (bj["affected_population"], bj["relocated_realtime"], bj["counties"]) == (12850, 450, ["110109", "110111"])
    page2 = web.api("coord", "/api/v1/disasters?sort=-started_on&per_page=2&page=2").get_json()
    assert [e["event_id"] for e in page2["items"]] == ["HE-E2", "TJ-E1"]


@pytest.mark.parametrize("query", ["sort=payload", "sort=-password", "per_page=501", "page=0", "region=xx",
                                   "county=11011", "type=meteor", "format=pdf", "started_from=yesterday"])
def test_bad_arguments_are_422_in_the_error_shape(web, query: str) -> None:
    resp = web.api("coord", f"/api/v1/disasters?{query}")
    assert resp.status_code == 422
    body = resp.get_json()
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert "errors" in body


def test_event_detail_has_history_counties_and_the_walking_skeleton_fields(web) -> None:
    e = web.api("coord", "/api/v1/disasters/bj/BJ-E1").get_json()
    assert {k: e[k] for k in ("region", "event_id", "stage", "revision", "status")} == \
        {"region": "bj", "event_id": "BJ-E1", "stage": "update", "revision": 2, "status": "open"}
    assert [(h["stage"], h["revision"]) for h in e["history"]] == [("initial", 1), ("update", 2)]
    assert e["current"] == {"event_id": "BJ-E1", "revision": 2, "stage": "update"}
    assert [(c["code"], c["affected_population"]) for c in e["counties"]] == [("110109", 2850), ("110111", 10000)]


def test_unknown_event_is_404_in_the_error_shape(web) -> None:
    resp = web.api("coord", "/api/v1/disasters/bj/NOPE")
    assert resp.status_code == 404
    assert resp.get_json()["code"] == 404


def test_overview_totals_exclude_cancelled_events(web) -> None:
    ov = web.api("coord", "/api/v1/overview").get_json()
    by = {r["region"]: r for r in ov["regions"]}
    assert (by["bj"]["affected_population"], by["he"]["affected_population"], by["tj"]["affected_population"]) == \
        (12850, 5000, 700)
    assert (ov["total"]["events"], ov["total"]["open_events"], ov["total"]["affected_population"],
            ov["total"]["deaths"], ov["total"]["missing"], ov["total"]["relocated_realtime"]) == (3, 2, 18550, 2, 1, 750)
    assert by["bj"]["needs"] == {"folding_bed": 450, "quilt": 450, "tent_single": 100}
    assert by["bj"]["stock"] == {"quilt": 2000, "tent_single": 50}


def test_map_gives_affected_population_per_county(web) -> None:
    m = web.api("coord", "/api/v1/map").get_json()
    assert m["counties"] == [{"code": "110109", "affected_population": 2850},
                             {"code": "110111", "affected_population": 10000},
                             {"code": "120114", "affected_population": 700},
                             {"code": "131082", "affected_population": 5000}]


RELIEF = [
    ("/api/v1/relief/stock?sort=item", [("BJ-D1", "quilt"), ("HE-D1", "quilt"), ("BJ-D1", "tent_single")]),
    ("/api/v1/relief/stock?region=he", [("HE-D1", "quilt")]),
    ("/api/v1/relief/stock?tier=province&sort=-available", [("BJ-D1", "quilt"), ("BJ-D1", "tent_single")]),
    ("/api/v1/relief/stock?item=tent_single", [("BJ-D1", "tent_single")]),
]


@pytest.mark.parametrize(("path", "expected"), RELIEF)
def test_stock_filters(web, path: str, expected: list) -> None:
    items = web.api("coord", path).get_json()["items"]
    assert [(i["depot_id"], i["item"]) for i in items] == expected


def test_shortfalls_are_needs_of_open_events_above_stock(web) -> None:
    body = web.api("coord", "/api/v1/relief/shortfalls").get_json()
    assert [(s["region"], s["item"], s["need"], s["available"], s["shortfall"]) for s in body["items"]] == [
        ("bj", "folding_bed", 450, 0, 450), ("bj", "tent_single", 100, 50, 50),
        ("he", "folding_bed", 300, 0, 300), ("he", "quilt", 300, 100, 200), ("he", "tent_single", 67, 0, 67)]
    assert web.api("coord", "/api/v1/relief/shortfalls?region=he&item=quilt").get_json()["total"] == 1


CASES = [
    ("/api/v1/verifications", ["V1", "V2"]),
    ("/api/v1/verifications?overdue=true", ["V1"]),
    ("/api/v1/verifications?overdue=false", ["V2"]),
    ("/api/v1/verifications?status=complete", ["V2"]),
    ("/api/v1/verifications?region=bj", ["V1"]),
    ("/api/v1/referrals?sort=sent_at", ["R1", "R2"]),
    ("/api/v1/referrals?overdue=true", ["R1"]),
    ("/api/v1/referrals?from_region=he", ["R2"]),
    ("/api/v1/referrals?state=sent&to_region=bj", ["R1"]),
]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_verification_and_referral_queues(web, path: str, expected: list[str]) -> None:
    items = web.api("coord", path).get_json()["items"]
    assert [i.get("request_id") or i.get("referral_id") for i in items] == expected


def test_overdue_flags_are_in_the_rows(web) -> None:
    v = web.api("coord", "/api/v1/verifications?region=bj").get_json()["items"][0]
    assert (v["overdue"], v["missing"], v["expected"], v["answered"]) == (True, 1, 4, 1)


ELDERCARE = [
    ("coord", "/api/v1/eldercare/claims", [("C-CY-1", 2, 60000), ("C-XC-1", 3, 150000)]),
    ("coord", "/api/v1/eldercare/claims?payer_district=110102", [("C-XC-1", 3, 150000)]),
    ("coord", "/api/v1/eldercare/claims?period=2026-05", []),
    ("xicheng", "/api/v1/eldercare/claims", [("C-XC-1", 3, 150000)]),
    ("xicheng", "/api/v1/eldercare/claims?payer_district=110105", []),  # never another district's
]


@pytest.mark.parametrize(("user", "path", "expected"), ELDERCARE)
def test_claims_per_district_and_period(web, user: str, path: str, expected: list) -> None:
    items = web.api(user, path).get_json()["items"]
    assert [(c["claim_id"], c["line_count"], c["claimed_fen"]) for c in items] == expected


def test_adjudications_and_statements(web) -> None:
    adj = web.api("coord", "/api/v1/eldercare/adjudications?claim_id=C-CY-1").get_json()
    assert [(a["line_id"], a["payable_fen"], a["accepted"]) for a in adj["items"]] == \
        [("C-CY-1-L1", 30000, True), ("C-CY-1-L2", 30000, True)]
    st = web.api("coord", "/api/v1/eldercare/statements?status=issued").get_json()
    assert [(s["statement_id"], s["total_fen"], s["status"]) for s in st["items"]] == \
        [("S-CY-1", 60000, "issued"), ("S-XC-1", 150000, "issued")]
    mine = web.api("chaoyang", "/api/v1/eldercare/statements").get_json()
    assert [s["statement_id"] for s in mine["items"]] == ["S-CY-1"]


def test_statement_detail_shows_only_a_pseudonym_tail(web) -> None:
    st = web.api("xicheng", "/api/v1/eldercare/statements/S-XC-1").get_json()
    assert [(x["line_id"], x["amount_fen"]) for x in st["lines"]] == \
        [("C-XC-1-L1", 50000), ("C-XC-1-L2", 50000), ("C-XC-1-L3", 50000)]
    assert all(x["elder"].startswith("…") and len(x["elder"]) == 9 for x in st["lines"])


def test_regions_rejections_and_dead_letters(web) -> None:
    regions = {r["region"]: r for r in web.api("coord", "/api/v1/regions").get_json()["items"]}
    bj = regions["bj"]
    assert (bj["outbox_depth"], bj["accepted"], bj["rejected"], bj["rejections"], bj["dead_letters"]) == \
        (3, 2, 1, {"400": 1}, 1)
    assert regions["he"]["rejections"] == {"410": 1} and regions["tj"]["last_heartbeat_at"] is None
    rej = web.api("admin", "/api/v1/rejections").get_json()["items"]
    assert [(r["region"], r["code"], r["count"]) for r in rej] == [("bj", 400, 1), ("he", 410, 1)]
    dl = web.api("admin", "/api/v1/dead-letters?sort=id").get_json()["items"]
    assert [(d["region"], d["code"]) for d in dl] == [("bj", 400), ("he", 410)]


def test_totals_are_exact_up_to_the_cap_then_a_lower_bound(web, monkeypatch) -> None:  # noqa: ANN001
    """Counting stops at COUNT_CAP rows (a million-row count costs more than the page): past it ``total`` is the cap
    and ``total_exact`` false; at or under it the exact count."""
    from hub.entrypoints.web import listing

    whole = web.api("coord", "/api/v1/disasters").get_json()
    assert (whole["total"], whole["total_exact"]) == (4, True)
    monkeypatch.setattr(listing, "COUNT_CAP", 4)
    body = web.api("coord", "/api/v1/disasters").get_json()
    assert (body["total"], body["total_exact"]) == (4, True)
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    body = web.api("coord", "/api/v1/disasters?per_page=2&page=2").get_json()
    assert (body["total"], body["total_exact"], len(body["items"])) == (3, False, 2)
