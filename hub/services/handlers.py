"""Effects per message kind, applied inside the batch transaction. Each handler gets (conn, message, now)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert

from hub.infrastructure import tables as t


class BusinessRuleBroken(Exception):
    """A domain rule refuses the message (receipt code 420 with the rule id)."""

    def __init__(self, rule: str, reason: str, reason_zh: str = "", paths: list[str] | None = None) -> None:
        super().__init__(reason)
        self.rule, self.reason, self.reason_zh, self.paths = rule, reason, reason_zh or reason, paths or []


def record_disaster_message(conn, msg: dict, now: datetime) -> None:  # noqa: ANN001
    p = msg["payload"]
    conn.execute(insert(t.disaster_reports).values(
        message_id=msg["message_id"], region=msg["sender"]["region"], event_id=p["event_id"], kind=msg["kind"],
        stage=p.get("stage"), revision=p.get("revision"), data_as_of=p.get("data_as_of"), sent_at=msg["sent_at"],
        received_at=now, payload=p))


HANDLERS: dict[str, Callable] = {
    "disaster.report": record_disaster_message,
    "disaster.correction": record_disaster_message,
    "disaster.cancel": record_disaster_message,
}
