"""The drop-folder watcher (Tianjin, Hebei exports): a file is taken only once its size held for one scan, imported
once, then moved to ``done/`` (also with rejected rows: they are in the rejects table) or ``failed/`` (unreadable)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from adapters.core import store
from adapters.core.spec import region
from adapters.core.watch import scan_once, watch
from jjj.bench.adapter import HEADER, write_ledger
from tests.adapters.conftest import context
from tests.adapters.kafka_helpers import wait_for
from tests.adapters.test_malformed import CLAIM_HEADER, GOOD, with_, write_csv


def count(rt, table) -> int:  # noqa: ANN001
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def listing(folder: Path) -> dict[str, list[str]]:
    """Files of the folder and of its done/ and failed/ sub-folders."""
    out = {"": sorted(p.name for p in folder.iterdir() if p.is_file())}
    for sub in ("done", "failed"):
        out[sub] = sorted(p.name for p in (folder / sub).iterdir()) if (folder / sub).is_dir() else []
    return out


def setup(make_runtime, hasher, tmp_path: Path):  # noqa: ANN001, ANN201
    rt, spec = make_runtime("tj"), region("tj")
    folder = tmp_path / "drop"
    folder.mkdir()
    return rt, spec, context(spec, hasher), folder


def test_a_file_is_taken_only_after_its_size_held_for_one_scan(make_runtime, hasher, tmp_path: Path) -> None:  # noqa: ANN001
    rt, spec, ctx, folder = setup(make_runtime, hasher, tmp_path)
    sizes: dict[Path, int] = {}
    write_ledger(folder / "ledger_2026-07.csv", 3)
    assert scan_once(rt, spec, ctx, folder, sizes) == 0          # first seen: maybe still being written
    assert listing(folder) == {"": ["ledger_2026-07.csv"], "done": [], "failed": []}
    assert count(rt, store.outbox) == 0
    assert scan_once(rt, spec, ctx, folder, sizes) == 1          # same size one scan later: finished, taken
    assert listing(folder) == {"": [], "done": ["ledger_2026-07.csv"], "failed": []}
    assert count(rt, store.outbox) == 3
    assert sizes == {}                                            # nothing remembered about files that left
    assert scan_once(rt, spec, ctx, folder, sizes) == 0 and count(rt, store.outbox) == 3


def test_a_growing_file_waits_until_the_exporter_stopped_writing(make_runtime, hasher, tmp_path: Path) -> None:  # noqa: ANN001
    rt, spec, ctx, folder = setup(make_runtime, hasher, tmp_path)
    sizes: dict[Path, int] = {}
    f = write_ledger(folder / "ledger_grow.csv", 2)
    whole = f.read_text(encoding="utf-8-sig")
    f.write_text(whole[: len(whole) - 40], encoding="utf-8-sig")  # the exporter is mid-row
    assert scan_once(rt, spec, ctx, folder, sizes) == 0
    write_ledger(f, 5)                                              # it went on writing: the size changed
    assert scan_once(rt, spec, ctx, folder, sizes) == 0
    assert count(rt, store.outbox) == 0 and listing(folder)[""] == ["ledger_grow.csv"]
    assert scan_once(rt, spec, ctx, folder, sizes) == 1
    assert count(rt, store.outbox) == 5 and listing(folder)["done"] == ["ledger_grow.csv"]


def test_a_partially_bad_file_sends_the_good_rows_keeps_the_bad_and_goes_to_done(make_runtime, hasher,  # noqa: ANN001
                                                                                 tmp_path: Path) -> None:
    rt, spec, ctx, folder = setup(make_runtime, hasher, tmp_path)
    bad = with_(GOOD, 申报单号="C2", 明细编号="L9", 身份证号="110105194912310031")
    write_csv(folder / "claims_2026-09.csv", [GOOD, bad, with_(GOOD, 申报单号="C3")])
    sizes: dict[Path, int] = {}
    assert [scan_once(rt, spec, ctx, folder, sizes) for _ in range(2)] == [0, 1]
    assert listing(folder) == {"": [], "done": ["claims_2026-09.csv"], "failed": []}
    assert count(rt, store.outbox) == 2
    with rt.engine.connect() as conn:
        reject = conn.execute(select(store.rejects)).one()
        imp = conn.execute(select(store.imports)).one()
    assert (reject.source, reject.location, reject.original) == ("claims_2026-09.csv", "row 3", ",".join(bad))
    assert (imp.status, imp.accepted, imp.rejected) == ("done", 2, 1)


def test_an_unreadable_file_goes_to_failed_and_the_rows_before_the_fault_stand(make_runtime, hasher,  # noqa: ANN001
                                                                              tmp_path: Path) -> None:
    rt, spec, ctx, folder = setup(make_runtime, hasher, tmp_path)
    (folder / "ledger_bad.csv").write_bytes(b"\x80\x80\x80\xff\xfe")              # neither UTF-8 nor GBK
    write_csv(folder / "claims_cols.csv", [GOOD[:3]], header=CLAIM_HEADER[:3])     # missing columns
    sizes: dict[Path, int] = {}
    assert [scan_once(rt, spec, ctx, folder, sizes) for _ in range(2)] == [0, 2]
    assert listing(folder) == {"": [], "done": [], "failed": ["claims_cols.csv", "ledger_bad.csv"]}
    assert count(rt, store.outbox) == 0
    with rt.engine.connect() as conn:
        imports = {r.source: (r.status, r.error.split(":")[0]) for r in conn.execute(select(store.imports))}
    assert imports == {"claims_cols.csv": ("failed", "claims_cols.csv"), "ledger_bad.csv": ("failed", "ledger_bad.csv")}


def test_foreign_files_are_left_alone_and_a_file_dropped_twice_is_not_doubled(make_runtime, hasher,  # noqa: ANN001
                                                                              tmp_path: Path) -> None:
    rt, spec, ctx, folder = setup(make_runtime, hasher, tmp_path)
    (folder / "readme.txt").write_text("not an export", encoding="utf-8")
    write_ledger(folder / "ledger_a.csv", 4)
    sizes: dict[Path, int] = {}
    assert [scan_once(rt, spec, ctx, folder, sizes) for _ in range(3)] == [0, 1, 0]
    write_ledger(folder / "ledger_a.csv", 4)     # the exporter drops the very same file again (same sha256)
    assert [scan_once(rt, spec, ctx, folder, sizes) for _ in range(2)] == [0, 1]
    assert listing(folder) == {"": ["readme.txt"], "done": ["ledger_a.csv"], "failed": []}
    assert count(rt, store.outbox) == 4 and count(rt, store.imports) == 1


def test_the_watch_loop_takes_files_dropped_while_it_runs_and_stops_when_told(make_runtime, hasher,  # noqa: ANN001
                                                                              tmp_path: Path) -> None:
    rt, spec, ctx, folder = setup(make_runtime, hasher, tmp_path)
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(rt, spec, ctx, folder, stop.is_set), kwargs={"interval_s": 0.05})
    t.start()
    try:
        write_ledger(folder / "ledger_1.csv", 3)
        wait_for(lambda: listing(folder)["done"] == ["ledger_1.csv"], 20, 0.05)
        (folder / "ledger_2.csv").write_text(HEADER, encoding="utf-8-sig")  # a header only: no rows, still done
        wait_for(lambda: listing(folder)["done"] == ["ledger_1.csv", "ledger_2.csv"], 20, 0.05)
    finally:
        stop.set()
        t.join(timeout=10)
    assert not t.is_alive()
    assert count(rt, store.outbox) == 3 and listing(folder)[""] == []
