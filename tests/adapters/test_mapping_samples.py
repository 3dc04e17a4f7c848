"""Every sample of every region maps to exactly the canonical output in tests/adapters/golden (reviewed by hand),
and the conversions that matter are spelled out below so a golden rewrite cannot hide a wrong unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.core.spec import regions
from tests.adapters.golden import HERE, outputs

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [(spec.code, p) for spec in regions().values()
           for p in sorted((ROOT / "adapters" / spec.package / "samples").iterdir())]


def test_every_region_ships_samples_for_disaster_reports_and_two_more_families() -> None:
    for spec in regions().values():
        families = {k.split(".")[0] for f in spec.formats.values() for k in f.kinds}
        assert "disaster" in families and len(families) >= 3, spec.code
        for f in spec.formats.values():
            assert any(f.matches(p) for code, p in SAMPLES if code == spec.code), f"{spec.code}:{f.name} has no sample"


@pytest.mark.parametrize(("code", "path"), SAMPLES, ids=[f"{c}:{p.name}" for c, p in SAMPLES])
def test_a_sample_maps_to_its_golden_canonical_output(code: str, path: Path, hasher) -> None:  # noqa: ANN001
    spec = regions()[code]
    expected = json.loads((HERE / spec.package / f"{path.name}.json").read_text(encoding="utf-8"))
    got = outputs(spec, path, hasher)
    assert got == expected
    assert all("rejected" not in o for o in got)


def _payloads(code: str, name: str, hasher) -> list[dict]:  # noqa: ANN001
    spec = regions()[code]
    return [o["payload"] for o in outputs(spec, ROOT / "adapters" / spec.package / "samples" / name, hasher)]


def test_tianjin_mu_become_hectares_and_yuan_become_wanyuan(hasher) -> None:  # noqa: ANN001
    first, hail, update = _payloads("tj", "disaster_2026-07-31.csv", hasher)
    assert first["totals"]["agriculture"] == {"crops_affected_ha": "840.00", "crops_damaged_ha": "290.00",
                                              "crops_lost_ha": "40.00"}  # 12600, 4350, 600 亩 ÷ 15
    assert first["totals"]["losses"] == {"total": "2580.00"}       # 25,800,000 元
    assert hail["totals"]["losses"] == {"total": "312.51"}         # 3,125,050 元 = 312.505 万元, half-up once
    assert first["reporting_unit_code"] == "120114"                # 武清区 by name
    assert update["name_list"] == {"held_by_unit_code": "120114", "missing": [],
                                   "deaths": [hasher.person_ref("120114194005050031")]}


def test_tianjin_claim_rows_group_into_claims_with_fen_totals(hasher) -> None:  # noqa: ANN001
    a, b = _payloads("tj", "claims_2026-08.csv", hasher)
    assert (a["claim_id"], a["payer_district_code"], a["line_count"], a["total_fen"]) == (
        "TJ-WQ-YL-202608-0021", "110105", 3, 100_000)
    assert [ln["amount_fen"] for ln in a["lines"]] == [40_000, 50_000, 10_000]
    assert a["lines"][0]["elder_ref"] == hasher.person_ref("110105194912310038")
    assert (b["claim_id"], b["payer_district_code"], b["total_fen"]) == ("TJ-WQ-YL-202608-0022", "110102", 60_000)


def test_csv_and_xlsx_ledgers_give_the_same_messages(hasher) -> None:  # noqa: ANN001
    assert _payloads("tj", "ledger_2026-07.csv", hasher) == _payloads("tj", "ledger_2026-07.xlsx", hasher)


def test_beijing_districts_money_and_persons(hasher) -> None:  # noqa: ANN001
    [initial] = _payloads("bj", "disaster_report.json", hasher)
    assert initial["reporting_unit_code"] == "110111"              # 京-08 房山区
    assert initial["totals"]["losses"] == {"total": "3865.20"}     # 38,652,000.00 元
    [update] = _payloads("bj", "disaster_report_update.json", hasher)
    assert [c["county_code"] for c in update["counties"]] == ["110111", "110109"]
    assert update["name_list"]["deaths"] == [hasher.person_ref("110111196503120010")]
    [table] = _payloads("bj", "entitlement_table.json", hasher)
    assert [r["rate_fen"] for r in table["rates"]] == [10_000, 50_000, 60_000, 50_000, 55_000]
    [req] = _payloads("bj", "verification_request.json", hasher)
    assert [s["masked_name"] for s in req["subjects"]] == ["陈*强", "周*"]
    assert "陈志强" not in json.dumps(req, ensure_ascii=False) and "110108195711030041" not in json.dumps(req)
    enrolments = _payloads("bj", "eldercare_enrolment.json", hasher)
    assert [(e["birth_month"], e["home_district_code"], e["facility_region"]) for e in enrolments] == [
        ("1936-08", "110102", "he"), ("1949-12", "110105", "tj")]


def test_hebei_statistical_codes_and_wanyuan(hasher) -> None:  # noqa: ANN001
    flood, gale = _payloads("he", "disaster_2026-08-01.xml", hasher)
    assert flood["reporting_unit_code"] == "130600"                # 130600000000
    assert [c["county_code"] for c in flood["counties"]] == ["130681", "130684"]
    assert flood["totals"]["losses"] == {"total": "18650.40"}
    assert gale["totals"]["losses"] == {"total": "86.50"}          # "86.5" 万元
    [cap] = _payloads("he", "cap_alert_2026-07-31.cap.xml", hasher)
    assert (cap["stage"], cap["revision"], cap["disaster_type"], cap["sub_type"], cap["reporting_unit_code"],
            cap["started_on"]) == ("initial", 1, "flood", "mountain_flood", "130623", "2026-07-31")
    claims = _payloads("he", "claims_2026-08.xml", hasher)
    assert [(c["claim_id"], c["total_fen"], c["line_count"]) for c in claims] == [
        ("HE-YJ-0007-202608-XC", 160_000, 3), ("HE-ZZ-0003-202608-FT", 30_000, 1)]
