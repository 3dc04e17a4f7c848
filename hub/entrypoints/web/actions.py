"""A district officer's confirm / dispute of a settlement statement, recorded as a ``settlement_events`` fact
(actor ``officer:<username>``) in one transaction, with the same rules the dashboard and API share.

The account state (``settlement_accounts``) and the notice to the payee region are the hub services' job; they
read these facts like the ones that arrive by message.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from hub.entrypoints.web.auth_store import User
from hub.entrypoints.web.readmodel import statement_status
from hub.infrastructure import tables as t
from jjj.errors import JJJError


class ActionRefused(JJJError):
    """The action is not allowed: ``status`` is the HTTP status to answer with (403, 404, 409, 422)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _load(conn, user: User, statement_id: str):  # noqa: ANN001, ANN202
    st, ac = t.settlement_statements, t.settlement_accounts
    row = conn.execute(select(st.c.statement_id, st.c.payer_district, st.c.total_fen, statement_status().label("status"))
                       .select_from(st.outerjoin(ac, ac.c.statement_id == st.c.statement_id))
                       .where(st.c.statement_id == statement_id)).first()
    if row is None:
        raise ActionRefused(404, f"no statement {statement_id}")
    if user.role != "district_officer" or user.district != row.payer_district:
        # Same answer as "absent" for other districts' statements would hide existence; a 403 is clearer to
        # officers and leaks only that the id exists, which the id alone already implies.
        raise ActionRefused(403, "only the payer district's settlement officer may act on this statement / 仅支付地区县结算人员可操作")
    if row.status != "issued":
        raise ActionRefused(409, f"statement is {row.status}, not issued / 结算单状态为 {row.status}")
    return row


def confirm(engine: Engine, user: User, statement_id: str) -> dict:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        row = _load(conn, user, statement_id)
        event_id = f"web-confirmation-{uuid.uuid4().hex}"
        conn.execute(insert(t.settlement_events).values(
            event_id=event_id, statement_id=statement_id, kind="confirmation", at=now, amount_fen=row.total_fen,
            line_ids=None, ref_id=None, reason=None, actor=f"officer:{user.username}"))
    return {"statement_id": statement_id, "event_id": event_id, "status": "confirmed", "at": now.isoformat()}


def dispute(engine: Engine, user: User, statement_id: str, line_ids: list[str], reason: str) -> dict:
    if not reason.strip():
        raise ActionRefused(422, "a dispute needs a reason / 异议须说明理由")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        _load(conn, user, statement_id)
        known = {r[0] for r in conn.execute(select(t.settlement_lines.c.line_id)
                                            .where(t.settlement_lines.c.statement_id == statement_id))}
        unknown = sorted(set(line_ids) - known)
        if unknown or not line_ids:
            raise ActionRefused(422, f"lines not on this statement: {', '.join(unknown) or '(none given)'}")
        dispute_id = f"web-dispute-{uuid.uuid4().hex[:16]}"
        conn.execute(insert(t.settlement_events).values(
            event_id=dispute_id, statement_id=statement_id, kind="dispute", at=now, amount_fen=None,
            line_ids=sorted(set(line_ids)), ref_id=dispute_id, reason=reason.strip()[:1000],
            actor=f"officer:{user.username}"))
    return {"statement_id": statement_id, "event_id": dispute_id, "status": "disputed", "at": now.isoformat()}
