"""Tianjin facilities' monthly claims for Beijing elders (养老补贴申报明细): one row per elder and subsidy.

Rows of one 申报单号 are contiguous in the export (it is sorted by claim); they are grouped into one
eldercare.claim while streaming, so memory holds one claim at a time, never the file.  A bad row is rejected on
its own and the claim goes on without it (its totals are the sum of the good lines); a claim longer than
``claim_max_lines`` is sent in parts ``<申报单号>-P2``, ``-P3`` ….
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import RowError, bad
from adapters.core.mapping import collect, get, label, native_month, text_field
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext, Mapped, Outcome, Rejected
from adapters.tianjin.disaster import DISTRICT

PAYER_DISTRICT = cat.division_by_name("11")  # the elder's home district in Beijing pays
REQUIRED = ("申报单号", "机构编号", "机构名称", "机构所在区", "申报月份", "老人户籍区", "明细编号", "身份证号",
            "登记编号", "补贴项目", "在院天数", "申报金额（元）")
FIELDS = {"payload.lines.days_in_care": "在院天数", "payload.lines.amount_fen": "申报金额（元）",
          "payload.lines.line_id": "明细编号", "payload.lines.enrolment_id": "登记编号",
          "payload.payer_district_code": "老人户籍区", "payload.facility.unit_code": "机构所在区"}


def _header(row: Mapping) -> dict:
    unit, payer, period = collect(
        lambda: DISTRICT(get(row, "机构所在区"), label("机构所在区", "facility.unit_code")),
        lambda: PAYER_DISTRICT(get(row, "老人户籍区"), label("老人户籍区", "payer_district_code")),
        lambda: native_month(get(row, "申报月份"), label("申报月份", "period")))
    return {"claim_no": text_field(row, "申报单号"),
            "facility": {"facility_id": text_field(row, "机构编号"), "name": text_field(row, "机构名称"),
                         "unit_code": unit},
            "payer_district_code": payer, "period": period}


def _line(row: Mapping, ctx: MapContext) -> dict:
    ref, subsidy, days, fen = collect(
        lambda: ctx.persons.ref(get(row, "身份证号"), label("身份证号", "elder_ref")),
        lambda: cat.SUBSIDY_TYPES(get(row, "补贴项目"), label("补贴项目", "subsidy_type")),
        lambda: u.count(get(row, "在院天数"), label("在院天数", "days_in_care")),
        lambda: u.yuan_to_fen(get(row, "申报金额（元）"), label("申报金额（元）", "amount_fen")))
    return {"line_id": text_field(row, "明细编号"), "elder_ref": ref, "enrolment_id": text_field(row, "登记编号"),
            "subsidy_type": subsidy, "days_in_care": days, "amount_fen": fen}


class _Claim:
    def __init__(self, head: dict, part: int) -> None:
        self.head, self.part = head, part
        self.lines: list[dict] = []
        self.records: list[Record] = []

    def canonical(self, drop: set[int] = frozenset()) -> Canonical | None:  # type: ignore[assignment]
        lines = [ln for i, ln in enumerate(self.lines) if i not in drop]
        if not lines:
            return None
        h = self.head
        claim_id = h["claim_no"] if self.part == 1 else f"{h['claim_no']}-P{self.part}"
        return Canonical("eldercare.claim", {
            "claim_id": claim_id, "facility": h["facility"], "facility_region": "tj",
            "payer_district_code": h["payer_district_code"], "period": h["period"], "lines": lines,
            "line_count": len(lines), "total_fen": sum(ln["amount_fen"] for ln in lines)})

    def outcome(self) -> Mapped:
        return Mapped(self.canonical(), tuple(self.records), rebuild=self.canonical)


def claims(records: Iterator[Record], ctx: MapContext) -> Iterator[Outcome]:
    """Group contiguous rows by 申报单号 into eldercare.claim messages (a streaming mapper)."""
    max_lines = int(ctx.config.get("claim_max_lines", 2000))
    open_claim: _Claim | None = None
    closed: set[str] = set()
    for rec in records:
        row = rec.data
        try:
            if "__cells__" in row:
                raise bad("row", f"{len(row['__cells__'])} cells, the header has {row['__width__']}",
                          f"本行 {len(row['__cells__'])} 列，表头为 {row['__width__']} 列")
            claim_no = text_field(row, "申报单号", "claim_id")
            if open_claim is None or claim_no != open_claim.head["claim_no"]:
                if open_claim is not None:
                    closed.add(open_claim.head["claim_no"])
                    if open_claim.lines:
                        yield open_claim.outcome()
                    open_claim = None
                if claim_no in closed:
                    raise bad(label("申报单号", "claim_id"), f"rows of claim {claim_no} are not contiguous "
                              "(the export must be sorted by 申报单号)", f"申报单 {claim_no} 的明细行不连续（应按申报单号排序）")
                open_claim = _Claim(_header(row), 1)
            else:
                head = _header(row)
                if head != open_claim.head:
                    raise bad("申报单号 (claim_id)", f"facility, payer district or month differs from the first row "
                              f"of claim {claim_no}", f"与申报单 {claim_no} 首行的机构、户籍区或月份不一致")
            line = _line(row, ctx)
        except RowError as exc:
            yield Rejected((rec,), exc.at(rec.source, rec.location))
            continue
        if len(open_claim.lines) >= max_lines:
            yield open_claim.outcome()
            open_claim = _Claim(open_claim.head, open_claim.part + 1)
        open_claim.lines.append(line)
        open_claim.records.append(rec)
    if open_claim is not None and open_claim.lines:
        yield open_claim.outcome()
