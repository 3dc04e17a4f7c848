"""Every scenario step rendered natively maps back, through its region's real adapter format, to the step's
canonical message (the figures the expected end state is computed from); the native faults are refused at the
edge with a located error. Offline: no broker, no processes."""

from __future__ import annotations

import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.core.persons import Persons
from adapters.core.pipeline import Ready, run
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import MapContext, Rejected, regions
from jjj.config import Settings
from jjj.demo import native, scenario
from schemas.person import PersonRefHasher

HASHER = PersonRefHasher({"k1": b"k" * 40}, "k1")
REF = scenario.RecordingRef(HASHER)
STEPS = scenario.build(REF)
NATIVE = [s for s in STEPS if (not s.fault or s.fault == "native") and not s.kind.startswith("demo.")]
#: what a native export has no field for (left out of the comparison; see docs/demo.md "Native intakes")
LOST = {"bj": {"housing.severely_damaged.dwelling_rooms", "losses.housing_household", "losses.agriculture",
               "losses.industry_commerce", "losses.infrastructure", "losses.public_services", "losses.other"}}


def mapped(step, refs=("01J00000000000000000000000",)):  # noqa: ANN001, ANN201
    spec = regions()[step.region]
    out = native.render(step, REF.ids, tuple(refs))
    fmt = spec.formats[out.format]
    rt = AdapterRuntime(spec.code, Settings(state_dir=Path("/nonexistent")), system_id=spec.system_id)
    ctx = MapContext(spec.code, Persons(HASHER), spec.config)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (out.filename or f"{out.format}.json")
        path.write_bytes(out.body)
        if out.filename:
            assert spec.format_for(path).name == out.format  # the drop folder detects the format by name
        with open(path, "rb") as fh:
            return out, list(run(fmt, fmt.reader(fh, path.name, path), ctx, rt.envelope))


def people(p: dict) -> dict:
    return p["totals"]["people"]


@pytest.mark.parametrize("step", [s for s in NATIVE if not s.fault], ids=lambda s: s.step_id)
def test_a_step_rendered_natively_maps_back_to_its_canonical_message(step) -> None:  # noqa: ANN001
    out, results = mapped(step)
    assert [type(r) for r in results] == [Ready], [str(getattr(r, "error", "")) for r in results]
    got = results[0].item
    assert got.kind == step.kind
    exp = step.payload
    if step.kind == "disaster.report":
        assert {k: got.payload[k] for k in ("event_id", "stage", "revision", "reporting_unit_code")} == {
            k: exp[k] for k in ("event_id", "stage", "revision", "reporting_unit_code")}
        keys = ("affected", "deaths", "missing", "relocated_cumulative", "relocated_centralised")
        assert {k: people(got.payload)[k] for k in keys} == {k: people(exp)[k] for k in keys}
        assert got.payload.get("name_list") == exp.get("name_list")
        assert got.payload.get("decreases") == exp.get("decreases")  # 涞水's 核报 states why 受灾人口 fell
        if out.intake != "cap":
            assert got.payload["totals"]["losses"]["total"] == exp["totals"]["losses"]["total"]
            assert got.payload["totals"]["agriculture"]["crops_affected_ha"] == exp["totals"]["agriculture"][
                "crops_affected_ha"]
    else:
        assert got.payload == exp
    if step.refers_to:  # an answer quotes the hub message it answers in the native reply field
        assert got.references == ("01J00000000000000000000000",)
    assert out.intake == {"bj": "http", "tj": "file", "he": "cap" if step.native.get("cap") else "file"}[step.region]


def test_the_scenario_needs_no_generic_canonical_format() -> None:
    used = {(s.region, s.kind): native.render(s, REF.ids, ("01J00000000000000000000000",)).format for s in NATIVE}
    assert sorted(k for k, fmt in used.items() if fmt == "canonical") == []
    # every answer to a hub message goes through a native format of its region
    assert {used[(s.region, s.kind)] for s in NATIVE if s.refers_to} == {
        "commitment", "verification_response", "referral_acceptance", "referral_progress", "referral_closure",
        "confirmation", "dispute", "subsidy_payment"}


def test_the_native_faults_are_refused_by_the_adapters_with_a_located_error() -> None:
    faults = {s.step_id: s for s in NATIVE if s.fault == "native"}
    assert set(faults) == {"native/bj-unknown-district", "native/he-cap-forecast", "native/tj-bad-check-digit"}
    texts = {}
    for sid, step in faults.items():
        _, results = mapped(step)
        assert [type(r) for r in results] == [Rejected], sid
        texts[sid] = str(results[0].error)
    assert "填报单位 (reporting_unit_code): unknown Beijing district number '京-99'" in texts["native/bj-unknown-district"]
    assert "/alert/info[1]/certainty: certainty Likely" in texts["native/he-cap-forecast"]
    assert texts["native/tj-bad-check-digit"].startswith("claims_native_tj-bad-check-digit.csv:row 2: 身份证号 (elder_ref)")


def test_rendering_is_deterministic_so_a_redropped_file_has_the_same_sha256() -> None:
    again = scenario.RecordingRef(HASHER)
    steps = {s.step_id: s for s in scenario.build(again)}
    for s in NATIVE:
        assert native.render(s, REF.ids, ()).body == native.render(steps[s.step_id], again.ids, ()).body


def test_tianjin_files_are_gbk_and_beijing_pushes_chinese_field_names() -> None:
    tj = next(s for s in NATIVE if s.region == "tj" and s.kind == "disaster.report")
    body = native.render(tj, REF.ids).body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body.decode("gbk").startswith("灾情编号,灾种,")
    bj = next(s for s in NATIVE if s.region == "bj" and s.kind == "disaster.report" and not s.fault)
    doc = json.load(io.BytesIO(native.render(bj, REF.ids).body))
    assert doc["填报单位"] == "京-08" and Decimal(doc["直接经济损失"]) == Decimal(bj.payload["totals"]["losses"]["total"]) * 10_000
