"""Read-only list queries over the hub's tables (``hub.infrastructure.tables``), for the API, CSV and dashboard.

Each ``ListSpec`` names its filters and sortable columns (allow-lists). Rows are shaped into plain JSON values:
times as RFC 3339 strings, money in integer fen, counts as ints.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.expression import ColumnElement

from hub.entrypoints.web.listing import ListSpec
from hub.infrastructure import tables as t


def ensure_read_indexes(engine: Engine) -> None:
    """Create the read-path indexes (declared in hub.infrastructure.tables, migration 0004) on a database made by
    `create_all` before they existed."""
    for table in (t.eldercare_claim_lines, t.eldercare_adjudications, t.settlement_statements, t.disaster_events,
                  t.processed, t.dead_letters, t.hub_outbox):
        for ix in table.indexes:
            if ix.name and ix.name.startswith("ix_web_"):
                ix.create(engine, checkfirst=True)


def iso(value: Any) -> Any:
    """datetime → RFC 3339 (naive values from SQLite are UTC); date → ISO date; other values unchanged."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def plain(row: Any) -> dict:
    return {k: iso(v) for k, v in dict(row).items()}


def _figure(figures: dict | None, name: str) -> int:
    v = (figures or {}).get(name)
    return int(v) if v is not None else 0


# ------------------------------------------------------------------------------------------------ disasters

DE = t.disaster_events
PEOPLE = ("affected_population", "deaths", "missing", "injured", "relocated_cumulative", "relocated_realtime")


def _disaster_row(r: Any) -> dict:
    out = {k: iso(r[k]) for k in ("region", "event_id", "status", "stage", "revision", "disaster_type", "started_on",
                                   "data_as_of", "reporting_unit_code", "report_count", "updated_at")}
    out["counties"] = sorted(r["counties"] or [])
    out.update({k: _figure(r["figures"], k) for k in PEOPLE})
    out["flags"] = len(r["inconsistencies"] or []) + len(r["decreases"] or []) + len(r["deadline_flags"] or [])
    return out


DISASTERS = ListSpec(
    name="disasters",
    query=lambda: select(DE),
    filters={
        "region": lambda v: DE.c.region == v,
        "county": lambda v: cast(DE.c.counties, String).like(f'%"{v}"%'),  # v is validated as 6 digits
        "type": lambda v: DE.c.disaster_type == v,
        "stage": lambda v: DE.c.stage == v,
        "status": lambda v: DE.c.status == v,
        "started_from": lambda v: DE.c.started_on >= v,
        "started_to": lambda v: DE.c.started_on <= v,
    },
    sortable={"started_on": DE.c.started_on, "data_as_of": DE.c.data_as_of, "region": DE.c.region,
              "event_id": DE.c.event_id, "revision": DE.c.revision, "updated_at": DE.c.updated_at},
    default_sort="-started_on",
    shape=_disaster_row,
    csv_columns=("region", "event_id", "status", "stage", "revision", "disaster_type", "started_on", "data_as_of",
                 "reporting_unit_code", "counties", *PEOPLE, "report_count", "flags"),
)

# ------------------------------------------------------------------------------------------------ relief

SP = t.relief_stock_positions
STOCK = ListSpec(
    name="relief_stock",
    query=lambda: select(SP.c.region, SP.c.tier, SP.c.depot_id, SP.c.item, SP.c.spec, SP.c.batch, SP.c.unit,
                         SP.c.on_hand, SP.c.reserved, SP.c.damaged, SP.c.available, SP.c.last_snapshot_at,
                         SP.c.discrepancy_count, SP.c.updated_at),
    filters={"region": lambda v: SP.c.region == v, "tier": lambda v: SP.c.tier == v, "item": lambda v: SP.c.item == v,
             "depot": lambda v: SP.c.depot_id == v},
    sortable={"region": SP.c.region, "item": SP.c.item, "available": SP.c.available, "on_hand": SP.c.on_hand,
              "depot": SP.c.depot_id, "updated_at": SP.c.updated_at},
    default_sort="region",
    shape=plain,
    csv_columns=("region", "tier", "depot_id", "item", "spec", "batch", "unit", "on_hand", "reserved", "damaged",
                 "available", "last_snapshot_at", "discrepancy_count", "updated_at"),
)

SS, SR = t.relief_support_state, t.relief_support_requests
FLOWS = ListSpec(
    name="relief_flows",
    query=lambda: select(SS.c.request_id, SS.c.region, SS.c.status, SS.c.committed_regions, SS.c.declined_regions,
                         SS.c.lines, SS.c.flags, SS.c.updated_at, SR.c.needed_by, SR.c.event_region, SR.c.event_id,
                         SR.c.requested_at).select_from(SS.outerjoin(SR, SR.c.request_id == SS.c.request_id)),
    # drills stay out of the shared list: envelope_status always filters (its query arg defaults to "actual")
    filters={"envelope_status": lambda v: SS.c.envelope_status == v,
             "region": lambda v: SS.c.region == v, "status": lambda v: SS.c.status == v,
             "supporting_region": lambda v: cast(SS.c.committed_regions, String).like(f'%"{v}"%')},
    sortable={"requested_at": SR.c.requested_at, "needed_by": SR.c.needed_by, "updated_at": SS.c.updated_at,
              "region": SS.c.region, "status": SS.c.status},
    default_sort="-updated_at",
    shape=lambda r: {**plain(r), "in_transit": sum(max(int(ln.get("shipped", 0)) - int(ln.get("received", 0))
                                                        - int(ln.get("discrepancy", 0)), 0) for ln in r["lines"] or [])},
    csv_columns=("request_id", "region", "status", "event_region", "event_id", "requested_at", "needed_by",
                 "committed_regions", "declined_regions", "in_transit", "updated_at"),
)

# ------------------------------------------------------------------------------------------------ verification, referrals

VS, VR = t.verification_state, t.verification_requests


def _actual_id(column: ColumnElement) -> ColumnElement:
    """Drill (exercise/test) rows are stored under "<status>/<id>" (an identifier never holds "/"): the shared lists
    show actual ones only."""
    return and_(column.notlike("exercise/%"), column.notlike("test/%"))


def _now() -> datetime:
    return datetime.now(UTC)


def _overdue_verification() -> ColumnElement:
    return and_(VS.c.status != "complete", VS.c.due_on < literal(_now().date()))


VERIFICATIONS = ListSpec(
    name="verifications",
    query=lambda: select(VS.c.request_id, VS.c.region, VS.c.status, VS.c.due_on, VS.c.expected, VS.c.answered,
                         VS.c.missing, VS.c.result_status, VS.c.result_sent_at, VS.c.updated_at,
                         VR.c.assistance_type, VR.c.target_regions, VR.c.submitted_at, VR.c.response_deadline)
    .select_from(VS.outerjoin(VR, VR.c.request_id == VS.c.request_id))
    .where(_actual_id(VS.c.request_id)),
    filters={"region": lambda v: VS.c.region == v, "status": lambda v: VS.c.status == v,
             "assistance_type": lambda v: VR.c.assistance_type == v,
             "target_region": lambda v: cast(VR.c.target_regions, String).like(f'%"{v}"%'),
             "overdue": lambda v: _overdue_verification() if v else ~_overdue_verification()},
    sortable={"due_on": VS.c.due_on, "submitted_at": VR.c.submitted_at, "status": VS.c.status,
              "region": VS.c.region, "updated_at": VS.c.updated_at},
    default_sort="due_on",
    shape=lambda r: {**plain(r), "missing": len(r["missing"] or []),
                     "overdue": r["status"] != "complete" and r["due_on"] is not None and r["due_on"] < _now().date()},
    csv_columns=("request_id", "region", "assistance_type", "target_regions", "status", "submitted_at", "due_on",
                 "expected", "answered", "missing", "overdue", "result_status"),
)

RF = t.referrals


def _overdue_referral() -> ColumnElement:
    return and_(RF.c.acknowledged_at.is_(None), RF.c.acknowledge_by < literal(_now()),
                or_(RF.c.state.is_(None), RF.c.state.notin_(("closed", "rejected"))))


def _is_overdue_ref(r: Any) -> bool:
    by = r["acknowledge_by"]
    if by is None or r["acknowledged_at"] is not None or r["state"] in ("closed", "rejected"):
        return False
    return (by if by.tzinfo else by.replace(tzinfo=UTC)) < _now()


REFERRALS = ListSpec(
    name="referrals",
    query=lambda: select(RF.c.referral_id, RF.c.from_region, RF.c.to_region, RF.c.state, RF.c.sent_at,
                         RF.c.acknowledge_by, RF.c.acknowledged_at, RF.c.flags, RF.c.updated_at)
    .where(RF.c.envelope_status == "actual"),
    filters={"from_region": lambda v: RF.c.from_region == v, "to_region": lambda v: RF.c.to_region == v,
             "state": lambda v: RF.c.state == v,
             "overdue": lambda v: _overdue_referral() if v else ~_overdue_referral()},
    sortable={"sent_at": RF.c.sent_at, "acknowledge_by": RF.c.acknowledge_by, "state": RF.c.state,
              "updated_at": RF.c.updated_at},
    default_sort="acknowledge_by",
    shape=lambda r: {**plain(r), "overdue": _is_overdue_ref(r)},
    csv_columns=("referral_id", "from_region", "to_region", "state", "sent_at", "acknowledge_by", "acknowledged_at",
                 "overdue", "updated_at"),
)

# ------------------------------------------------------------------------------------------------ eldercare

CL, AD = t.eldercare_claims, t.eldercare_adjudications
#: Actual claims only (drills are never summarised), one row each, maintained with the lines by the intake.
CLAIMS = ListSpec(
    name="claims",
    query=lambda: select(CL.c.claim_id, CL.c.payer_district, CL.c.period, CL.c.facility_id, CL.c.facility_region,
                         CL.c.line_count, CL.c.claimed_fen, CL.c.submitted_at),
    filters={"payer_district": lambda v: CL.c.payer_district == v, "period": lambda v: CL.c.period == v,
             "facility_region": lambda v: CL.c.facility_region == v, "facility": lambda v: CL.c.facility_id == v},
    sortable={"claim_id": CL.c.claim_id, "period": CL.c.period, "facility": CL.c.facility_id,
              "claimed_fen": CL.c.claimed_fen},
    default_sort="claim_id",
    shape=lambda r: {**plain(r), "claimed_fen": int(r["claimed_fen"] or 0)},
    csv_columns=("claim_id", "payer_district", "period", "facility_id", "facility_region", "line_count",
                 "claimed_fen", "submitted_at"),
)

ADJUDICATIONS = ListSpec(
    name="adjudications",
    query=lambda: select(AD.c.line_id, AD.c.claim_id, AD.c.period, AD.c.payer_district, AD.c.facility_id,
                         AD.c.facility_region, AD.c.subsidy_type, AD.c.claimed_fen, AD.c.accepted, AD.c.reasons,
                         AD.c.payable_fen, AD.c.rate_fen, AD.c.statement_id, AD.c.updated_at),
    filters={"payer_district": lambda v: AD.c.payer_district == v, "period": lambda v: AD.c.period == v,
             "accepted": lambda v: AD.c.accepted.is_(bool(v)), "claim_id": lambda v: AD.c.claim_id == v,
             "facility_region": lambda v: AD.c.facility_region == v},
    # a line id is unique only within its claim: both keys order by the line key (claim, line) — the primary key's
    # index, so an unfiltered page reads 50 rows, not a million
    sortable={"line_id": (AD.c.claim_id, AD.c.line_id), "claim_id": (AD.c.claim_id, AD.c.line_id),
              "payable_fen": AD.c.payable_fen, "period": AD.c.period},
    default_sort="claim_id",
    shape=plain,
    csv_columns=("line_id", "claim_id", "period", "payer_district", "facility_id", "facility_region", "subsidy_type",
                 "claimed_fen", "accepted", "reasons", "payable_fen", "rate_fen", "statement_id"),
)

ST, EV, AC = t.settlement_statements, t.settlement_events, t.settlement_accounts


def statement_status() -> ColumnElement:
    """settled (from the account) > disputed (an unresolved dispute) > confirmed > the account's status > issued."""
    ev2 = EV.alias("ev2")
    open_dispute = exists().where(EV.c.statement_id == ST.c.statement_id, EV.c.kind == "dispute",
                                  ~exists().where(ev2.c.statement_id == EV.c.statement_id,
                                                  ev2.c.kind == "resolution", ev2.c.ref_id == EV.c.ref_id))
    confirmed = exists().where(EV.c.statement_id == ST.c.statement_id, EV.c.kind == "confirmation")
    return case((AC.c.status == "settled", "settled"), (open_dispute, "disputed"), (confirmed, "confirmed"),
                else_=func.coalesce(AC.c.status, "issued"))


STATEMENTS = ListSpec(
    name="statements",
    query=lambda: select(ST, statement_status().label("status"), AC.c.paid_fen, AC.c.withheld_fen)
    .select_from(ST.outerjoin(AC, AC.c.statement_id == ST.c.statement_id)),
    filters={"payer_district": lambda v: ST.c.payer_district == v, "period": lambda v: ST.c.period == v,
             "payee_region": lambda v: ST.c.payee_region == v, "payer_region": lambda v: ST.c.payer_region == v,
             "status": lambda v: statement_status() == v},
    sortable={"statement_id": ST.c.statement_id, "period": ST.c.period, "total_fen": ST.c.total_fen,
              "issued_at": ST.c.issued_at, "facility": ST.c.facility_id},
    default_sort="statement_id",
    shape=lambda r: {**plain(r), "paid_fen": int(r["paid_fen"] or 0), "withheld_fen": int(r["withheld_fen"] or 0)},
    csv_columns=("statement_id", "period", "payer_district", "payer_region", "payee_region", "facility_id",
                 "subsidy_type", "line_count", "total_fen", "status", "paid_fen", "withheld_fen", "issued_at"),
)

# ------------------------------------------------------------------------------------------------ exchange

DL = t.dead_letters
DEAD_LETTERS = ListSpec(
    name="dead_letters",
    query=lambda: select(DL.c.id, DL.c.message_id, DL.c.topic, DL.c.partition, DL.c.offset, DL.c.region, DL.c.code,
                         DL.c.reason, DL.c.paths, DL.c.received_at, DL.c.replayed_at),
    filters={"region": lambda v: DL.c.region == v, "code": lambda v: DL.c.code == v,
             "replayed": lambda v: DL.c.replayed_at.isnot(None) if v else DL.c.replayed_at.is_(None)},
    sortable={"id": DL.c.id, "received_at": DL.c.received_at, "code": DL.c.code},
    default_sort="-id",
    shape=plain,
    csv_columns=("id", "message_id", "topic", "partition", "offset", "region", "code", "reason", "paths",
                 "received_at", "replayed_at"),
)

PM = t.processed
REJECTIONS = ListSpec(
    name="rejections",
    # "code != 100" as the partial index ix_processed_rejected states it: only rejected records are read
    query=lambda: select(PM.c.region, PM.c.code, func.count().label("count"),
                         func.max(PM.c.received_at).label("last_at")).where(PM.c.code != 100)
    .group_by(PM.c.region, PM.c.code),
    filters={"region": lambda v: PM.c.region == v, "code": lambda v: PM.c.code == v,
             "since": lambda v: PM.c.received_at >= v},
    sortable={"region": PM.c.region, "code": PM.c.code, "count": func.count()},
    default_sort="region",
    shape=plain,
    csv_columns=("region", "code", "count", "last_at"),
)
