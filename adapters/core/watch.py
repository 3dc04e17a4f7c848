"""Scheduled exports dropped in a folder (Tianjin, Hebei): import each finished file once, then move it aside.

A file is taken when its size has not changed for ``settle_s`` (the exporter has finished writing).  Afterwards
it moves to ``done/`` (even with rejected rows: those are in the rejects table) or ``failed/`` (unreadable).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from adapters.core.errors import AdapterError
from adapters.core.importer import import_file
from adapters.core.spec import MapContext, RegionSpec

log = logging.getLogger(__name__)


def scan_once(runtime, spec: RegionSpec, ctx: MapContext, folder: Path, sizes: dict[Path, int],  # noqa: ANN001
              metrics=None) -> int:  # noqa: ANN001
    """Import the settled files of ``folder``; returns how many were handled."""
    handled = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        size = path.stat().st_size
        if sizes.get(path) != size:
            sizes[path] = size  # seen for the first time or still growing: next scan
            continue
        sizes.pop(path, None)
        try:
            fmt = spec.format_for(path)
        except AdapterError:
            continue  # not one of our exports: leave it alone
        try:
            summary = import_file(runtime, fmt, path, ctx, progress=False, again=False)
            target = "failed" if summary.fatal else "done"
            log.info("imported %s: %d messages, %d rejected rows%s", path.name, summary.accepted_messages,
                     summary.rejected_records, f", stopped: {summary.fatal}" if summary.fatal else "")
            if metrics is not None:
                metrics.count(fmt.kinds[0], "accepted", summary.accepted_records)
                metrics.count(fmt.kinds[0], "rejected", summary.rejected_records)
        except AdapterError as exc:
            log.warning("not importing %s: %s", path.name, exc)
            target = "done"
        (folder / target).mkdir(exist_ok=True)
        shutil.move(str(path), folder / target / path.name)
        handled += 1
    return handled


def watch(runtime, spec: RegionSpec, ctx: MapContext, folder: Path, stop: Callable[[], bool],  # noqa: ANN001
          interval_s: float = 2.0, metrics=None) -> None:  # noqa: ANN001
    sizes: dict[Path, int] = {}
    folder.mkdir(parents=True, exist_ok=True)
    while not stop():
        try:
            scan_once(runtime, spec, ctx, folder, sizes, metrics)
        except Exception:  # noqa: BLE001 - one bad scan must not stop the adapter
            log.exception("scanning %s failed", folder)
        time.sleep(interval_s)
