"""Beijing's native JSON formats for every kind it sends: samples, references, exact located errors, HTTP intake."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import schemas
from adapters.core import store
from adapters.core.intake import create_intake_app
from adapters.core.pipeline import Ready, read_file, run
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import region
from jjj.config import Settings
from tests.adapters.conftest import ROOT, context, sample

BJ = region("bj")
#: computed by the hub (adjudication inside routed requests, statements as notices), or by the adapter itself
NOT_FROM_THE_PLATFORM = {"eldercare.adjudication", "eldercare.statement", "heartbeat.heartbeat"}
#: new native format → its sample (file-name detection must pick the format)
SAMPLES = {
    "disaster_correction": "disaster_correction.json", "disaster_cancel": "disaster_cancel.json",
    "stock_movement": "stock_movement.jsonl", "support_request": "support_request.json",
    "commitment": "commitment.json", "decline": "decline.json", "dispatch": "dispatch.json",
    "receipt": "receipt.json", "verification_response": "verification_response.json", "referral": "referral.json",
    "referral_acceptance": "referral_acceptance.json", "referral_rejection": "referral_rejection.json",
    "referral_progress": "referral_progress.json", "referral_closure": "referral_closure.json",
    "eldercare_claim": "eldercare_claim.json", "statement_confirmation": "statement_confirmation.json",
    "statement_dispute": "statement_dispute.json", "subsidy_payment": "subsidy_payment.json",
}
REPORT_ID, CORRECTION_ID, ACCEPT_ID = "01K1AAAAAAAAAAAAAAAAAAAAAA", "01K1BBBBBBBBBBBBBBBBBBBBBB", "01K1CCCCCCCCCCCCCCCCCCCCCC"


def doc(name: str) -> object:
    return json.loads(sample("beijing", name).read_text(encoding="utf-8"))


def results(fmt: str, body: object, hasher, tmp_path: Path, last=lambda kind, key: None) -> list:  # noqa: ANN001
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    f = BJ.formats[fmt]
    rt = AdapterRuntime("bj", Settings(state_dir=Path("/nonexistent")), system_id=BJ.system_id)
    return list(run(f, read_file(f, path), context(BJ, hasher, last), rt.envelope))


def errors(res: list) -> list[str]:
    return [str(r.error) for r in res if not isinstance(r, Ready)]


def test_every_kind_the_platform_sends_has_a_native_beijing_format() -> None:
    sent = {k for k, spec in schemas.KINDS.items() if spec.family != "hub"} - NOT_FROM_THE_PLATFORM
    native = {k for name, f in BJ.formats.items() if name != "canonical" for k in f.kinds}
    assert native == sent
    assert all(f.http for f in BJ.formats.values())


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_a_sample_is_detected_by_name_and_maps_with_its_quoted_references(fmt: str, hasher, tmp_path) -> None:  # noqa: ANN001
    path = sample("beijing", SAMPLES[fmt])
    assert BJ.format_for(path).name == fmt
    f = BJ.formats[fmt]
    rt = AdapterRuntime("bj", Settings(state_dir=Path("/nonexistent")), system_id=BJ.system_id)
    res = list(run(f, read_file(f, path), context(BJ, hasher), rt.envelope))
    assert res and all(isinstance(r, Ready) and r.item.kind == f.kinds[0] for r in res), errors(res)
    body = doc(SAMPLES[fmt]) if path.suffix == ".json" else {}
    quoted = body.get("回复消息编号") or body.get("原报告消息编号") if isinstance(body, dict) else None
    assert [r.item.references for r in res][0] == ((quoted,) if quoted else ())


def test_no_id_number_or_plain_name_leaves_the_adapter(hasher, tmp_path) -> None:  # noqa: ANN001
    for fmt, name in SAMPLES.items():
        text = json.dumps([r.item.payload for r in results(fmt, doc(name) if name.endswith(".json") else [
            json.loads(x) for x in sample("beijing", name).read_text(encoding="utf-8").splitlines()], hasher, tmp_path)],
            ensure_ascii=False)
        for secret in ("130682197805210047", "120114195203080041", "120104198803150024", "110111196503120010",
                       "刘桂芳", "杨振华", "马德成", "李建国", "王磊", "孙立新"):
            assert secret not in text, (fmt, secret)


def test_money_in_yuan_becomes_fen_and_claim_totals_are_derived_when_not_given(hasher, tmp_path) -> None:  # noqa: ANN001
    first, second = (r.item.payload for r in results("eldercare_claim", doc("eldercare_claim.json"), hasher, tmp_path))
    assert [ln["amount_fen"] for ln in first["lines"]] == [60_000, 55_000, 6_452]
    assert (first["line_count"], first["total_fen"]) == (3, 121_452)          # stated 1214.52 元, checked
    assert (second["line_count"], second["total_fen"]) == (1, 30_000)         # not stated: derived
    assert (second["facility_region"], second["payer_district_code"], first["facility"]["unit_code"]) == (
        "bj", "131082", "110115")                                                # 京-12 大兴区
    assert first["lines"][0]["elder_ref"] == hasher.person_ref("120114195203080041")
    [pay] = results("subsidy_payment", doc("subsidy_payment.json"), hasher, tmp_path)
    assert (pay.item.payload["amount_fen"], pay.item.payload["payer_code"]) == (1_600_000, "110102")
    [ref] = results("referral", doc("referral.json"), hasher, tmp_path)
    assert (ref.item.payload["first_aid_fen"], ref.item.payload["masked_name"]) == (300_000, "刘*芳")


def test_ledger_entries_keep_their_sign_only_for_stock_count_adjustments(hasher, tmp_path) -> None:  # noqa: ANN001
    lines = [json.loads(x) for x in sample("beijing", "stock_movement.jsonl").read_text(encoding="utf-8").splitlines()]
    got = [(r.item.payload["movement_type"], r.item.payload["quantity"], r.item.payload["balance_after"])
           for r in results("stock_movement", lines, hasher, tmp_path)]
    assert got == [("outbound", 1500, 2700), ("outbound", 10000, 8000), ("transfer_in", 800, 5800),
                   ("scrap", 12, 2688), ("adjustment", -3, 7997)]


def test_receipt_lines_default_in_transit_and_discrepancy_to_zero(hasher, tmp_path) -> None:  # noqa: ANN001
    [r] = results("receipt", doc("receipt.json"), hasher, tmp_path)
    assert [(ln["received"], ln["in_transit"], ln["discrepancy"]) for ln in r.item.payload["lines"]] == [
        (1200, 0, 0), (2400, 600, 0), (1985, 0, 15)]


def _without(name: str, field: str) -> dict:
    d = doc(name)
    del d[field]
    return d


LAST = {("disaster.report", "BJ-2026-0730-FS01"): REPORT_ID, ("disaster.report", "BJ-2026-0730-MTG02"): REPORT_ID,
        ("referral.acceptance", "TJ-JJN-2026-WQ-0031"): ACCEPT_ID}
LAST_WITH_CORRECTION = {**LAST, ("disaster.correction", "BJ-2026-0730-FS01"): CORRECTION_ID}


@pytest.mark.parametrize(("fmt", "body", "last", "refs"), [
    ("disaster_correction", _without("disaster_correction.json", "原报告消息编号"), LAST, (REPORT_ID,)),
    ("disaster_correction", _without("disaster_correction.json", "原报告消息编号"), LAST_WITH_CORRECTION,
     (CORRECTION_ID,)),
    ("disaster_cancel", _without("disaster_cancel.json", "原报告消息编号"), LAST, (REPORT_ID,)),
    ("referral_progress", _without("referral_progress.json", "回复消息编号"), LAST, (ACCEPT_ID,)),
    ("referral_closure", _without("referral_closure.json", "回复消息编号"), LAST, (ACCEPT_ID,)),
    ("commitment", {**doc("commitment.json"), "回复消息编号": [REPORT_ID, ACCEPT_ID]}, {}, (REPORT_ID, ACCEPT_ID)),
])
def test_references_not_quoted_are_this_adapters_own_last_message(fmt, body, last, refs, hasher, tmp_path) -> None:  # noqa: ANN001
    [r] = results(fmt, body, hasher, tmp_path, lambda kind, key: last.get((kind, key)))
    assert r.item.references == refs


def _set(name: str, path: tuple, value: object) -> object:
    d = doc(name)
    node = d
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return d


MALFORMED = [
    # missing fields
    ("commitment", _without("commitment.json", "承诺编号"), "doc.json:$: 承诺编号 (commitment_id): required field is missing or empty"),
    ("commitment", _without("commitment.json", "回复消息编号"),
     "doc.json:$: 回复消息编号 (references): required: the id of the hub message this answers (GET /deliveries)"),
    ("disaster_cancel", _without("disaster_cancel.json", "原报告消息编号"),
     "doc.json:$: 原报告消息编号 (references): not given, and this adapter sent no earlier message about event_id "
     "BJ-2026-0730-MTG02"),
    ("dispatch", _set("dispatch.json", ("收货联系人", "电话"), " "),
     "doc.json:$: 收货联系人.电话 (receiver_contact.phone): required field is missing or empty"),
    # bad codes
    ("support_request", _set("support_request.json", ("请求单位",), "京-99"),
     "doc.json:$: 请求单位 (requesting_unit_code): unknown Beijing district number '京-99'"),
    ("decline", _set("decline.json", ("婉拒原因",), "没空"), "doc.json:$: 婉拒原因 (reason_code): unknown decline reason '没空'"),
    ("dispatch", _set("dispatch.json", ("接收单位",), "涿州市"),
     "doc.json:$: 接收单位 (receiving_unit_code): '涿州市' is neither a 京-xx district number nor a 6-digit division code"),
    ("verification_response", _set("verification_response.json", ("核对结果", 1, "项目结果", 0, "结论"), "不详"),
     "doc.json:$: 核对结果[1].项目结果[0].结论 (results[1].items[0].outcome): unknown verification outcome '不详'"),
    # bad ID check digits
    ("referral", _set("referral.json", ("身份证号",), "130682197805210048"),
     "doc.json:$: 身份证号 (person_ref): check digit is 8, expected 7"),
    ("eldercare_claim", _set("eldercare_claim.json", (1, "明细", 0, "身份证号"), "131082194406170031"),
     "doc.json:$[1]: 明细[0].身份证号 (lines[0].elder_ref): check digit is 1, expected 8"),
    # negative quantities
    ("support_request", _set("support_request.json", ("物资明细", 1, "数量"), -5),
     "doc.json:$: 物资明细[1].数量 (lines[1].quantity): count -5 is negative"),
    ("stock_movement", {**json.loads(sample("beijing", "stock_movement.jsonl").read_text(encoding="utf-8")
                                     .splitlines()[0]), "数量": -200},
     "doc.json:$: 数量 (quantity): count -200 is negative (only 盘点调整 may be)"),
    # 元 with more than two decimals
    ("eldercare_claim", _set("eldercare_claim.json", (0, "明细", 2, "申报金额（元）"), "64.525"),
     "doc.json:$[0]: 明细[2].申报金额（元） (lines[2].amount_fen): 64.525 元 has more than two decimals"),
    ("subsidy_payment", _set("subsidy_payment.json", ("支付金额（元）",), 12.345),
     "doc.json:$: 支付金额（元） (amount_fen): 12.345 元 has more than two decimals"),
    ("referral_progress", _set("referral_progress.json", ("救助金额（元）",), "-5000"),
     "doc.json:$: 救助金额（元） (amount_fen): amount -5000 元 is negative"),
    # shapes, several problems at once, and the contract's own rules named by the native field
    ("commitment", {**doc("commitment.json"), "物资明细": 3, "联系人": None},
     "doc.json:$: 物资明细 (lines): must be a list, not a number; 联系人 (contact): required field is missing or empty"),
    ("support_request", _set("support_request.json", ("物资明细", 2, "物资名称"), "帐篷"),
     "doc.json:$: 物资明细[2].物资名称 (lines[2].item_code): unknown relief item '帐篷'"),
    ("receipt", _set("receipt.json", ("物资明细", 2, "差异数量"), 10),
     "doc.json:$: 物资明细[].发运数量 (payload.lines[2].shipped): shipped must equal received + in_transit + discrepancy."),
    ("commitment", {**doc("commitment.json"), "回复消息编号": "not-a-ulid"},
     "doc.json:$: 回复消息编号 (references[0]): Not a message id (26-character ULID in Crockford base32)."),
    ("disaster_correction", _set("disaster_correction.json", ("核减说明", 0, "指标"), "倒房"),
     "doc.json:$: 核减说明[0].指标 (decreases[0].indicator): unknown indicator '倒房'"),
    ("verification_response", _set("verification_response.json", ("核对结果", 0, "项目结果", 4, "摘要"),
                                    {"月收入（元）": "100"}),
     "doc.json:$: 核对结果[].项目结果[].摘要 (payload.results[0].items[4].summary): Deposits are answered only as "
     "over_threshold with threshold_fen, never balances."),
    ("statement_confirmation", [None], "doc.json:$[0]: $: must be an object, not null"),
    ("decline", {**doc("decline.json"), "请求编号": 1.5, "情况说明": ["x"]},
     "doc.json:$: 请求编号 (request_id): must be a text, not a decimal number; 情况说明 (reason): must be a text, not a list"),
]


@pytest.mark.parametrize(("fmt", "body", "expected"), MALFORMED, ids=[f"{m[0]}-{i}" for i, m in enumerate(MALFORMED)])
def test_malformed_input_gets_one_exact_located_error(fmt: str, body: object, expected: str, hasher, tmp_path) -> None:  # noqa: ANN001
    assert errors(results(fmt, body, hasher, tmp_path)) == [expected]


@pytest.fixture
def client_rt(make_runtime, hasher, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("JJJ_BJ_INTAKE_TOKEN", "bj-token")
    rt = make_runtime("bj")
    return create_intake_app(rt, BJ, context(BJ, hasher, rt.last_message_id)).test_client(), rt


H = {"X-JJJ-Token": "bj-token"}


def _outbox(rt) -> list[tuple[str, str, list]]:  # noqa: ANN001
    with rt.engine.connect() as conn:
        rows = conn.execute(select(store.outbox.c.message_id, store.outbox.c.kind, store.outbox.c.value)
                            .order_by(store.outbox.c.seq)).all()
    return [(m, k, json.loads(v)["references"]) for m, k, v in rows]


def test_a_correction_and_a_cancel_posted_to_the_intake_reference_what_they_change(client_rt) -> None:  # noqa: ANN001
    client, rt = client_rt
    post = lambda fmt, body: client.post(f"/intake/{fmt}", json=body, headers=H)  # noqa: E731
    assert post("disaster_report", doc("disaster_report.json")).status_code == 202
    resp = post("disaster_correction", _without("disaster_correction.json", "原报告消息编号"))
    assert resp.status_code == 202, resp.get_json()
    cancel = {"灾情编号": "BJ-2026-0730-FS01", "撤销原因": "录入错误", "撤销说明": "测试数据误报"}
    assert post("disaster_cancel", cancel).status_code == 202
    (report, k1, r1), (correction, k2, r2), (_, k3, r3) = _outbox(rt)
    assert (k1, k2, k3) == ("disaster.report@1.0", "disaster.correction@1.0", "disaster.cancel@1.0")
    assert (r1, r2, r3) == ([], [report], [correction])
    assert resp.get_json()["accepted"] == [correction]


def test_a_bad_native_push_is_400_with_the_located_error_and_stores_nothing(client_rt) -> None:  # noqa: ANN001
    client, rt = client_rt
    resp = client.post("/intake/referral", json=_set("referral.json", ("身份证号",), "130682197805210048"), headers=H)
    assert resp.status_code == 400
    assert [e["text"] for e in resp.get_json()["errors"]] == [
        "http:referral:$: 身份证号 (person_ref): check digit is 8, expected 7"]
    assert _outbox(rt) == []


HUB_ORDER = ["disaster_report.json", "disaster_report_update.json", "disaster_correction.json",
             "disaster_cancel.json", "stock_snapshot.json", "stock_movement.jsonl", "support_request.json",
             "commitment.json", "decline.json", "dispatch.json", "receipt.json", "verification_request.json",
             "verification_response.json", "referral.json", "referral_acceptance.json", "referral_rejection.json",
             "referral_progress.json", "referral_closure.json", "eldercare_enrolment.json", "entitlement_table.json",
             "eldercare_claim.json", "statement_confirmation.json", "statement_dispute.json", "subsidy_payment.json"]


def test_the_hub_takes_every_beijing_document(database_url: str, keys_dir: Path, hasher) -> None:  # noqa: ANN001
    from datetime import UTC, datetime

    from hub.infrastructure import tables
    from hub.services import audit
    from jjj.db import make_engine
    from tests.hub.services.conftest import Hub

    engine = make_engine(database_url)
    tables.create_all(engine)
    audit.create_tables(engine)
    try:
        hub = Hub(engine, keys_dir)
        hub.now = datetime.now(UTC)
        codes = {}
        for name in HUB_ORDER:
            f = BJ.format_for(sample("beijing", name))
            rt = AdapterRuntime("bj", Settings(state_dir=Path("/nonexistent")), system_id=BJ.system_id)
            msgs = [json.loads(r.message.value) for r in run(f, read_file(f, sample("beijing", name)),
                                                              context(BJ, hasher), rt.envelope)]
            codes[name] = hub.feed(*msgs).codes
        reasons = [(r["payload"]["code"], r["payload"].get("rule"), r["payload"].get("reason"))
                   for r in hub.outbox("hub.receipt") if r["payload"]["code"] != 100]
    finally:
        engine.dispose()
    # everything is taken; the settlement answers name statements this fresh hub has not issued
    assert set(HUB_ORDER) == {p.name for p in (ROOT / "adapters" / "beijing" / "samples").iterdir()} - {"canonical_commitment.json"}
    assert codes == {name: {100: {"stock_movement.jsonl": 5, "eldercare_enrolment.json": 2,
                                  "eldercare_claim.json": 2}.get(name, 1)} for name in HUB_ORDER[:-3]} | {
        name: {420: 1} for name in HUB_ORDER[-3:]}
    assert [(code, rule) for code, rule, _ in reasons] == [(420, "settlement.unknown_statement")] * 3


def test_formats_and_convert_commands(tmp_path: Path, person_key: Path, monkeypatch) -> None:  # noqa: ANN001
    from jjj.commands.adapter_cmd import adapter_group

    out = CliRunner().invoke(adapter_group, ["beijing", "formats"])
    assert out.exit_code == 0
    assert [line.split()[0] for line in out.output.splitlines()] == list(BJ.formats)
    assert set(SAMPLES) < set(BJ.formats)
    monkeypatch.setenv("JJJ_STATE_DIR", str(tmp_path / "state"))
    f = tmp_path / "platform_push_0802.json"  # a name no pattern knows
    shutil.copy(sample("beijing", "decline.json"), f)
    out = CliRunner().invoke(adapter_group, ["beijing", "convert", str(f), "--format", "decline", "--payload-only"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output.splitlines()[0]) == {"kind": "relief.decline", "payload": {
        "request_id": "TJ-SR-20260802-01", "declining_region": "bj", "reason_code": "own_emergency",
        "reason": "北京市房山区、门头沟区洪涝灾害处置仍在进行，市级库折叠床、毛毯需保障本市安置点，暂无法支援。"}}
