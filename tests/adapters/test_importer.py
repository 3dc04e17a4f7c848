"""`import`: streamed into the outbox in batches, rejects kept verbatim, a crashed import resumes without doubling."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.core import store
from adapters.core.importer import AlreadyImported, import_file
from adapters.core.spec import region
from tests.adapters.conftest import context, sample
from tests.adapters.test_malformed import GOOD, with_, write_csv


def count(rt, table) -> int:  # noqa: ANN001
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_import_puts_good_rows_in_the_outbox_and_keeps_bad_rows_verbatim(make_runtime, hasher, tmp_path: Path) -> None:  # noqa: ANN001
    rt, spec = make_runtime("tj"), region("tj")
    bad_row = with_(GOOD, 明细编号="L2", 身份证号="110105194912310031")
    f = write_csv(tmp_path / "claims_2026-09.csv", [GOOD, bad_row, with_(GOOD, 申报单号="C2")])
    s = import_file(rt, spec.formats["claims"], f, context(spec, hasher), progress=False)
    assert (s.accepted_messages, s.accepted_records, s.rejected_records) == (2, 2, 1)
    assert s.reasons == {"身份证号 (elder_ref): check digit is 1, expected 8": 1}
    assert count(rt, store.outbox) == 2
    with rt.engine.connect() as conn:
        reject = conn.execute(select(store.rejects)).one()
        imp = conn.execute(select(store.imports)).one()
    assert (reject.source, reject.location, reject.format, reject.import_id) == ("claims_2026-09.csv", "row 3", "claims",
                                                                                s.import_id)
    assert reject.original == ",".join(bad_row)  # nothing lost: the operator can fix and re-send it
    assert reject.problems[0]["field"] == "身份证号 (elder_ref)"
    assert (imp.status, imp.accepted, imp.rejected, imp.ordinal_done) == ("done", 2, 1, 3)
    with pytest.raises(AlreadyImported):
        import_file(rt, spec.formats["claims"], f, context(spec, hasher), progress=False)
    again = import_file(rt, spec.formats["claims"], f, context(spec, hasher), progress=False, again=True)
    assert again.accepted_messages == 2 and count(rt, store.outbox) == 4


def test_an_import_that_crashed_resumes_where_its_last_batch_committed(make_runtime, hasher, tmp_path: Path,  # noqa: ANN001
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rt, spec = make_runtime("tj"), region("tj")
    f = tmp_path / "ledger_big.csv"
    shutil.copy(sample("tianjin", "ledger_2026-07.csv"), f)
    fmt = spec.formats["ledger"]
    calls = {"n": 0}
    original = rt.write

    def crash_on_third_batch(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return original(*args, **kw)

    monkeypatch.setattr(rt, "write", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        import_file(rt, fmt, f, context(spec, hasher), batch=2, progress=False)
    assert count(rt, store.outbox) == 4  # two batches of two committed
    monkeypatch.setattr(rt, "write", original)
    s = import_file(rt, fmt, f, context(spec, hasher), batch=2, progress=False)
    assert (s.skipped_records, s.accepted_messages) == (4, 1)
    with rt.engine.connect() as conn:
        ids = conn.execute(select(store.outbox.c.key, store.outbox.c.value)).all()
    assert len(ids) == 5 and len({v for _, v in ids}) == 5
    assert sorted(b'"movement_id":"TJ-TZ-202607-00000' + str(i).encode() + b'"' in v
                  for i in range(1, 6) for _, v in ids).count(True) == 5


def test_an_unreadable_file_stops_with_the_reason_and_earlier_records_stay(make_runtime, hasher, tmp_path: Path) -> None:  # noqa: ANN001
    rt, spec = make_runtime("he"), region("he")
    text = sample("hebei", "stock_2026-07-31.xml").read_text(encoding="utf-8")
    f = tmp_path / "stock_cut.xml"
    f.write_text(text[: text.index("</StockReport>") - 40], encoding="utf-8")
    s = import_file(rt, spec.formats["stock"], f, context(spec, hasher), progress=False)
    assert s.accepted_messages == 1 and s.fatal.startswith("stock_cut.xml:line ")
    with rt.engine.connect() as conn:
        assert conn.execute(select(store.imports.c.status)).scalar_one() == "failed"
