"""Read-side queries for the API and dashboard (no writes)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from hub.infrastructure import tables as t

STAGE_RANK = {"initial": 1, "update": 2, "final": 3}


def disaster_event(engine: Engine, region: str, event_id: str) -> dict | None:
    r = t.disaster_reports
    with engine.connect() as conn:
        rows = conn.execute(select(r).where(r.c.region == region, r.c.event_id == event_id)).all()
    if not rows:
        return None
    history = sorted((dict(row._mapping) for row in rows),
                     key=lambda x: (STAGE_RANK.get(x["stage"] or "", 0), x["revision"] or 0, x["data_as_of"] or ""))
    current = history[-1]
    return {
        "region": region,
        "event_id": event_id,
        "stage": current["stage"],
        "revision": current["revision"],
        "data_as_of": current["data_as_of"],
        "current": current["payload"],
        "history": [{"message_id": h["message_id"], "stage": h["stage"], "revision": h["revision"],
                     "data_as_of": h["data_as_of"]} for h in history],
    }
