"""A district officer's confirm / dispute of a settlement statement: the web checks who may act (the payer
district's officer, on an issued statement), then calls the hub service (``hub.services.settlement``), which
records the fact, recomputes the account, queues the notice to the payee region and writes the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

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


def _check(engine: Engine, user: User, statement_id: str):  # noqa: ANN202
    with engine.connect() as conn:
        return _load(conn, user, statement_id)


def _call(fn, *args, **kwargs) -> dict:  # noqa: ANN001, ANN002, ANN003
    from hub.services.settlement import SettlementError

    try:
        return fn(*args, **kwargs)
    except SettlementError as exc:
        raise ActionRefused(422, str(exc)) from exc


def confirm(engine: Engine, user: User, statement_id: str, *, prefix: str = "jjj") -> dict:
    """Confirm an issued statement of the officer's own district (hub service: event, account, notice, audit)."""
    from hub.services import settlement

    _check(engine, user, statement_id)
    acc = _call(settlement.confirm, engine, statement_id, f"officer:{user.username}", prefix=prefix)
    return {"statement_id": statement_id, "status": acc["status"], "at": datetime.now(UTC).isoformat()}


def dispute(engine: Engine, user: User, statement_id: str, line_ids: list[str], reason: str, *,
            prefix: str = "jjj") -> dict:
    """Dispute lines of an issued statement of the officer's own district, with a reason."""
    from hub.services import settlement

    if not reason.strip():
        raise ActionRefused(422, "a dispute needs a reason / 异议须说明理由")
    _check(engine, user, statement_id)
    acc = _call(settlement.dispute, engine, statement_id, f"officer:{user.username}", sorted(set(line_ids)),
                reason.strip()[:1000], prefix=prefix)
    return {"statement_id": statement_id, "status": acc["status"], "at": datetime.now(UTC).isoformat()}
