"""Tianjin's native exports for every kind it sends: picked by file name, converted exactly, and bad input refused
with a located reason (file:row, column (canonical path): why) while the good rows go on."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from adapters.core import store
from adapters.core.errors import FormatError
from adapters.core.pipeline import Ready, read_file, run
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import region
from adapters.core.watch import scan_once
from jjj.config import Settings
from tests.adapters.conftest import ROOT, context, sample

TJ = region("tj")
SAMPLES = sorted((ROOT / "adapters" / "tianjin" / "samples").iterdir())
REPORT_ID = "01KZ9A0B1C2D3E4F5G6H7J8K9M"  # a disaster.report message id of ours (ULID)


def results(path: Path, hasher, fmt: str | None = None, last=lambda kind, key: None) -> list:  # noqa: ANN001
    f = TJ.format_for(path, fmt)
    rt = AdapterRuntime("tj", Settings(state_dir=Path("/nonexistent")), system_id=TJ.system_id)
    return list(run(f, read_file(f, path), context(TJ, hasher, last), rt.envelope))


def errors(res: list) -> list[str]:
    return [str(r.error) for r in res if not isinstance(r, Ready)]


def ready(res: list) -> list[Ready]:
    return [r for r in res if isinstance(r, Ready)]


def rows_of(name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV sample (GBK or UTF-8 with BOM), to derive bad variants from."""
    raw = sample("tianjin", name).read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gb18030")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, rows


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "gbk") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def changed(name: str, row: int, **cells: str) -> tuple[list[str], list[list[str]]]:
    """The sample with cells of data row ``row`` (0-based) replaced by column name."""
    header, rows = rows_of(name)
    for col, value in cells.items():
        rows[row][header.index(col)] = value
    return header, rows


# ------------------------------------------------------------------------------------------ formats and file names

def test_every_kind_a_region_sends_has_a_native_tianjin_format() -> None:
    import schemas

    native = {k for f in TJ.formats.values() if f.name != "canonical" for k in f.kinds}
    # hub-made kinds: adjudications and statements are computed by the hub, heartbeats by the adapter itself
    sent_by_regions = {k for k, s in schemas.KINDS.items() if s.direction == "region"}
    assert sent_by_regions - native == {"eldercare.adjudication", "eldercare.statement", "heartbeat.heartbeat"}


@pytest.mark.parametrize(("name", "fmt"), [
    ("stock_count_2026-07-31.xlsx", "stock_count"), ("库存盘点_2026-07-31.xlsx", "stock_count"),
    ("灾情统计_2026-07-31.csv", "disaster"), ("灾情更正_2026-08-20.csv", "correction"),
    ("灾情撤销_2026-08-02.csv", "cancel"), ("支援请求_0731.csv", "support_request"), ("支援承诺_0731.csv", "commitment"),
    ("支援婉拒_0801.csv", "decline"), ("调拨单_0801.xlsx", "dispatch"), ("接收确认_0801.csv", "receipt"),
    ("核对请求_0805.csv", "verification_request"), ("核对结果_0806.xlsx", "verification_response"),
    ("救急难转办_0801.csv", "referral"), ("referrals_0801.csv", "referral"), ("转办办理_08.csv", "referral_steps"),
    ("referral_steps_08.csv", "referral_steps"), ("异地养老登记_08.csv", "enrolment"),
    ("补贴标准_2026.xlsx", "entitlement_table"), ("结算确认_09.csv", "confirmation"), ("结算异议_09.csv", "dispute"),
    ("补贴支付_09.csv", "payment"), ("Payment_09.CSV", "payment"),
])
def test_the_drop_folder_tells_the_format_by_the_file_name(name: str, fmt: str) -> None:
    assert TJ.format_for(Path(name)).name == fmt


def test_every_sample_answers_to_exactly_one_format() -> None:
    assert {p.name: TJ.format_for(p).name for p in SAMPLES if p.suffix != ".json"} == {
        "cancel_2026-08-02.csv": "cancel", "claims_2026-08.csv": "claims", "commitment_2026-07-31.csv": "commitment",
        "confirmation_2026-09.csv": "confirmation", "correction_2026-08-20.csv": "correction",
        "decline_2026-08-01.csv": "decline", "disaster_2026-07-31.csv": "disaster",
        "dispatch_2026-08-01.csv": "dispatch", "dispute_2026-09.csv": "dispute", "enrolment_2026-08.csv": "enrolment",
        "entitlement_2026-07.xlsx": "entitlement_table", "ledger_2026-07.csv": "ledger",
        "ledger_2026-07.xlsx": "ledger", "payment_2026-09.csv": "payment", "receipt_2026-08-01.csv": "receipt",
        "referral_steps_2026-08.csv": "referral_steps", "referrals_2026-08-01.csv": "referral",
        "stock_count_2026-07-31.xlsx": "stock_count", "support_request_2026-07-31.csv": "support_request",
        "verification_request_2026-08-05.csv": "verification_request",
        "verification_response_2026-08-06.csv": "verification_response"}


def test_samples_are_gbk_utf8_bom_and_xlsx_exports() -> None:
    raw = {p.name: p.read_bytes() for p in SAMPLES}
    with pytest.raises(UnicodeDecodeError):
        raw["support_request_2026-07-31.csv"].decode("utf-8")
    assert raw["support_request_2026-07-31.csv"].decode("gbk").startswith("请求编号,关联灾情编号,")
    assert raw["verification_response_2026-08-06.csv"].startswith(b"\xef\xbb\xbf")
    assert raw["stock_count_2026-07-31.xlsx"][:2] == raw["entitlement_2026-07.xlsx"][:2] == b"PK"


# ------------------------------------------------------------------------------------------ exact conversions

def payloads(name: str, hasher) -> list[dict]:  # noqa: ANN001
    return [r.item.payload for r in ready(results(sample("tianjin", name), hasher))]


def test_stock_counts_group_by_depot_with_blank_reserved_and_damaged_as_zero(hasher) -> None:  # noqa: ANN001
    bc, wq = payloads("stock_count_2026-07-31.xlsx", hasher)
    assert (bc["depot"], bc["as_of"]) == ({"depot_id": "TJ-CK-BC01", "name": "天津市救灾物资储备库（北辰）",
                                           "tier": "province", "unit_code": "120113"}, "2026-07-31T22:00:00+08:00")
    assert [(ln["item_code"], ln["on_hand"], ln["reserved"], ln["damaged"]) for ln in wq["lines"]] == [
        ("folding_bed", 1300, 800, 0), ("rain_boots", 2400, 0, 0), ("flashlight", 1800, 0, 15)]
    assert bc["lines"][4]["storage_mode"] == "agreement"   # 协议储备


def test_correction_converts_mu_and_yuan_and_keeps_the_name_list_as_refs(hasher) -> None:  # noqa: ANN001
    wq, jh = payloads("correction_2026-08-20.csv", hasher)
    assert (wq["revision"], wq["corrects_revision"]) == (4, 3)
    assert wq["totals"]["agriculture"] == {"crops_affected_ha": "872.00", "crops_damaged_ha": "301.00",
                                           "crops_lost_ha": "43.00"}   # 13080, 4515, 645 亩 ÷ 15
    assert wq["totals"]["losses"] == {"total": "3148.60"}              # 31,486,000 元
    assert wq["name_list"] == {"held_by_unit_code": "120114", "deaths": [hasher.person_ref("120114194005050031")],
                               "missing": []}
    assert jh["decreases"] == [{"indicator": "people.affected", "reason": "西翟庄镇两个村重复统计60人，按乡镇台账核减"}]


def test_money_in_yuan_becomes_exact_fen(hasher) -> None:  # noqa: ANN001
    [table] = payloads("entitlement_2026-07.xlsx", hasher)
    assert [(r["subsidy_type"], r["rate_fen"], r["effective_to"]) for r in table["rates"]][-2:] == [
        ("care_severe", 50_000, "2026-06-30"), ("care_severe", 60_050, None)]   # 600.5 元 (a number cell)
    assert payloads("payment_2026-09.csv", hasher)[0]["amount_fen"] == 120_000
    steps = payloads("referral_steps_2026-08.csv", hasher)
    assert [s.get("amount_fen", s.get("total_assistance_fen")) for s in steps] == [None, 300_000, 300_000, None]


def test_places_by_name_in_any_of_the_three_regions(hasher) -> None:  # noqa: ANN001
    [request] = payloads("support_request_2026-07-31.csv", hasher)
    assert (request["requesting_unit_code"], request["delivery_place"]["unit_code"], request["to_regions"]) == (
        "120000", "120114", ["bj", "he"])                                  # 天津市, 武清区, 北京;河北
    d1, _ = payloads("dispatch_2026-08-01.csv", hasher)
    assert d1["receiving_unit_code"] == d1["receiving_place"]["unit_code"] == "130681"   # 河北省保定市涿州市
    enrolments = payloads("enrolment_2026-08.csv", hasher)
    assert [(e["home_district_code"], e["facility"]["unit_code"], e["facility_region"], e["birth_month"])
            for e in enrolments] == [("120103", "110115", "bj", "1939-09"), ("120113", "131082", "he", "1946-05")]


@pytest.mark.parametrize(("name", "code"), [
    ("涿州市", "130681"), ("保定市涿州市", "130681"), ("河北省涿州市", "130681"), ("河北省保定市涿州市", "130681"),
    ("石家庄市桥西区", "130104"), ("桥西区", None), ("河北省桥西区", None), ("北京市朝阳区", "110105"), ("朝阳区", "110105"),
    ("北京市", "110000"), ("保定市", "130600"), ("武清区", "120114"), ("天津市武清区", "120114"), ("130681", "130681"),
    ("市辖区", None), ("北京市北京市", None)])
def test_place_names(name: str, code: str | None) -> None:
    from adapters.tianjin.places import PLACE

    assert PLACE.table.get(name) == code


def test_persons_leave_only_as_refs_and_masked_names(hasher) -> None:  # noqa: ANN001
    [req] = payloads("verification_request_2026-08-05.csv", hasher)
    header, rows = rows_of("verification_request_2026-08-05.csv")
    ids = [r[header.index("身份证号")] for r in rows]
    assert [s["masked_name"] for s in req["subjects"]] == ["张*国", "李*兰", "张*航"]
    assert [s["person_ref"] for s in req["subjects"]] == [hasher.person_ref(i) for i in ids]
    text = json.dumps([payloads(p.name, hasher) for p in SAMPLES if p.suffix != ".json"], ensure_ascii=False)
    assert not any(i in text for i in ids) and "张建国" not in text and "赵淑珍" not in text


def test_a_verification_answer_groups_rows_by_subject_and_gives_deposits_only_as_a_flag(hasher) -> None:  # noqa: ANN001
    [resp] = payloads("verification_response_2026-08-06.csv", hasher)
    assert [(r["subject_id"], [i["item"] for i in r["items"]]) for r in resp["results"]] == [
        ("S1", ["household_registration", "real_estate", "vehicles", "business", "deposits"]),
        ("S2", ["household_registration", "real_estate", "vehicles", "business", "deposits"])]
    assert resp["results"][0]["items"][4]["summary"] == {"as_of": "2026-07-31", "over_threshold": False,
                                                         "threshold_fen": 5_000_000}


@pytest.mark.parametrize("name", ["stock_count_2026-07-31.xlsx", "entitlement_2026-07.xlsx"])
def test_csv_and_xlsx_exports_of_a_table_give_the_same_messages(tmp_path: Path, hasher, name: str) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    wb = load_workbook(sample("tianjin", name), read_only=True)
    # date and number cells as Excel's CSV export writes them: "2026-07-31 22:00:00", "2024-01-01 00:00:00", "600.5"
    rows = [["" if v is None else str(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    f = write(tmp_path / name.replace(".xlsx", ".csv"), rows[0], rows[1:])
    assert "2024-01-01 00:00:00" in f.read_bytes().decode("gbk") or name.startswith("stock")
    assert payloads(name, hasher) == [r.item.payload for r in ready(results(f, hasher))]


def test_convert_command_with_an_explicit_format(tmp_path: Path, person_key: Path, monkeypatch) -> None:  # noqa: ANN001
    from jjj.commands.adapter_cmd import adapter_group

    monkeypatch.setenv("JJJ_STATE_DIR", str(tmp_path / "state"))
    f = tmp_path / "export_0801.csv"  # a name no pattern knows
    shutil.copy(sample("tianjin", "decline_2026-08-01.csv"), f)
    out = CliRunner().invoke(adapter_group, ["tianjin", "convert", str(f), "--format", "decline", "--payload-only"])
    assert out.exit_code == 0, out.output
    first = out.output.splitlines()[0]
    assert json.loads(first) == {"kind": "relief.decline", "payload": {
        "declining_region": "tj", "request_id": "BJ-SR-20260801-01", "reason_code": "own_emergency",
        "reason": "武清区洪涝灾害仍在处置，市级储备折叠床、帐篷已全部预留本地安置点使用，暂无法支援"}}


# ------------------------------------------------------------------------------------------ malformed input

BAD_ROWS = [  # (sample, data row changed, cells, the exact located errors)
    ("support_request_2026-07-31.csv", 1, {"送达区": "武清县"},
     ["x.csv:row 3: 送达区 (delivery_place.unit_code): unknown district '武清县'"]),
    ("verification_request_2026-08-05.csv", 1, {"身份证号": "120114198109220025"},
     ["x.csv:row 3: 身份证号 (subjects.person_ref): check digit is 5, expected 1"]),
    ("stock_count_2026-07-31.xlsx", 2, {"实存数量": "-5"},
     ["x.csv:row 4: 实存数量 (lines.on_hand): count -5 is negative"]),
    ("payment_2026-09.csv", 0, {"支付金额（元）": "1200.005"},
     ["x.csv:row 2: 支付金额（元） (amount_fen): 1200.005 元 has more than two decimals"]),
    ("entitlement_2026-07.xlsx", 5, {"月标准（元）": "600.505"},
     ["x.csv:row 7: 月标准（元） (rates.rate_fen): 600.505 元 has more than two decimals"]),
    ("enrolment_2026-08.csv", 0, {"户籍区": "和平"},
     ["x.csv:row 2: 户籍区 (home_district_code): unknown district '和平'"]),
    ("dispatch_2026-08-01.csv", 0, {"接收单位": "桥西区"},   # two 桥西区 in Hebei: the city must be named
     ["x.csv:row 2: 接收单位 (receiving_unit_code): unknown place '桥西区'"]),
    ("referrals_2026-08-01.csv", 0, {"身份证号": "130623198706110036", "先行救助金额（元）": "-1500"},
     ["x.csv:row 2: 身份证号 (person_ref): check digit is 6, expected 7; "
      "先行救助金额（元） (first_aid_fen): amount -1500 元 is negative"]),
    ("support_request_2026-07-31.csv", 1, {"需求数量": "-5", "物资名称": "帐蓬", "联系电话": ""},
     ["x.csv:row 3: 联系电话 (contact.phone): required field is missing or empty; 物资名称 (lines.item_code): "
      "unknown relief item '帐蓬'; 需求数量 (lines.quantity): count -5 is negative"]),
    ("referral_steps_2026-08.csv", 0, {"办理类型": "转出"}, ["x.csv:row 2: 办理类型: unknown handling type '转出'"]),
    ("correction_2026-08-20.csv", 1, {"核减说明": "受灾人数：重复统计"},
     ["x.csv:row 3: 核减说明[0] (decreases): '受灾人数：重复统计' is not '<figure column>：<reason>' with a figure column "
      "of the export"]),
    ("cancel_2026-08-02.csv", 0, {"回复消息编号": "msg-17"},
     ["x.csv:row 2: 回复消息编号[0] (references): 'msg-17' is not a message id (26-character ULID)"]),
    ("confirmation_2026-09.csv", 0, {"回复消息编号": ""},
     ["x.csv:row 2: 回复消息编号 (references): blank: the id of the message this one answers or supersedes is "
      "required (hub messages: GET /deliveries)"]),
]


def csv_variant(tmp_path: Path, name: str, row: int, cells: dict[str, str]) -> Path:
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(sample("tianjin", name), read_only=True)
        header, *rows = [["" if v is None else str(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
    else:
        header, rows = rows_of(name)
    for col, value in cells.items():
        rows[row][header.index(col)] = value
    fmt = TJ.format_for(sample("tianjin", name)).name
    path = tmp_path / fmt / "x.csv"
    path.parent.mkdir()
    return write(path, header, rows)


@pytest.mark.parametrize(("name", "row", "cells", "expected"), BAD_ROWS, ids=[f"{b[0]}:{','.join(b[2])}" for b in BAD_ROWS])
def test_a_bad_row_is_refused_with_its_location_and_the_rest_goes_on(tmp_path: Path, hasher, name, row, cells,  # noqa: ANN001
                                                                      expected) -> None:
    fmt = TJ.format_for(sample("tianjin", name)).name
    good = ready(results(sample("tianjin", name), hasher))
    path = csv_variant(tmp_path, name, row, cells)
    res = results(path, hasher, fmt)
    assert errors(res) == expected
    # every row is accounted for exactly once: rejected alone, or in a message that went on without it
    assert sum(len(r.records) for r in res) == len(list(read_file(TJ.formats[fmt], path)))
    assert len(ready(res)) in (len(good), len(good) - 1)


def test_a_missing_column_stops_the_file_at_its_header(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    header, rows = rows_of("support_request_2026-07-31.csv")
    i = header.index("需求数量")
    f = write(tmp_path / "支援请求_0731.csv", header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    with pytest.raises(FormatError) as exc:
        results(f, hasher)
    assert str(exc.value) == "支援请求_0731.csv:row 1: missing columns: 需求数量"


def test_a_column_only_some_handling_types_need_is_a_row_error(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    header, rows = rows_of("referral_steps_2026-08.csv")
    keep = [i for i, h in enumerate(header) if h != "承办单位"]
    f = write(tmp_path / "转办办理_08.csv", [header[i] for i in keep], [[r[i] for i in keep] for r in rows])
    res = results(f, hasher)
    assert errors(res) == ["转办办理_08.csv:row 2: 承办单位 (handling_unit_code): required field is missing or empty"]
    assert [r.item.kind for r in ready(res)] == ["referral.progress", "referral.closure", "referral.rejection"]


def test_an_export_in_neither_utf8_nor_gbk_is_refused_as_a_whole(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    header, rows = rows_of("payment_2026-09.csv")
    f = write(tmp_path / "补贴支付_09.csv", header, rows, encoding="utf-16")  # Excel's "Unicode text"
    with pytest.raises(FormatError) as exc:
        results(f, hasher)
    assert str(exc.value) == "补贴支付_09.csv: the file is neither UTF-8 nor GBK text"


def test_a_wrongly_encoded_line_deep_in_a_utf8_export_stops_there_and_rows_before_stand(tmp_path: Path,
                                                                                       hasher) -> None:  # noqa: ANN001
    header, [row] = rows_of("payment_2026-09.csv")
    rows = [[f"TJ-ZF-120103-202609-{i:04d}", *row[1:]] for i in range(1, 801)]  # > 64 KiB: the sniffed head is UTF-8
    f = write(tmp_path / "补贴支付_09.csv", header, rows, encoding="utf-8-sig")
    f.write_bytes(f.read_bytes() + ",".join(["TJ-ZF-120103-202609-0801", *row[1:]]).encode("gbk") + b"\r\n")
    fmt = TJ.format_for(f)
    rt = AdapterRuntime("tj", Settings(state_dir=Path("/nonexistent")), system_id=TJ.system_id)
    seen = []
    with pytest.raises(FormatError) as exc:
        for r in run(fmt, read_file(fmt, f), context(TJ, hasher), rt.envelope):
            seen.append(r)
    assert str(exc.value) == "补贴支付_09.csv:row 802: cannot decode as utf-8-sig (byte 58 of the line): wrong encoding"
    assert len(ready(seen)) == 800


def test_a_contract_rule_on_one_line_of_a_grouped_message_rejects_only_that_row(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write(tmp_path / "支援请求_0731.csv", *changed("support_request_2026-07-31.csv", 2, 计量单位="顶"))
    res = results(f, hasher)
    assert errors(res) == ["支援请求_0731.csv:row 4: 计量单位 (payload.lines[2].unit): quilt is counted in 床, not 顶."]
    [request] = ready(res)
    assert [ln["line_no"] for ln in request.item.payload["lines"]] == [1, 2, 4]
    assert [r.location for r in request.records] == ["row 2", "row 3", "row 5"]


def test_message_columns_must_agree_on_every_row_and_messages_must_be_contiguous(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write(tmp_path / "支援请求_a.csv", *changed("support_request_2026-07-31.csv", 2, 需求时间="2026-08-02 18:00"))
    assert errors(results(f, hasher)) == [
        "支援请求_a.csv:row 4: 需求时间 (needed_by): differs from the first row of TJ-SR-20260731-01 (row 2): the "
        "message columns must be the same on every row of a message"]
    header, rows = rows_of("support_request_2026-07-31.csv")
    other = [*rows[1]]
    other[0] = "TJ-SR-20260731-02"
    f = write(tmp_path / "支援请求_b.csv", header, [rows[0], other, rows[2]])
    res = results(f, hasher)
    assert errors(res) == ["支援请求_b.csv:row 4: 请求编号: rows of TJ-SR-20260731-01 are not contiguous (the export "
                           "must be sorted by 请求编号)"]
    assert [r.item.payload["request_id"] for r in ready(res)] == ["TJ-SR-20260731-01", "TJ-SR-20260731-02"]


def test_a_correction_without_a_message_id_references_our_last_report_of_the_event(tmp_path: Path,
                                                                                  hasher) -> None:  # noqa: ANN001
    f = write(tmp_path / "灾情更正_0820.csv", *changed("correction_2026-08-20.csv", 0, 回复消息编号=""))
    ours = {("disaster.report", "TJ-WQ-2026-0731-01"): REPORT_ID}
    res = results(f, hasher, last=lambda kind, key: ours.get((kind, key)))
    assert [r.item.references for r in res] == [(REPORT_ID,), ("01KYVV0HVRTJ2H8X6C4B9D1F3G",)]
    assert errors(results(f, hasher)) == [
        "灾情更正_0820.csv:row 2: 回复消息编号 (references): blank: the id of the message this one answers or "
        "supersedes is required (hub messages: GET /deliveries); this adapter sent no disaster.report/"
        "disaster.correction about TJ-WQ-2026-0731-01"]


# ------------------------------------------------------------------------------------------ the drop folder

def test_the_drop_folder_imports_each_export_by_its_name_into_the_outbox(tmp_path: Path, make_runtime) -> None:  # noqa: ANN001
    rt = make_runtime("tj")
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(sample("tianjin", "disaster_2026-07-31.csv"), drop / "灾情统计_20260731.csv")
    shutil.copy(sample("tianjin", "stock_count_2026-07-31.xlsx"), drop / "库存盘点_20260731.xlsx")
    (drop / "notes.txt").write_text("not an export")
    ctx = rt.context(TJ.config)
    sizes: dict = {}
    assert scan_once(rt, TJ, ctx, drop, sizes) == 0        # first sight: sizes noted, nothing taken yet
    assert scan_once(rt, TJ, ctx, drop, sizes) == 2
    # a correction without 回复消息编号, dropped later, references our report of the event from the outbox
    write(drop / "灾情更正_20260820.csv", *changed("correction_2026-08-20.csv", 0, 回复消息编号=""))
    scan_once(rt, TJ, ctx, drop, sizes)
    assert scan_once(rt, TJ, ctx, drop, sizes) == 1
    assert sorted(p.name for p in (drop / "done").iterdir()) == ["库存盘点_20260731.xlsx", "灾情更正_20260820.csv",
                                                                "灾情统计_20260731.csv"]
    assert (drop / "notes.txt").exists()
    with rt.engine.connect() as conn:
        rows = conn.execute(select(store.outbox.c.kind, store.outbox.c.key, store.outbox.c.value,
                                   store.outbox.c.message_id).order_by(store.outbox.c.seq)).all()
    assert [(k, key) for k, key, _, _ in rows] == [  # files in name order: 库存盘点 sorts before 灾情统计
        ("relief.stock_snapshot@1.0", "TJ-CK-BC01"), ("relief.stock_snapshot@1.0", "TJ-CK-WQ02"),
        ("disaster.report@1.0", "TJ-WQ-2026-0731-01"), ("disaster.report@1.0", "TJ-JH-2026-0731-02"),
        ("disaster.report@1.0", "TJ-WQ-2026-0731-01"), ("disaster.correction@1.0", "TJ-WQ-2026-0731-01"),
        ("disaster.correction@1.0", "TJ-JH-2026-0731-02")]
    wq_correction = json.loads(rows[5][2])
    assert wq_correction["references"] == [rows[4][3]]   # the 续报, our last report of TJ-WQ-2026-0731-01


def test_a_subject_with_two_id_numbers_in_one_answer_refuses_the_answer_at_its_rows(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write(tmp_path / "核对结果_0806.csv", *changed("verification_response_2026-08-06.csv", 3,
                                                     身份证号="110105194912310038"), encoding="utf-8-sig")
    assert errors(results(f, hasher)) == [
        "核对结果_0806.csv:row 2–row 11: 身份证号 (results.person_ref): subject S1 has different ID numbers on its rows"]


def test_formats_command_lists_every_tianjin_format() -> None:
    from jjj.commands.adapter_cmd import adapter_group

    out = CliRunner().invoke(adapter_group, ["tianjin", "formats"])
    assert out.exit_code == 0
    assert [line.split()[0] for line in out.output.splitlines()] == list(TJ.formats)
    assert "stock_count            relief.stock_snapshot" in out.output


# ------------------------------------------------------------------------------------------ the hub takes them

HUB_ORDER = ["disaster_2026-07-31.csv", "correction_2026-08-20.csv", "cancel_2026-08-02.csv",
             "stock_count_2026-07-31.xlsx", "ledger_2026-07.csv", "support_request_2026-07-31.csv",
             "commitment_2026-07-31.csv", "decline_2026-08-01.csv", "dispatch_2026-08-01.csv", "receipt_2026-08-01.csv",
             "verification_request_2026-08-05.csv", "verification_response_2026-08-06.csv",
             "referrals_2026-08-01.csv", "referral_steps_2026-08.csv", "enrolment_2026-08.csv",
             "entitlement_2026-07.xlsx", "claims_2026-08.csv", "confirmation_2026-09.csv", "dispute_2026-09.csv",
             "payment_2026-09.csv"]


def test_the_hub_accepts_every_tianjin_export(database_url: str, keys_dir: Path, hasher) -> None:  # noqa: ANN001
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
        # every sample but the generic JSON and the xlsx twin of the ledger CSV
        assert set(HUB_ORDER) == {p.name for p in SAMPLES if p.suffix != ".json"} - {"ledger_2026-07.xlsx"}
        codes = {}
        for name in HUB_ORDER:
            msgs = [json.loads(r.message.value) for r in ready(results(sample("tianjin", name), hasher))]
            codes[name] = hub.feed(*msgs).codes
        reasons = [(r["payload"]["code"], r["payload"].get("rule")) for r in hub.outbox("hub.receipt")
                   if r["payload"]["code"] != 100]
    finally:
        engine.dispose()
    # everything is taken; the settlement answers name statements this fresh hub has not issued
    assert codes == {name: {100: n} for name, n in [
        ("disaster_2026-07-31.csv", 3), ("correction_2026-08-20.csv", 2), ("cancel_2026-08-02.csv", 2),
        ("stock_count_2026-07-31.xlsx", 2), ("ledger_2026-07.csv", 5), ("support_request_2026-07-31.csv", 1),
        ("commitment_2026-07-31.csv", 1), ("decline_2026-08-01.csv", 1), ("dispatch_2026-08-01.csv", 2),
        ("receipt_2026-08-01.csv", 1), ("verification_request_2026-08-05.csv", 1),
        ("verification_response_2026-08-06.csv", 1), ("referrals_2026-08-01.csv", 2),
        ("referral_steps_2026-08.csv", 4), ("enrolment_2026-08.csv", 2), ("entitlement_2026-07.xlsx", 1),
        ("claims_2026-08.csv", 2)]} | {n: {420: 1} for n in HUB_ORDER[-3:]}
    assert reasons == [(420, "settlement.unknown_statement")] * 3
