"""The played-steps ledger: a step is recorded once its adapter (or the broker) has taken it, so a second
`jjj demo` plays only what is missing and never duplicates a message."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path


class Ledger:
    """A tiny SQLite table: step id → delivered message ids and when."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS played (step_id TEXT PRIMARY KEY, message_ids TEXT NOT NULL, "
                         "played_at TEXT NOT NULL)")

    def played(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT step_id FROM played")}

    def message_ids(self) -> dict[str, list[str]]:
        return {r[0]: json.loads(r[1]) for r in self._db.execute("SELECT step_id, message_ids FROM played")}

    def record(self, step_id: str, message_ids: list[str]) -> None:
        self._db.execute("INSERT OR IGNORE INTO played VALUES (?, ?, ?)",
                         (step_id, json.dumps(message_ids), datetime.now(UTC).isoformat()))

    def close(self) -> None:
        self._db.close()
