"""Bad native input gets a precise, located error; bad records are rejected alone and good ones go on."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from adapters.core.errors import FormatError
from adapters.core.pipeline import Ready, read_file, run
from adapters.core.readers import read_xlsx
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import region
from jjj.config import Settings
from tests.adapters.conftest import context, sample

CLAIM_HEADER = ["申报单号", "机构编号", "机构名称", "机构所在区", "申报月份", "老人户籍区", "明细编号", "老人姓名", "身份证号",
                "登记编号", "补贴项目", "在院天数", "申报金额（元）"]
GOOD = ["C1", "TJ-WQ-0021", "武清区某颐养中心", "武清区", "2026-09", "朝阳区", "L1", "刘德福", "110105194912310038",
        "CY-YD-2026-0042", "床位运营补贴（失能）", "30", "500.00"]


def results(code: str, path: Path, hasher, fmt: str | None = None, last=lambda k, key: None):  # noqa: ANN001, ANN201
    spec = region(code)
    f = spec.format_for(path, fmt)
    rt = AdapterRuntime(spec.code, Settings(state_dir=Path("/nonexistent")), system_id=spec.system_id)
    return list(run(f, read_file(f, path), context(spec, hasher, last), rt.envelope))


def errors(res) -> list[str]:  # noqa: ANN001
    return [str(r.error) for r in res if not isinstance(r, Ready)]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "gbk", header=CLAIM_HEADER) -> Path:  # noqa: ANN001
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def with_(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for k, v in changes.items():
        out[CLAIM_HEADER.index(k)] = v
    return out


def test_a_bad_id_check_digit_rejects_that_row_and_the_claim_goes_on(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write_csv(tmp_path / "claims_2026-09.csv", [
        GOOD, with_(GOOD, 明细编号="L2", 身份证号="110105194912310031"), with_(GOOD, 明细编号="L3")])
    res = results("tj", f, hasher)
    assert errors(res) == ["claims_2026-09.csv:row 3: 身份证号 (elder_ref): check digit is 1, expected 8"]
    [claim] = [r for r in res if isinstance(r, Ready)]
    assert [ln["line_id"] for ln in claim.item.payload["lines"]] == ["L1", "L3"]
    assert claim.item.payload["total_fen"] == 100_000
    assert [r.location for r in claim.records] == ["row 2", "row 4"]


def test_every_bad_field_of_a_row_is_reported_together(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write_csv(tmp_path / "claims_x.csv", [with_(GOOD, 在院天数="-2", 补贴项目="护理费", **{"申报金额（元）": "12.345"})])
    assert errors(results("tj", f, hasher)) == [
        "claims_x.csv:row 2: 补贴项目 (subsidy_type): unknown subsidy type '护理费'; 在院天数 (days_in_care): count -2 "
        "is negative; 申报金额（元） (amount_fen): 12.345 元 has more than two decimals"]


def test_a_contract_rule_on_one_line_rejects_only_that_row(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    # September has 30 days: the contract (eldercare.days_in_month) refuses 31; the row is named, the rest goes on
    f = write_csv(tmp_path / "claims_y.csv", [GOOD, with_(GOOD, 明细编号="L2", 在院天数="31")])
    res = results("tj", f, hasher)
    assert errors(res) == ["claims_y.csv:row 3: 在院天数 (payload.lines[1].days_in_care): 2026-09 has only 30 days."]
    assert [r.item.payload["line_count"] for r in res if isinstance(r, Ready)] == [1]


def test_claim_rows_out_of_order_are_refused(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write_csv(tmp_path / "claims_z.csv", [GOOD, with_(GOOD, 申报单号="C2", 明细编号="M1"),
                                              with_(GOOD, 明细编号="L9")])
    res = results("tj", f, hasher)
    assert errors(res) == ["claims_z.csv:row 4: 申报单号 (claim_id): rows of claim C1 are not contiguous "
                           "(the export must be sorted by 申报单号)"]
    assert [r.item.payload["claim_id"] for r in res if isinstance(r, Ready)] == ["C1", "C2"]


def test_missing_columns_stop_the_file_at_the_header(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write_csv(tmp_path / "claims_m.csv", [GOOD[:3]], header=CLAIM_HEADER[:3])
    with pytest.raises(FormatError) as exc:
        results("tj", f, hasher)
    assert str(exc.value).startswith("claims_m.csv:row 1: missing columns: 机构所在区, 申报月份")


def test_wrong_encoding_mid_file_is_located_and_earlier_rows_stand(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    # UTF-8 for the first 64 KiB (detected as UTF-8), then a GBK row: the decoder stops there, with the row
    good = ",".join(GOOD).encode("utf-8") + b"\r\n"
    n = 70_000 // len(good) + 1
    rows = [with_(GOOD, 明细编号=f"L{i}") for i in range(n)]
    f = write_csv(tmp_path / "claims_enc.csv", rows, encoding="utf-8")
    with open(f, "ab") as fh:
        fh.write(",".join(with_(GOOD, 明细编号="LX", 机构名称="武清区某颐养中心")).encode("gbk") + b"\r\n")
    seen = []
    with pytest.raises(FormatError) as exc:
        for r in run(region("tj").formats["claims"], read_file(region("tj").formats["claims"], f),
                     context(region("tj"), hasher), AdapterRuntime("tj", Settings(state_dir=tmp_path)).envelope):
            seen.append(r)
    assert exc.value.location == f"row {n + 2}" and "wrong encoding" in exc.value.reason


def test_a_file_in_neither_utf8_nor_gbk_is_refused(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = tmp_path / "ledger_bad.csv"
    f.write_bytes(b"\x80\x80\x80\xff\xfe")
    with pytest.raises(FormatError, match="neither UTF-8 nor GBK"):
        results("tj", f, hasher)


def test_unknown_district_and_negative_count_in_a_disaster_row(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    src = sample("tianjin", "disaster_2026-07-31.csv").read_bytes().decode("gbk").splitlines()
    bad = src[1].replace("武清区", "武清县").replace(",8640,", ",-5,")
    f = tmp_path / "disaster_bad.csv"
    f.write_bytes(("\r\n".join([src[0], bad, src[2]]) + "\r\n").encode("gbk"))
    res = results("tj", f, hasher)
    assert errors(res) == ["disaster_bad.csv:row 2: 填报区 (reporting_unit_code): unknown district '武清县'; "
                           "受灾人口 (people.affected): count -5 is negative"]
    assert len([r for r in res if isinstance(r, Ready)]) == 1


def test_beijing_json_row_with_unknown_district_and_broken_contract_rule(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    import json

    doc = json.loads(sample("beijing", "disaster_report.json").read_text(encoding="utf-8"))
    f = tmp_path / "disaster_report_x.json"
    f.write_text(json.dumps([dict(doc, 填报单位="京-99"), dict(doc, 人员情况=dict(doc["人员情况"], 其中分散安置=700))],
                            ensure_ascii=False), encoding="utf-8")
    assert errors(results("bj", f, hasher)) == [
        "disaster_report_x.json:$[0]: 填报单位 (reporting_unit_code): unknown Beijing district number '京-99'",
        "disaster_report_x.json:$[1]: 紧急转移安置 (payload.totals.people.relocated_cumulative): relocated_centralised "
        "(1240) + relocated_dispersed (700) must equal relocated_cumulative (1860)."]


def test_broken_xml_is_located_by_line_and_column(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    text = sample("hebei", "stock_2026-07-31.xml").read_text(encoding="utf-8")
    f = tmp_path / "stock_broken.xml"
    f.write_text(text.replace("</Depot>\n  <Depot", "</Depo>\n  <Depot", 1), encoding="utf-8")
    with pytest.raises(FormatError) as exc:
        results("he", f, hasher)
    assert exc.value.location == "line 7 column 4" and exc.value.reason.startswith("broken XML: mismatched tag")


def test_xml_entities_are_refused(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = tmp_path / "stock_bomb.xml"
    f.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><StockReport><Depot/></StockReport>')
    with pytest.raises(FormatError, match="forbidden XML construct"):
        results("he", f, hasher)


def test_hebei_bad_codes_and_id_numbers_in_xml(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    text = sample("hebei", "claims_2026-08.xml").read_text(encoding="utf-8")
    f = tmp_path / "claims_bad.xml"
    f.write_text(text.replace('county="131082000000"', 'county="131082001000"')
                 .replace('idNumber="110106194209110022"', 'idNumber="110106194213110022"'), encoding="utf-8")
    assert errors(results("he", f, hasher)) == [
        "claims_bad.xml:/ClaimBatch/Claim[1]: @county (facility.unit_code): 131082001000 is a township-level code, "
        "a county or prefecture code is needed",
        "claims_bad.xml:/ClaimBatch/Claim[2]/Line[1]: @idNumber (elder_ref): impossible birth date 19421311"]


def test_hebei_report_with_an_unknown_element_is_refused_by_name(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    text = sample("hebei", "disaster_2026-08-01.xml").read_text(encoding="utf-8")
    f = tmp_path / "disaster_new.xml"
    f.write_text(text.replace("<Affected>46300</Affected>", "<Affected>46300</Affected><Displaced>5</Displaced>"),
                 encoding="utf-8")
    assert errors(results("he", f, hasher)) == ["disaster_new.xml:/ZqReports/Report[1]: Totals/Displaced: unknown element"]


CAP = sample("hebei", "cap_alert_2026-07-31.cap.xml")


@pytest.mark.parametrize(("change", "error"), [
    (("<scope>Public</scope>", "<scope>Public</scope><priority>1</priority>"),
     "/alert: /alert/priority: unknown CAP 1.2 element"),
    (("<urgency>", "<color>red</color><urgency>"), "/alert: /alert/info[1]/color: unknown CAP 1.2 element"),
    (("<certainty>Observed</certainty>", "<certainty>Likely</certainty>"),
     "/alert: /alert/info[1]/certainty: certainty Likely: a warning, not a disaster report; the contract has no "
     "warning kind yet"),
    (("<event>山洪</event>", "<event>海浪</event>"), "/alert: /alert/info[1]/event: unknown event '海浪'"),
    (("<value>130623</value>", "<value>139999</value>"),
     "/alert: /alert/info/area[1]/geocode[1]/value: unknown Hebei division code '139999'"),
    (("<status>Actual</status>", "<status>Draft</status>"),
     "/alert: /alert/status: status Draft is not forwarded (only Actual/Exercise/Test)"),
])
def test_cap_alerts_outside_the_mapping_are_refused_with_the_path(tmp_path: Path, hasher, change, error) -> None:  # noqa: ANN001
    f = tmp_path / "x.cap.xml"
    f.write_text(CAP.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    assert errors(results("he", f, hasher)) == [f"x.cap.xml:{error}"]


def test_cap_cancel_references_our_last_report_of_the_event(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = tmp_path / "cancel.cap.xml"
    f.write_text(CAP.read_text(encoding="utf-8").replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>")
                 .replace("<scope>Public</scope>", "<scope>Public</scope><note>误报</note><references>"
                          "13060041600000@hebyj.gov.cn,13060041600000_20260731064500,2026-07-31T06:45:00+08:00"
                          "</references>"), encoding="utf-8")
    earlier = "01K1G0000000000000000000AB"
    [r] = results("he", f, hasher, last=lambda kind, key: earlier if key == "13060041600000_20260731064500" else None)
    assert (r.item.kind, r.item.references, r.item.payload["reason"]) == ("disaster.cancel", (earlier,), "误报")
    assert errors(results("he", f, hasher)) == [
        "cancel.cap.xml:/alert: /alert/references: no report of event 13060041600000_20260731064500 was sent by "
        "this adapter"]


# ------------------------------------------------------------------ the generic canonical JSON fallback


@pytest.mark.parametrize(("code", "doc", "error"), [
    ("bj", {"kind": "disaster.report", "payload": {}},
     "$: kind: kind 'disaster.report' is not accepted by this format"),
    ("tj", {"kind": "referral.referral", "payload": {"person_ref": {"身份证号": "130623195904210017"}}},
     "$: payload.person_ref.身份证号: check digit is 7, expected 9"),
    ("he", {"kind": "relief.receipt", "payload": [], "references": []}, "$: payload: payload must be a JSON object"),
    ("he", {"kind": "referral.progress", "payload": {"referral_id": "R1"}, "references": "01K1"},
     "$: references: references must be a list of message ids"),
])
def test_the_generic_format_refuses_wrong_kinds_bad_ids_and_bad_shapes(tmp_path: Path, hasher, code, doc,  # noqa: ANN001
                                                                      error) -> None:
    import json

    f = tmp_path / "canonical_bad.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [err] = errors(results(code, f, hasher))
    assert err.startswith(f"canonical_bad.json:{error}"), err


def test_the_generic_format_still_applies_the_contract_with_located_paths(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    import json

    doc = json.loads(sample("hebei", "canonical_receipt.json").read_text(encoding="utf-8"))
    doc["payload"]["lines"][0]["received"] = 5941.5  # a float where the contract wants a count
    f = tmp_path / "canonical_receipt.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [err] = errors(results("he", f, hasher))
    assert "payload.lines[0].received" in err


# ------------------------------------------------------------------ shapes the fuzzer found (tests/trust/test_fuzz_parsers.py)
def _bj_doc(name: str, **changes: object) -> list:
    """The Beijing sample ``name`` as a list of documents, its first document changed."""
    doc = json.loads(sample("beijing", name).read_text(encoding="utf-8"))
    docs = doc if isinstance(doc, list) else [doc]
    docs[0].update(changes)
    return docs


@pytest.mark.parametrize(("name", "docs", "expected"), [
    ("eldercare_enrolment.json", [None], "$[0]: $: must be an object, not null"),
    ("entitlement_table.json", [7], "$[0]: $: must be an object, not a number"),
    ("stock_snapshot.json", ["x"], "$[0]: $: must be an object, not a string"),
    ("verification_request.json", [[1]], "$[0]: $: must be an object, not a list"),
    ("disaster_report.json", _bj_doc("disaster_report.json", 死亡失踪人员=[5]),
     "$[0]: 死亡失踪人员[0]: must be an object, not a number"),
    ("disaster_report.json", _bj_doc("disaster_report.json", 分区数据=[{"区划": "京-05"}, "x"]),
     "$[0]: 分区数据[1]: must be an object, not a string"),
    ("disaster_report.json", _bj_doc("disaster_report.json", 分区数据=True, 死亡失踪人员={"a": 1}),
     "$[0]: 分区数据: must be a list, not a boolean; 死亡失踪人员: must be a list, not an object"),
    ("stock_snapshot.json", _bj_doc("stock_snapshot.json", 物资明细=["x"]),
     "$[0]: 物资明细[0]: must be an object, not a string"),
    ("stock_snapshot.json", _bj_doc("stock_snapshot.json", 物资明细=3), "$[0]: 物资明细: must be a list, not a number"),
    ("eldercare_enrolment.json", _bj_doc("eldercare_enrolment.json", 补贴项目=True),
     "$[0]: 补贴项目 (subsidy_types): must be a list, not a boolean"),
    ("entitlement_table.json", _bj_doc("entitlement_table.json", 标准="x"),
     "$[0]: 标准 (rates): must be a list, not a string"),
    ("entitlement_table.json", _bj_doc("entitlement_table.json", 标准=[None]),
     "$[0]: 标准[0]: must be an object, not null"),
    ("verification_request.json", _bj_doc("verification_request.json", 核对对象=1, 核对地区="津"),
     "$[0]: 核对对象 (subjects): must be a list, not a number; 核对地区 (target_regions): must be a list, not a string"),
    ("verification_request.json", _bj_doc("verification_request.json", 核对对象=[2]),
     "$[0]: 核对对象[0]: must be an object, not a number"),
])
def test_beijing_json_of_the_wrong_shape_is_rejected_with_its_path(tmp_path: Path, hasher, name, docs,  # noqa: ANN001
                                                                   expected) -> None:
    f = tmp_path / name
    f.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    res = results("bj", f, hasher)
    assert errors(res)[:1] == [f"{name}:{expected}"]
    # the good documents after the bad one go on
    assert len(errors(res)) == 1 and len(res) == len(docs)


def test_a_file_in_neither_utf8_nor_gbk_names_the_file(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = write_csv(tmp_path / "claims_enc2.csv", [])
    f.write_bytes(b"\x00\xea\xb1\xa8\xff\xff\xff\n")
    with pytest.raises(FormatError) as exc:
        results("tj", f, hasher)
    assert str(exc.value) == "claims_enc2.csv: the file is neither UTF-8 nor GBK text"
    assert exc.value.reason_zh == "文件既不是 UTF-8 也不是 GBK 编码"


def test_a_broken_csv_header_is_a_located_format_error(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = tmp_path / "claims_cr.csv"
    f.write_bytes("申报单号\r机构编号,x\n1,2\n".encode("gb18030"))
    with pytest.raises(FormatError) as exc:
        results("tj", f, hasher)
    assert str(exc.value) == ("claims_cr.csv:row 1: broken CSV header: new-line character seen in unquoted field - "
                              "do you need to open the file in universal-newline mode?")


def _garble(x: bytes, member: str, at: int) -> bytes:
    """``x`` (a zip) with 40 bytes of ``member``'s compressed data XOR-ed, ``at`` bytes in (negative: from its end)."""
    info = zipfile.ZipFile(io.BytesIO(x)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    i = start + (at if at >= 0 else info.compress_size + at)
    return x[:i] + bytes(c ^ 0x55 for c in x[i:i + 40]) + x[i + 40:]


def test_a_corrupt_sheet_stream_found_while_opening_is_a_format_error(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    # found by the fuzzer: zlib.error escaped (openpyxl reads the sheet's first block for its dimensions)
    f = tmp_path / "ledger_2026-07.xlsx"
    f.write_bytes(_garble(sample("tianjin", "ledger_2026-07.xlsx").read_bytes(), "xl/worksheets/sheet1.xml", 160))
    with pytest.raises(FormatError) as exc:
        results("tj", f, hasher)
    assert str(exc.value) == ("ledger_2026-07.xlsx: not a readable .xlsx workbook: error: Error -3 while decompressing "
                              "data: invalid distance too far back")


def test_a_corrupt_sheet_stream_found_while_reading_rows_is_located_at_the_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["a", "b"])
    for i in range(3000):
        wb.active.append([f"v{i}", i])
    buf = io.BytesIO()
    wb.save(buf)
    f = tmp_path / "big.xlsx"
    f.write_bytes(_garble(buf.getvalue(), "xl/worksheets/sheet1.xml", -200))
    seen = []
    with pytest.raises(FormatError) as exc:
        for rec in read_xlsx(f, "big.xlsx"):
            seen.append(rec.data["a"])
    assert str(exc.value) == ("big.xlsx:Sheet!row 2986: the sheet is damaged and cannot be read on: BadZipFile: Bad "
                              "CRC-32 for file 'xl/worksheets/sheet1.xml'")
    assert exc.value.reason_zh == "工作表已损坏，无法继续读取"
    assert seen == [f"v{i}" for i in range(2984)]  # the rows before the damage were read


def test_a_huge_figure_is_refused_on_its_row(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    src = sample("tianjin", "disaster_2026-07-31.csv")
    rows = list(csv.reader(src.read_bytes().decode("gb18030").splitlines()))
    rows[1][rows[0].index("农作物受灾面积（亩）")] = "1E100"
    f = write_csv(tmp_path / "disaster_2026-07-31.csv", rows[1:], header=rows[0])
    [err, *_] = errors(results("tj", f, hasher))
    assert err == ("disaster_2026-07-31.csv:row 2: 农作物受灾面积（亩） (agriculture.crops_affected_ha): '1E100' is too "
                   "large (more than 15 digits before the decimal point)")


def test_an_unknown_xml_encoding_is_a_located_format_error(tmp_path: Path, hasher) -> None:  # noqa: ANN001
    f = tmp_path / "stock_2026-07-31.xml"
    f.write_bytes(sample("hebei", "stock_2026-07-31.xml").read_bytes().replace(b"UTF-8", b"UTF-9"))
    with pytest.raises(FormatError) as exc:
        results("he", f, hasher)
    assert str(exc.value) == "stock_2026-07-31.xml:line 1: the XML declaration names an unknown encoding: unknown encoding: UTF-9"
    assert exc.value.reason_zh == "XML 声明的编码无法识别"
