"""Hebei's native XML for every kind it sends: formats registered and picked by file name, the CLI dry run, and
bad input refused with the exact located error (file, element path, field, reason)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.core.errors import FormatError
from adapters.core.pipeline import Ready
from adapters.core.spec import region
from schemas import KINDS
from tests.adapters.conftest import ROOT
from tests.adapters.test_malformed import errors, results

HE = region("he")
SAMPLES = ROOT / "adapters" / "hebei" / "samples"
#: kinds a region does not send: the hub's own, the adapter's heartbeat, and the two settlement kinds the hub
#: has no intake for (eldercare.adjudication: no handler; eldercare.statement: the hub issues statements)
NOT_SENT = {"heartbeat.heartbeat", "eldercare.adjudication", "eldercare.statement"}
SENT = sorted(k for k in KINDS if not k.startswith("hub.") and k not in NOT_SENT)

#: sample → (format picked by its file name, kinds of its messages)
BY_SAMPLE = {
    "correction_2026-08-20.xml": ("correction", ["disaster.correction"]),
    "cancel_2026-08-02.xml": ("cancel", ["disaster.cancel"] * 2),
    "movement_2026-07.xml": ("movement", ["relief.stock_movement"] * 5),
    "stock_2026-07-31.xml": ("stock", ["relief.stock_snapshot", "relief.stock_movement", "relief.stock_movement",
                                       "relief.stock_snapshot"]),
    "support_request_2026-07-31.xml": ("support_request", ["relief.support_request"]),
    "commitment_2026-08-05.xml": ("commitment", ["relief.commitment"]),
    "decline_2026-08-05.xml": ("decline", ["relief.decline"]),
    "dispatch_2026-08-05.xml": ("dispatch", ["relief.dispatch"] * 2),
    "receipt_2026-08-01.xml": ("receipt", ["relief.receipt"]),
    "verify_request_2026-08-10.xml": ("verification_request", ["verification.request"]),
    "verify_report_2026-08-12.xml": ("verification_response", ["verification.response"]),
    "referral_case_2026-08-03.xml": ("referral", ["referral.referral"]),
    "referral_accept_2026-08-02.xml": ("referral_acceptance", ["referral.acceptance"]),
    "referral_reject_2026-08-06.xml": ("referral_rejection", ["referral.rejection"]),
    "referral_progress_2026-08-04.xml": ("referral_progress", ["referral.progress"] * 2),
    "referral_close_2026-08-15.xml": ("referral_closure", ["referral.closure"]),
    "enrolment_2026-08.xml": ("enrolment", ["eldercare.enrolment"] * 2),
    "rates_2026.xml": ("entitlement_table", ["eldercare.entitlement_table"]),
    "confirmation_2026-09.xml": ("confirmation", ["eldercare.confirmation"]),
    "dispute_2026-09.xml": ("dispute", ["eldercare.dispute"]),
    "payment_2026-09.xml": ("payment", ["eldercare.payment"]),
}


def test_every_kind_a_region_sends_has_a_native_hebei_xml_format() -> None:
    native = {k for f in HE.formats.values() if f.name != "canonical" for k in f.kinds}
    assert sorted(set(SENT) - native) == []
    for f in HE.formats.values():
        if f.name != "canonical":
            assert any(p.endswith(".xml") for p in f.patterns), f.name


@pytest.mark.parametrize("name", sorted(BY_SAMPLE))
def test_a_sample_is_picked_by_its_file_name_and_gives_its_kinds(name: str, hasher) -> None:  # noqa: ANN001
    fmt, kinds = BY_SAMPLE[name]
    assert HE.format_for(SAMPLES / name).name == fmt
    res = results("he", SAMPLES / name, hasher)
    assert errors(res) == []
    assert [r.item.kind for r in res] == kinds


@pytest.mark.parametrize(("name", "fmt"), [
    ("核报更正_0820.xml", "correction"), ("事件撤销_0802.xml", "cancel"), ("出入库_2026-07.xml", "movement"),
    ("支援请求_1.xml", "support_request"), ("调拨单_1.xml", "dispatch"), ("核对报告_1.xml", "verification_response"),
    ("救急难转办_1.xml", "referral"), ("转办办结_1.xml", "referral_closure"), ("补贴标准_2026.xml", "entitlement_table"),
    ("补贴支付_09.xml", "payment"), ("cancel.cap.xml", "cap"), ("灾情_0801.xml", "disaster"),
])
def test_chinese_export_names_pick_one_format(name: str, fmt: str) -> None:
    assert HE.format_for(Path(name)).name == fmt


def test_no_id_number_or_unmasked_name_leaves_the_adapter(hasher) -> None:  # noqa: ANN001
    out = json.dumps([r.item.payload for name in BY_SAMPLE for r in results("he", SAMPLES / name, hasher)],
                     ensure_ascii=False)
    for secret in ("130681197806120039", "131082194103050020", "110105197001010038", "王建华", "李秀梅", "陈志刚",
                   "赵建军", "张伟"):
        assert secret not in out
    [req] = results("he", SAMPLES / "verify_request_2026-08-10.xml", hasher)
    assert [s["masked_name"] for s in req.item.payload["subjects"]] == ["王*华", "李*梅"]
    assert req.item.payload["subjects"][0]["person_ref"] == hasher.person_ref("130681197806120039")


def test_units_codes_and_references_of_the_samples(hasher) -> None:  # noqa: ANN001
    [pay] = results("he", SAMPLES / "payment_2026-09.xml", hasher)
    assert (pay.item.payload["amount_fen"], pay.item.payload["payer_code"]) == (40_000, "131082")  # 0.04 万元
    assert pay.item.references == ("01K3C4D5E6F7G8H9J0K1M2N3P6",)
    [rep] = results("he", SAMPLES / "verify_report_2026-08-12.xml", hasher)
    items = rep.item.payload["results"][0]["items"]
    assert items[3]["summary"] == {"over_threshold": False, "threshold_fen": 5_000_000, "as_of": "2026-07-31"}
    assert items[2]["summary"]["monthly_income_fen"] == 218_050
    enrol = [r.item.payload for r in results("he", SAMPLES / "enrolment_2026-08.xml", hasher)]
    assert [(e["birth_month"], e["home_district_code"], e["facility"]["unit_code"]) for e in enrol] == [
        ("1941-03", "131082", "110112"), ("1952-08", "130606", "120114")]
    [table] = results("he", SAMPLES / "rates_2026.xml", hasher)
    assert [(r["rate_fen"], r["effective_to"]) for r in table.item.payload["rates"]][:2] == [
        (8_000, "2026-06-30"), (10_000, None)]
    [corr] = results("he", SAMPLES / "correction_2026-08-20.xml", hasher)
    assert corr.item.payload["decreases"] == [{"indicator": "people.affected",
                                                "reason": "高碑店市受灾人口剔除与涿州市重复统计的务工人员320人"}]
    _, transfer, scrap, _ = results("he", SAMPLES / "stock_2026-07-31.xml", hasher)
    keys = ("movement_type", "quantity", "balance_after", "counterparty_depot_id", "reason")
    assert [tuple(m.item.payload.get(k) for k in keys) for m in (transfer, scrap)] == [
        ("transfer_out", 300, 1205, "HE-BD-ZZ-MT-01", "调拨至码头镇救灾物资储备点，保障集中安置"),
        ("scrap", 5, 1200, None, "搬运中支架断裂，经鉴定报废")]  # balance: the item's onHand unless stated
    assert [r.location for r in transfer.records] == ["/StockReport/Depot[2]/Item[1]/Decrease[1]"]
    moves = [r.item.payload for r in results("he", SAMPLES / "movement_2026-07.xml", hasher)]
    assert [(m["movement_type"], m["quantity"], "reason" in m) for m in moves] == [
        ("inbound", 3000, False), ("transfer_out", 400, True), ("scrap", 5, True), ("adjustment", -3, True),
        ("outbound", 800, True)]


def test_the_cli_lists_and_converts_the_formats(tmp_path: Path, person_key: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from jjj.cli import main

    monkeypatch.setenv("JJJ_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("JJJ_HE_DATABASE_URL", f"sqlite:///{tmp_path / 'he.db'}")
    listed = CliRunner().invoke(main, ["adapter", "hebei", "formats"])
    assert listed.exit_code == 0
    names = {line.split()[0] for line in listed.output.splitlines() if line.strip()}
    assert {fmt for fmt, _ in BY_SAMPLE.values()} <= names
    copy = tmp_path / "export.xml"  # a name no pattern knows: --format decides
    copy.write_bytes((SAMPLES / "dispatch_2026-08-05.xml").read_bytes())
    out = CliRunner().invoke(main, ["adapter", "hebei", "convert", str(copy), "--format", "dispatch", "--payload-only"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
    assert [(x["kind"], x["payload"]["ordered_via"]) for x in lines] == [("relief.dispatch", "written"),
                                                                           ("relief.dispatch", "phone")]


# ------------------------------------------------------------------ malformed input: exact located errors

def changed(tmp_path: Path, name: str, old: str, new: str, target: str | None = None) -> Path:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    assert old in text, old
    f = tmp_path / (target or name)
    f.write_text(text.replace(old, new), encoding="utf-8")  # every occurrence (an opening and its closing tag)
    return f


CASES = [
    # missing element
    ("commitment_2026-08-05.xml", "<ExpectedDispatch>2026-08-05T12:00:00+08:00</ExpectedDispatch>", "",
     "/Commitments/Commitment[1]: ExpectedDispatch (expected_dispatch_at): element is missing or empty"),
    ("support_request_2026-07-31.xml", "Contact>", "Kontakt>",
     "/SupportRequests/SupportRequest[1]: Kontakt: unknown element; Contact (contact): element is missing"),
    ("receipt_2026-08-01.xml", ' received="500"', "",
     "/Receipts/Receipt[1]: Lines/Line[1]@received (lines[0].received): attribute is missing or empty"),
    # bad 区划代码
    ("support_request_2026-07-31.xml", '<DeliveryPlace code="130681000000">', '<DeliveryPlace code="130681101000">',
     "/SupportRequests/SupportRequest[1]: DeliveryPlace@code (delivery_place.unit_code): 130681101000 is a "
     "township-level code, a county or prefecture code is needed"),
    ("enrolment_2026-08.xml", "<HomeDistrict>131082000000</HomeDistrict>", "<HomeDistrict>139999000000</HomeDistrict>",
     "/Enrolments/Enrolment[1]: HomeDistrict (home_district_code): unknown Hebei division code '139999000000'"),
    ("payment_2026-09.xml", 'payer="131082000000"', 'payer="110102000000"',
     "/Payments/Payment[1]: @payer (payer_code): unknown Hebei division code '110102000000'"),
    # bad ID check digit
    ("verify_request_2026-08-10.xml", "<IdNumber>130681198011230044</IdNumber>",
     "<IdNumber>130681198011230045</IdNumber>",
     "/CheckRequests/CheckRequest[1]: Subjects/Subject[2]/IdNumber (subjects[1].person_ref): check digit is 5, "
     "expected 4"),
    ("referral_case_2026-08-03.xml", "<IdNumber>110105197001010038</IdNumber>", "<IdNumber>11010519700101003</IdNumber>",
     "/Referrals/Referral[1]: IdNumber (person_ref): ID number must be 17 digits and a check digit or X"),
    # negative quantities
    ("movement_2026-07.xml", "<Quantity>800</Quantity>", "<Quantity>-800</Quantity>",
     "/Ledger/Movement[5]: Quantity (quantity): -800 is negative: only 盘点调整 may decrease by a negative quantity "
     "(出库/调出/报废 are positive quantities of their type)"),
    ("commitment_2026-08-05.xml", 'qty="500"', 'qty="-500"',
     "/Commitments/Commitment[1]: Lines/Line[2]@qty (lines[1].quantity): count -500 is negative"),
    # a decrease without its reason
    ("movement_2026-07.xml", "<Reason>超过储存年限，篷布老化破损，经鉴定报废</Reason>", "",
     "/Ledger/Movement[3]: Reason (reason): a 报废 decreases the stock and needs its reason"),
    ("stock_2026-07-31.xml", ">搬运中支架断裂，经鉴定报废</Decrease>", "></Decrease>",
     "/StockReport/Depot[2]/Item[1]/Decrease[2]: Item[1]/Decrease[2] (reason): a decrease of the stock needs its "
     "reason"),
    ("stock_2026-07-31.xml", ' to="HE-BD-ZZ-MT-01"', "",
     "/StockReport/Depot[2]/Item[1]/Decrease[1]: Item[1]/Decrease[1]@to (counterparty_depot_id): a 调出 names the "
     "receiving depot"),
    ("stock_2026-07-31.xml", 'type="调出" to="HE-BD-ZZ-MT-01"', 'type="丢失" lost="1"',
     "/StockReport/Depot[2]/Item[1]/Decrease[1]: Item[1]/Decrease[1]@lost: unknown attribute; "
     "Item[1]/Decrease[1]@type (movement_type): unknown decrease type '丢失'"),
    ("stock_2026-07-31.xml", 'qty="300"', 'qty="-300"',
     "/StockReport/Depot[2]/Item[1]/Decrease[1]: Item[1]/Decrease[1]@qty (quantity): count -300 is negative"),
    ("correction_2026-08-20.xml", "高碑店市受灾人口剔除与涿州市重复统计的务工人员320人</Decrease>", "</Decrease>",
     "/ZqCorrections/Correction[1]: Decreases/Decrease[1] (decreases.reason): a decrease needs its stated reason"),
    ("correction_2026-08-20.xml", 'indicator="Affected"', 'indicator="受灾人数"',
     "/ZqCorrections/Correction[1]: Decreases/Decrease[1]@indicator (decreases.indicator): unknown indicator '受灾人数'"),
    # 万元 with too many decimals
    ("correction_2026-08-20.xml", '<Loss unit="万元">18912.60</Loss>', '<Loss unit="万元">18912.605</Loss>',
     "/ZqCorrections/Correction[1]: Totals/Loss: 18912.605 万元 has more than two decimals"),
    ("payment_2026-09.xml", '<Amount unit="万元">0.04</Amount>', '<Amount unit="万元">0.0400001</Amount>',
     "/Payments/Payment[1]: Amount (amount_fen): 0.0400001 万元 has more than six decimals (less than one fen)"),
    ("confirmation_2026-09.xml", "<Amount>1600.00</Amount>", '<Amount unit="美元">1600.00</Amount>',
     "/Confirmations/Confirmation[1]: Amount (confirmed_fen): unit must be 元 or 万元, not 美元"),
    # unknown elements and attributes are refused by name, every problem of the record at once
    ("dispute_2026-09.xml", 'reason="错误拒付"', 'reason="错拒" priority="高"',
     "/Disputes/Dispute[1]: Line[1]@priority: unknown attribute; Line[1]@reason (lines[0].reason_code): unknown "
     "dispute reason '错拒'"),
    ("support_request_2026-07-31.xml", '<Line no="3" item="折叠床" unit="张" qty="3000"/>',
     '<Line no="3" item="折叠床" unit="张" qty="3000"/><Total qty="20500"/>',
     "/SupportRequests/SupportRequest[1]: Lines/Total: unknown element"),
    ("movement_2026-07.xml", "<Quantity>3000</Quantity>", "<Quantity>3000</Quantity><Quantity>300</Quantity>",
     "/Ledger/Movement[1]: Quantity: element appears 2 times, once expected"),
    ("confirmation_2026-09.xml", "<Amount>1600.00</Amount>", '<Amount currency="CNY">1600.00</Amount>',
     "/Confirmations/Confirmation[1]: Amount@currency: unknown attribute"),
    # code tables
    ("referral_reject_2026-08-06.xml", "<ReasonCode>非本地户籍</ReasonCode>", "<ReasonCode>外省户籍</ReasonCode>",
     "/Rejections/Rejection[1]: ReasonCode (reason_code): unknown rejection reason '外省户籍'"),
    # an answer needs the platform message it answers
    ("decline_2026-08-05.xml", "<ReplyTo>01K1T2V3W4X5Y6Z7A8B9C0D1E3</ReplyTo>", "",
     "/Declines/Decline[1]: ReplyTo (references): no <ReplyTo> (the platform message answered) and no earlier message "
     "of this adapter about it"),
    # the contract's own rules, named by the native field
    ("decline_2026-08-05.xml", "01K1T2V3W4X5Y6Z7A8B9C0D1E3", "HUB-MSG-42",
     "/Declines/Decline[1]: ReplyTo (references[0]): Not a message id (26-character ULID in Crockford base32)."),
    ("correction_2026-08-20.xml", "<CorrectsRevision>4</CorrectsRevision>", "<CorrectsRevision>5</CorrectsRevision>",
     "/ZqCorrections/Correction[1]: Revision (payload.revision): A correction's revision must be greater than the "
     "revision it corrects."),
    ("correction_2026-08-20.xml", "<Affected>17880</Affected>", "<Affected>17800</Affected>",
     "/ZqCorrections/Correction[1]: Totals/Affected (payload.totals.people.affected): Counties add up to 45900, not "
     "the total 45980."),
    ("cancel_2026-08-02.xml", "<MergedInto>HE-BD-2026-0731-003</MergedInto>", "",
     "/ZqCancels/Cancel[2]: MergedInto (payload.merged_into_event_id): merged_into_event_id is required exactly when "
     "reason_code is merged."),
    ("receipt_2026-08-01.xml", 'received="800" inTransit="200"', 'received="800" inTransit="100"',
     "/Receipts/Receipt[1]: Lines/Line@shipped (payload.lines[2].shipped): shipped must equal received + in_transit "
     "+ discrepancy."),
    ("dispatch_2026-08-05.xml", "<OrderedVia>电话</OrderedVia>", "<OrderedVia>书面</OrderedVia>",
     "/Dispatches/Dispatch[2]: WrittenConfirmationDue (payload.written_confirmation_due): A phone order needs "
     "written_confirmation_due (within 48 h); a written order has none."),
]


@pytest.mark.parametrize(("name", "old", "new", "error"), CASES, ids=[f"{c[0]}:{c[3][-40:]}" for c in CASES])
def test_bad_native_input_is_refused_with_its_location(tmp_path: Path, hasher, name, old, new, error) -> None:  # noqa: ANN001
    f = changed(tmp_path, name, old, new)
    res = results("he", f, hasher)
    assert errors(res) == [f"{name}:{error}"]


def test_a_report_states_the_reason_of_a_fallen_cumulative_figure(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = changed(tmp_path, "disaster_2026-08-01.xml", "<Narrative>拒马河",
                '<Decreases><Decrease indicator="Relocated">部分群众返回家中，转移安置累计数核减</Decrease>'
                '<Decrease indicator="CropAffectedHa">复核后剔除非受灾地块</Decrease></Decreases><Narrative>拒马河')
    flood, _ = results("he", f, hasher)
    assert flood.item.payload["decreases"] == [
        {"indicator": "people.relocated_cumulative", "reason": "部分群众返回家中，转移安置累计数核减"},
        {"indicator": "agriculture.crops_affected_ha", "reason": "复核后剔除非受灾地块"}]
    g = changed(tmp_path, "disaster_2026-08-01.xml", "<Narrative>拒马河",
                '<Decreases><Decrease indicator="Relocated"/><Reason/></Decreases><Narrative>拒马河')
    assert errors(results("he", g, hasher)) == [
        "disaster_2026-08-01.xml:/ZqReports/Report[1]: Decreases/Decrease[1] (decreases.reason): a decrease needs its "
        "stated reason; Decreases/Reason: unknown element"]


def test_a_bad_record_is_rejected_alone_and_the_next_goes_on(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = changed(tmp_path, "dispatch_2026-08-05.xml", "<ReceivingUnit>120114</ReceivingUnit>",
                "<ReceivingUnit>120199</ReceivingUnit>")
    res = results("he", f, hasher)
    assert errors(res) == ["dispatch_2026-08-05.xml:/Dispatches/Dispatch[1]: ReceivingUnit (receiving_unit_code): "
                           "unknown division code '120199'"]
    assert [r.item.payload["dispatch_id"] for r in res if isinstance(r, Ready)] == ["HE-DS-20260805-02"]


def test_broken_xml_stops_the_file_at_its_line_and_column(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = changed(tmp_path, "referral_progress_2026-08-04.xml", "<Step>已给予救助</Step>", "<Step>已给予救助</Stp>")
    seen = []
    with pytest.raises(FormatError) as exc:
        for r in results_iter("he", f, hasher):
            seen.append(r)
    assert str(exc.value) == ("referral_progress_2026-08-04.xml:line 13 column 17: broken XML: mismatched tag: "
                              "line 13, column 17")
    assert [r.item.payload["step"] for r in seen] == ["contacted"]  # the record before the fault stands


def results_iter(code: str, path: Path, hasher):  # noqa: ANN001, ANN201
    from adapters.core.pipeline import read_file, run
    from adapters.core.runtime import AdapterRuntime
    from jjj.config import Settings
    from tests.adapters.conftest import context

    spec = region(code)
    fmt = spec.format_for(path)
    rt = AdapterRuntime(spec.code, Settings(state_dir=Path("/nonexistent")), system_id=spec.system_id)
    yield from run(fmt, read_file(fmt, path), context(spec, hasher), rt.envelope)


def test_a_file_without_the_record_element_is_refused(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = tmp_path / "payment_empty.xml"
    f.write_text('<?xml version="1.0" encoding="UTF-8"?><Payments xmlns="http://mzt.hebei.gov.cn/ylbt/2024"/>',
                 encoding="utf-8")
    with pytest.raises(FormatError) as exc:
        results("he", f, hasher)
    assert str(exc.value) == "payment_empty.xml: no <Payment> element in the file"


@pytest.mark.parametrize(("old", "new", "error"), [
    ("<urgency>", "<magnitude>5.1</magnitude><urgency>", "/alert/info[1]/magnitude: unknown CAP 1.2 element"),
    ("<areaDesc>", "<areaCode>130623</areaCode><areaDesc>", "/alert/info[1]/area[1]/areaCode: unknown CAP 1.2 element"),
    ("<parameter><valueName>受灾人口</valueName>", "<parameter><valueName>受灾人口</valueName><unit>人</unit>",
     "/alert/info[1]/parameter[1]/unit: unknown CAP 1.2 element"),
    ('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
     '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns:he="urn:hebei:yj"><he:level>II</he:level>',
     "/alert/level: unknown CAP 1.2 element"),
])
def test_unknown_cap_fields_are_refused_by_path(tmp_path: Path, hasher, old, new, error) -> None:  # noqa: ANN001
    f = changed(tmp_path, "cap_alert_2026-07-31.cap.xml", old, new, "x.cap.xml")
    assert errors(results("he", f, hasher)) == [f"x.cap.xml:/alert: {error}"]


def test_steps_and_corrections_reference_our_own_earlier_message_when_the_export_has_no_reply_to(
        tmp_path: Path, hasher) -> None:  # noqa: ANN001
    acc, rep = "01K1G0000000000000000000AC", "01K1G0000000000000000000RP"
    table = {("referral.acceptance", "TJ-RF-20260801-01"): acc, ("disaster.report", "HE-BD-2026-0731-003"): rep}
    last = lambda kind, key: table.get((kind, key))  # noqa: E731
    f = changed(tmp_path, "referral_close_2026-08-15.xml", "<ReplyTo>01K1K8M9N0P1Q2R3S4T5V6W7X8</ReplyTo>", "")
    [r] = results("he", f, hasher, last=last)
    assert r.item.references == (acc,)
    g = changed(tmp_path, "correction_2026-08-20.xml", "<ReplyTo>01K1N7Q2R8S3T4V5W6X7Y8Z9A0</ReplyTo>", "")
    [r] = results("he", g, hasher, last=last)
    assert r.item.references == (rep,)
    assert errors(results("he", g, hasher)) == [
        "correction_2026-08-20.xml:/ZqCorrections/Correction[1]: ReplyTo (references): no <ReplyTo> and no report "
        "of event HE-BD-2026-0731-003 was sent by this adapter"]


def test_the_drop_folder_takes_every_export_by_its_name_and_answers_reference_our_outbox(
        make_runtime, hasher, tmp_path: Path) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from adapters.core import store
    from adapters.core.watch import scan_once
    from tests.adapters.conftest import context

    rt = make_runtime("he")
    ctx = context(HE, hasher, rt.last_message_id)
    folder = tmp_path / "drop"
    folder.mkdir()
    for name in BY_SAMPLE:
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    sizes: dict[Path, int] = {}
    assert scan_once(rt, HE, ctx, folder, sizes) == 0            # first seen: maybe still being written
    assert scan_once(rt, HE, ctx, folder, sizes) == len(BY_SAMPLE)
    assert sorted(p.name for p in (folder / "done").iterdir()) == sorted(BY_SAMPLE)
    assert not (folder / "failed").exists()
    with rt.engine.connect() as conn:
        rows = conn.execute(select(store.outbox.c.kind, store.outbox.c.message_id, store.outbox.c.value)
                            .order_by(store.outbox.c.seq)).all()
    assert sorted(r.kind.split("@")[0] for r in rows) == sorted(k for _, kinds in BY_SAMPLE.values() for k in kinds)
    # a later 办结 export without <ReplyTo>: it references our own last 进展 message about the referral
    (folder / "referral_close_late.xml").write_text(
        (SAMPLES / "referral_close_2026-08-15.xml").read_text(encoding="utf-8")
        .replace("<ReplyTo>01K1K8M9N0P1Q2R3S4T5V6W7X8</ReplyTo>", ""), encoding="utf-8")
    scan_once(rt, HE, ctx, folder, sizes)
    assert scan_once(rt, HE, ctx, folder, sizes) == 1
    last_progress = [r.message_id for r in rows if r.kind.startswith("referral.progress@")][-1]
    with rt.engine.connect() as conn:
        value = conn.execute(select(store.outbox.c.value).order_by(store.outbox.c.seq.desc()).limit(1)).scalar_one()
    msg = json.loads(value)
    assert (msg["kind"], msg["references"]) == ("referral.closure", [last_progress])


#: every Hebei sample in an order a real exchange could take (reports before corrections, requests before answers)
HUB_ORDER = ["disaster_2026-08-01.xml", "cap_alert_2026-07-31.cap.xml", "correction_2026-08-20.xml",
             "cancel_2026-08-02.xml", "stock_2026-07-31.xml", "movement_2026-07.xml", "support_request_2026-07-31.xml",
             "commitment_2026-08-05.xml", "decline_2026-08-05.xml", "dispatch_2026-08-05.xml", "receipt_2026-08-01.xml",
             "verify_request_2026-08-10.xml", "verify_report_2026-08-12.xml", "referral_case_2026-08-03.xml",
             "referral_accept_2026-08-02.xml", "referral_reject_2026-08-06.xml", "referral_progress_2026-08-04.xml",
             "referral_close_2026-08-15.xml", "enrolment_2026-08.xml", "rates_2026.xml", "claims_2026-08.xml",
             "confirmation_2026-09.xml", "dispute_2026-09.xml", "payment_2026-09.xml"]


def test_the_hub_takes_every_hebei_document(database_url: str, keys_dir: Path, hasher) -> None:  # noqa: ANN001
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
            msgs = [json.loads(r.message.value) for r in results_iter("he", SAMPLES / name, hasher)]
            codes[name] = hub.feed(*msgs).codes
        refused = [(r["payload"]["code"], r["payload"].get("rule"), r["payload"].get("reason"))
                   for r in hub.outbox("hub.receipt") if r["payload"]["code"] != 100]
    finally:
        engine.dispose()
    assert set(HUB_ORDER) == {p.name for p in SAMPLES.iterdir()} - {"canonical_receipt.json"}
    counts = {"cancel_2026-08-02.xml": 2, "stock_2026-07-31.xml": 4, "movement_2026-07.xml": 5,
              "dispatch_2026-08-05.xml": 2, "referral_progress_2026-08-04.xml": 2, "enrolment_2026-08.xml": 2,
              "disaster_2026-08-01.xml": 2, "claims_2026-08.xml": 2}
    assert codes == {name: {100: counts.get(name, 1)} for name in HUB_ORDER[:-3]} | {
        name: {420: 1} for name in HUB_ORDER[-3:]}
    # the settlement answers name statements this fresh hub has not issued
    assert refused == [(420, "settlement.unknown_statement", f"no statement {s}") for s in (
        "ST-202608-110102-HE-5c0e1a9d2b7f", "ST-202608-110106-HE-8d41b07c3e92", "ST-202608-131082-BJ-27ac9e4f1d03")]
