"""The payee side of settlement: the ``hub.statement_notice`` messages the hub sent to a statement's payee region
(issued, confirmed, disputed, paid …), read from ``hub_outbox`` — exactly what went (or is queued to go) on the
payee's inbox topic — and one statement as the payee sees it (status, disputed lines and the dispute reasons).

Scope: a region operator of the payee region sees its own region's notices; coordinators and admins see all.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from hub.entrypoints.web.listing import ListSpec
from hub.entrypoints.web.readmodel import AC, ST, iso, statement_status
from hub.infrastructure import tables as t
from jjj.bus.topics import inbox_topic
from jjj.config import REGIONS
from schemas import KINDS

HO = t.hub_outbox
#: ``hub_outbox.kind`` of a statement notice ("<kind>@<schema version>"): an equality, so that the (kind, seq) index
#: yields the newest notices first among every receipt the hub sent. A schema version bump adds the new value here.
NOTICE_KINDS = (f"hub.statement_notice@{KINDS['hub.statement_notice'].version}",)


def _to_payee():  # noqa: ANN202
    """The notice went to the joined statement's payee region (notices to the payer region are not the payee's):
    spelled out per region with constants, so that PostgreSQL estimates it and reads the newest notices by index
    (``topic = prefix || payee_region`` made it expect 11 rows, join all 30,000 and sort: 50–240 ms)."""
    prefix = current_app.extensions["jjj.settings"].topic_prefix
    return or_(*[and_(ST.c.payee_region == r, HO.c.topic == inbox_topic(prefix, r)) for r in REGIONS])


def _query():  # noqa: ANN202
    return (select(HO.c.seq, HO.c.message_id, HO.c.value, HO.c.created_at, HO.c.sent_at, ST.c.payee_region,
                   ST.c.facility_id, statement_status().label("status"))
            .select_from(HO.join(ST, ST.c.statement_id == HO.c.key)
                         .outerjoin(AC, AC.c.statement_id == ST.c.statement_id))
            .where(HO.c.kind.in_(NOTICE_KINDS), _to_payee()))


def _shape(r: Any) -> dict:
    p = json.loads(r["value"])["payload"]  # the hub's own message, validated when it was encoded
    return {"message_id": r["message_id"], "statement_id": p["statement_id"], "notice_type": p["notice_type"],
            "period": p["period"], "payer_code": p["payer_code"], "payee_region": p["payee_region"],
            "facility_id": r["facility_id"], "claim_count": p["claim_count"], "claimed_fen": p["claimed_fen"],
            "accepted_fen": p["accepted_fen"], "differences": len(p.get("differences") or []),
            "due_on": p.get("due_on"), "queued_at": iso(r["created_at"]), "delivered_at": iso(r["sent_at"]),
            "status": r["status"]}


NOTICES = ListSpec(
    name="statement_notices",
    query=_query,
    filters={"statement_id": lambda v: HO.c.key == v, "period": lambda v: ST.c.period == v,
             "payee_region": lambda v: ST.c.payee_region == v, "facility": lambda v: ST.c.facility_id == v},
    sortable={"seq": HO.c.seq, "queued_at": HO.c.created_at, "statement_id": HO.c.key},
    default_sort="-seq",
    shape=_shape,
    csv_columns=("queued_at", "delivered_at", "notice_type", "statement_id", "period", "payer_code", "payee_region",
                 "facility_id", "claim_count", "claimed_fen", "accepted_fen", "differences", "due_on", "status",
                 "message_id"),
)


def payee_view(st: dict) -> dict:
    """What the payee needs from one statement (``readmodel_views.statement``): its disputes (open or resolved, with
    reason and lines) and which lines are withheld by an open dispute. Officers are shown by role, not by name."""
    resolved = {e["ref_id"] for e in st["events"] if e["kind"] == "resolution"}
    disputes = [{"dispute_id": e["ref_id"], "at": e["at"], "reason": e["reason"] or "",
                 "line_ids": list(e["line_ids"] or []), "open": e["ref_id"] not in resolved,
                 "by": e["actor"] if e["actor"] in ("bj", "tj", "he") else "officer"}
                for e in st["events"] if e["kind"] == "dispute"]
    withheld = {ln for d in disputes if d["open"] for ln in d["line_ids"]}
    lines = [{**ln, "disputed": ln["line_id"] in withheld} for ln in st["lines"]]
    history = [{"kind": e["kind"], "at": e["at"], "amount_fen": e["amount_fen"],
                "by": e["actor"] if e["actor"] in ("bj", "tj", "he") else "officer"} for e in st["events"]]
    return {**st, "lines": lines, "disputes": disputes, "history": history}
