"""Polling a provincial system that cannot push (Beijing's export API), with ``requests``.

The API answers ``GET <url>?after=<cursor>`` with ``{"items": [{"format": "<format>", "body": {...}}, ...],
"cursor": "<next>"}``.  Messages and the new cursor are written in one transaction, so a crash re-polls from the
old cursor and nothing is taken twice or lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests
from sqlalchemy import select

from adapters.core import store
from adapters.core.pipeline import Ready, run
from adapters.core.readers import Record
from adapters.core.spec import MapContext, RegionSpec, Rejected

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, runtime, spec: RegionSpec, ctx: MapContext, url: str, *, token: str | None = None,  # noqa: ANN001
                 session: requests.Session | None = None, timeout_s: float = 15.0) -> None:
        self.runtime, self.spec, self.ctx, self.url, self.token = runtime, spec, ctx, url, token
        self.session, self.timeout_s = session or requests.Session(), timeout_s
        self.name = f"poll:{url}"

    def cursor(self) -> str:
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(store.cursors.c.position).where(store.cursors.c.name == self.name)).scalar() or ""

    def poll_once(self) -> int:
        """One request; returns how many items it brought."""
        cursor = self.cursor()
        headers = {"X-JJJ-Token": self.token} if self.token else {}
        resp = self.session.get(self.url, params={"after": cursor}, headers=headers, timeout=self.timeout_s)
        resp.raise_for_status()
        body = resp.json()
        if not isinstance(body, dict) or not isinstance(body.get("items") or [], list):
            raise ValueError(f"answer is not {{'items': [...], 'cursor': ...}} but {type(body).__name__}")
        items, new_cursor = body.get("items") or [], str(body.get("cursor") or cursor)
        ready: list[Ready] = []
        rejected: dict[str, list[Rejected]] = {}
        for i, item in enumerate(items):
            fmt = self.spec.formats.get(str(item.get("format"))) if isinstance(item, dict) else None
            if fmt is None:
                log.error("poll item %d of cursor %s has unknown format %r", i, cursor,
                          item.get("format") if isinstance(item, dict) else item)
                continue
            rec = Record(f"poll:{cursor}", f"items[{i}]", item.get("body"), str(item.get("body")), i + 1)
            for r in run(fmt, [rec], self.ctx, self.runtime.envelope):
                (ready.append(r) if isinstance(r, Ready) else rejected.setdefault(fmt.name, []).append(r))
        with self.runtime.engine.begin() as conn:
            self.runtime.write(conn, ready, [], "poll")
            for fmt_name, rj in rejected.items():
                self.runtime.write(conn, [], rj, fmt_name)
            values = {"name": self.name, "position": new_cursor, "updated_at": datetime.now(UTC)}
            if conn.execute(select(store.cursors.c.name).where(store.cursors.c.name == self.name)).first():
                conn.execute(store.cursors.update().where(store.cursors.c.name == self.name).values(**values))
            else:
                conn.execute(store.cursors.insert().values(**values))
        self.runtime.committed()
        return len(items)

    def run(self, stop: Callable[[], bool], interval_s: float = 5.0, max_backoff_s: float = 60.0) -> None:
        """Poll until ``stop``: again at once while pages come, every ``interval_s`` when idle, and after a failure
        (HTTP error, timeout, bad JSON) after a delay that doubles per consecutive failure up to ``max_backoff_s``."""
        failures = 0
        while not stop():
            try:
                brought = self.poll_once()
                failures = 0
                if brought:
                    continue
                delay = interval_s
            except Exception as exc:  # noqa: BLE001 - HTTP, timeout, bad JSON or database: retry, never die
                failures += 1
                delay = min(interval_s * 2 ** (failures - 1), max_backoff_s)
                log.warning("polling %s failed (%d in a row): %s; retrying in %.1fs", self.url, failures, exc, delay,
                            exc_info=not isinstance(exc, requests.RequestException | ValueError))
            self._wait(stop, delay)

    @staticmethod
    def _wait(stop: Callable[[], bool], seconds: float) -> None:
        """Sleep, but notice ``stop`` within a tenth of a second (a long backoff must not delay shutdown)."""
        deadline = time.monotonic() + seconds
        while not stop() and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))
