"""Hebei facilities' monthly claims for Beijing elders, as XML: <Claim> with <Line>s, amounts in 元.

Claims are streamed one <Claim> at a time (iterparse); each <Line> is its own located record, so a bad line is
rejected alone and the claim goes on with the good ones.
"""

from __future__ import annotations

from collections.abc import Iterator

from adapters.core import catalogues as cat
from adapters.core import units as u
from adapters.core.errors import RowError
from adapters.core.mapping import collect, get, native_month
from adapters.core.readers import Record
from adapters.core.spec import Canonical, MapContext, Mapped, Outcome, Rejected
from adapters.core.xmlsource import all_named
from adapters.hebei.codes import division

FIELDS = {"payload.lines.days_in_care": "Line@days", "payload.lines.amount_fen": "Line@amount",
          "payload.lines.line_id": "Line@no", "payload.payer_district_code": "Claim@payer"}


def _line(a: dict, ctx: MapContext) -> dict:
    ref, subsidy, days, fen = collect(
        lambda: ctx.persons.ref(get(a, "idNumber"), "@idNumber (elder_ref)"),
        lambda: cat.SUBSIDY_TYPES(get(a, "subsidy"), "@subsidy (subsidy_type)"),
        lambda: u.count(get(a, "days"), "@days (days_in_care)"),
        lambda: u.yuan_to_fen(get(a, "amount"), "@amount (amount_fen)"))
    return {"line_id": str(get(a, "no", "line_id")), "elder_ref": ref, "enrolment_id": str(get(a, "enrolment")),
            "subsidy_type": subsidy, "days_in_care": days, "amount_fen": fen}


def claims(records: Iterator[Record], ctx: MapContext) -> Iterator[Outcome]:
    """Each <Claim> → one eldercare.claim of its good lines; bad lines (and bad claim headers) are rejected."""
    for rec in records:
        a = rec.data.attrib
        try:
            unit, period = collect(lambda a=a: division(get(a, "county"), "@county (facility.unit_code)", county=True),
                                   lambda a=a: native_month(get(a, "period"), "@period (period)"))
            head = {"claim_id": str(get(a, "no", "claim_id")),
                    "facility": {"facility_id": str(get(a, "facilityId")), "name": str(get(a, "facilityName")),
                                 "unit_code": unit},
                    "facility_region": "he", "payer_district_code": str(get(a, "payer", "payer_district_code")),
                    "period": period}
        except RowError as exc:
            yield Rejected((rec,), exc.at(rec.source, rec.location))
            continue
        lines, line_records = [], []
        for i, ln in enumerate(all_named(rec.data, "Line"), start=1):
            lrec = Record(rec.source, f"{rec.location}/Line[{i}]", ln, _xml(ln), rec.ordinal)
            try:
                lines.append(_line(dict(ln.attrib), ctx))
                line_records.append(lrec)
            except RowError as exc:
                yield Rejected((lrec,), exc.at(lrec.source, lrec.location))
        if not lines:
            continue

        def build(drop: set[int], head=head, lines=lines) -> Canonical | None:
            kept = [ln for i, ln in enumerate(lines) if i not in drop]
            return Canonical("eldercare.claim", {**head, "lines": kept, "line_count": len(kept),
                                                 "total_fen": sum(x["amount_fen"] for x in kept)}) if kept else None

        yield Mapped(build(set()), tuple(line_records), rebuild=build)


def _xml(elem) -> str:  # noqa: ANN001
    import xml.etree.ElementTree as ET

    return ET.tostring(elem, encoding="unicode")
