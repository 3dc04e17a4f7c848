"""The hub's tables (SQLAlchemy Core). The hub stores what reconciliation needs and nothing more: no plain ID
numbers, no unmasked names (contracts.md "Privacy"); persons appear only as ``person_ref`` strings
``"<key_id>:<hex>"``.

Two kinds of tables:

* **facts** — one row per thing a region said (a report revision, a ledger movement, a claim line …), written once
  and never rewritten (``*_reports``, ``*_movements``, ``*_lines`` …);
* **state** — derived rows recomputed from the facts of one entity with the pure rules of ``hub.domain``
  (``disaster_events``, ``relief_stock_positions``, ``verification_state``, ``eldercare_adjudications`` …). A state
  row is a function of the set of facts, so arrival order, duplicates and restarts never change it.

Region columns hold the bus codes ``bj``/``tj``/``he``; unit codes are GB/T 2260 strings. Money is integer fen.
Table and column names are stable: the web reads them (through ``hub.services.queries``).
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    event,
)

from jjj.db import create_tables
from jjj.outbox import SeqType, outbox_table

metadata = MetaData()


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on both databases (SQLite keeps no offset: store UTC there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


TS = UTCDateTime()


# --------------------------------------------------------------------------------------------- intake

#: One row per consumed record, written in the same transaction as its effect: the idempotency key.
processed = Table(
    "processed_messages", metadata,
    Column("message_id", String(64), primary_key=True),  # or "topic/partition/offset" for undecodable records
    Column("topic", String(160), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("region", String(8), nullable=False),
    Column("kind", String(80), nullable=True),
    Column("code", Integer, nullable=False),  # receipt code (100 accepted, 2xx–5xx rejected)
    Column("reason", Text, nullable=True),
    Column("received_at", TS, nullable=False),
)
Index("ix_processed_region_code", processed.c.region, processed.c.code)
# rejected records only (a small share of every record): the rejections list reads these, not every record
Index("ix_processed_rejected", processed.c.region, processed.c.code, processed.c.received_at,
      sqlite_where=processed.c.code != 100, postgresql_where=processed.c.code != 100)

#: Records per (region, receipt code) and the newest one's time, kept by the intake in each batch's transaction:
#: exchange health reads these few rows instead of grouping every processed record.
processed_counts = Table(
    "processed_counts", metadata,
    Column("region", String(8), nullable=False),
    Column("code", Integer, nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("last_at", TS, nullable=False),
    PrimaryKeyConstraint("region", "code"),
)

#: Dead letters: the original bytes and why, for `jjj dlq list|show|replay`.
dead_letters = Table(
    "dead_letters", metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("message_id", String(64), nullable=True),
    Column("topic", String(160), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("region", String(8), nullable=False),
    Column("code", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("paths", JSON, nullable=True),
    Column("original", Text, nullable=False),  # base64 of the original value bytes
    Column("received_at", TS, nullable=False),
    Column("replayed_at", TS, nullable=True),
)

hub_outbox = outbox_table(metadata, "hub_outbox")

# --------------------------------------------------------------------------------------------- disasters

#: Every revision of every disaster report, as received (history is never rewritten). Facts.
disaster_reports = Table(
    "disaster_reports", metadata,
    Column("message_id", String(32), nullable=False),
    Column("region", String(8), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),  # disaster.report | disaster.correction | disaster.cancel
    Column("stage", String(16), nullable=True),
    Column("revision", Integer, nullable=True),
    Column("data_as_of", String(40), nullable=True),
    Column("sent_at", String(40), nullable=False),
    Column("received_at", TS, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
    PrimaryKeyConstraint("message_id"),
)
#: with the status: the fold's count of actual revisions per event reads the index alone (migration 0015)
Index("ix_disaster_reports_event", disaster_reports.c.region, disaster_reports.c.event_id,
      disaster_reports.c.envelope_status)

#: Stored actual revisions per event, kept in each batch's transaction by the disaster fold
#: (``hub.services.disasters``): the fold's per-batch check that its memo has seen every stored revision reads
#: one row per event here instead of counting the event's history (migration 0016).
disaster_revision_counts = Table(
    "disaster_revision_counts", metadata,
    Column("region", String(8), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("count", BigInteger, nullable=False),
    PrimaryKeyConstraint("region", "event_id"),
)

#: One row per event: the reconciled state (``hub.domain.disasters.build_event`` + checks). State.
#: ``figures`` are the current report's flat indicators (ints, decimals as strings); ``county_figures`` per county.
disaster_events = Table(
    "disaster_events", metadata,
    Column("region", String(8), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # open | closed | cancelled
    Column("stage", String(16), nullable=True),
    Column("revision", Integer, nullable=True),
    Column("current_message_id", String(32), nullable=True),
    Column("final_message_id", String(32), nullable=True),
    Column("data_as_of", String(40), nullable=True),
    Column("disaster_type", String(40), nullable=True),
    Column("started_on", Date, nullable=True),
    Column("ended_on", Date, nullable=True),  # of the current report: event linking reads rows, not revisions
    Column("reporting_unit_code", String(12), nullable=True),
    Column("shared_event_ref", String(80), nullable=True),
    Column("counties", JSON, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("county_figures", JSON, nullable=False),
    Column("report_count", Integer, nullable=False),
    Column("ignored", JSON, nullable=False),  # [{message_id, reason}]
    Column("decreases", JSON, nullable=False),  # falling cumulative figures without a reason
    Column("inconsistencies", JSON, nullable=False),
    Column("deadline_flags", JSON, nullable=False),  # [{rule, due, day}]
    Column("first_received_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("region", "event_id"),
)
Index("ix_disaster_events_status", disaster_events.c.status)

#: Events of exercise and test reports (envelope ``status`` ≠ ``actual``), the same row shape as ``disaster_events``
#: and kept apart from it, so nothing that reads the shared picture (totals, overview, map, needs, links, deadline
#: jobs) can count a drill; a drill is seen only when asked for by status (``queries.disaster_events``). State.
disaster_drill_events = Table(
    "disaster_drill_events", metadata,
    Column("envelope_status", String(8), nullable=False),
    *[Column(c.name, c.type, nullable=c.nullable) for c in disaster_events.columns],
    PrimaryKeyConstraint("envelope_status", "region", "event_id"),
)

#: Cross-border links between events of different regions (recomputed from the live events). State.
disaster_links = Table(
    "disaster_links", metadata,
    Column("a_region", String(8), nullable=False),
    Column("a_event_id", String(64), nullable=False),
    Column("b_region", String(8), nullable=False),
    Column("b_event_id", String(64), nullable=False),
    Column("reason", String(20), nullable=False),  # shared_ref | same_area
    PrimaryKeyConstraint("a_region", "a_event_id", "b_region", "b_event_id"),
)

# --------------------------------------------------------------------------------------------- relief

relief_depots = Table(
    "relief_depots", metadata,
    Column("depot_id", String(64), primary_key=True),
    Column("region", String(8), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("unit_code", String(12), nullable=False),
)

#: Ledger movements (facts), unique by (region, movement_id).
relief_movements = Table(
    "relief_movements", metadata,
    Column("region", String(8), nullable=False),
    Column("movement_id", String(80), nullable=False),  # "<status>/<id>" for drills
    Column("message_id", String(32), nullable=False),
    Column("depot_id", String(64), nullable=False),
    Column("item", String(40), nullable=False),
    Column("spec", String(100), nullable=False),
    Column("batch", String(64), nullable=False),
    Column("unit", String(8), nullable=False),
    Column("movement_type", String(16), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("occurred_at", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
    PrimaryKeyConstraint("region", "movement_id"),
)
Index("ix_relief_movements_line", relief_movements.c.depot_id, relief_movements.c.item)

#: Snapshot lines (facts): one per (snapshot message, line).
relief_snapshot_lines = Table(
    "relief_snapshot_lines", metadata,
    Column("message_id", String(32), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("region", String(8), nullable=False),
    Column("depot_id", String(64), nullable=False),
    Column("item", String(40), nullable=False),
    Column("spec", String(100), nullable=False),
    Column("batch", String(64), nullable=False),
    Column("unit", String(8), nullable=False),
    Column("storage_mode", String(16), nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("damaged", BigInteger, nullable=False),
    Column("as_of", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
    PrimaryKeyConstraint("message_id", "line_no"),
)
Index("ix_relief_snapshot_lines_line", relief_snapshot_lines.c.depot_id, relief_snapshot_lines.c.item)

#: Ledger balance of each stock line (depot, item, spec, batch) now. State.
relief_stock_positions = Table(
    "relief_stock_positions", metadata,
    Column("depot_id", String(64), nullable=False),
    Column("item", String(40), nullable=False),
    Column("spec", String(100), nullable=False),
    Column("batch", String(64), nullable=False),
    Column("region", String(8), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("unit", String(8), nullable=False),
    Column("on_hand", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    Column("damaged", BigInteger, nullable=False),
    Column("available", BigInteger, nullable=False),
    Column("last_snapshot_at", TS, nullable=True),
    Column("movement_count", Integer, nullable=False),
    Column("discrepancy_count", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("depot_id", "item", "spec", "batch"),
)

#: Snapshots that disagree with the ledger (flagged, never absorbed). State.
relief_discrepancies = Table(
    "relief_discrepancies", metadata,
    Column("depot_id", String(64), nullable=False),
    Column("item", String(40), nullable=False),
    Column("spec", String(100), nullable=False),
    Column("batch", String(64), nullable=False),
    Column("snapshot_id", String(40), nullable=False),
    Column("previous_snapshot_id", String(40), nullable=False),
    Column("expected", BigInteger, nullable=False),
    Column("counted", BigInteger, nullable=False),
    Column("conflict", Boolean, nullable=False),
    PrimaryKeyConstraint("depot_id", "item", "spec", "batch", "snapshot_id"),
)

#: Cross-region support requests (facts).
relief_support_requests = Table(
    "relief_support_requests", metadata,
    Column("request_id", String(80), primary_key=True),  # "<status>/<id>" for drills
    Column("region", String(8), nullable=False),
    Column("message_id", String(32), nullable=False),
    Column("event_region", String(8), nullable=True),
    Column("event_id", String(64), nullable=True),
    Column("to_regions", JSON, nullable=False),
    Column("needed_by", TS, nullable=False),
    Column("lines", JSON, nullable=False),  # [{line_no, item_code, spec, unit, quantity}]
    Column("requested_at", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)
Index("ix_relief_support_requests_event", relief_support_requests.c.event_region, relief_support_requests.c.event_id)

#: Commitments, declines, dispatches and receipts of support requests (facts), one row per message.
relief_support_messages = Table(
    "relief_support_messages", metadata,
    Column("message_id", String(32), primary_key=True),
    Column("request_id", String(80), nullable=False),
    Column("kind", String(16), nullable=False),  # commitment | decline | dispatch | receipt
    Column("region", String(8), nullable=False),
    Column("entity_id", String(64), nullable=False),  # commitment_id / message id / dispatch_id / dispatch_id
    Column("lines", JSON, nullable=False),  # {line_no: qty} or {"received": {...}, "discrepancy": {...}}
    Column("at", TS, nullable=False),
    Column("reason", Text, nullable=True),
)
Index("ix_relief_support_messages_request", relief_support_messages.c.request_id)

#: Where each support request stands (``hub.domain.relief_support.support_state``). State.
relief_support_state = Table(
    "relief_support_state", metadata,
    Column("request_id", String(80), primary_key=True),
    Column("region", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("committed_regions", JSON, nullable=False),
    Column("declined_regions", JSON, nullable=False),
    Column("lines", JSON, nullable=False),  # [{line_no, item, requested, committed, shipped, received, ...}]
    Column("flags", JSON, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)

#: Per-event cross-region cost ledger of the support flows (``hub.domain.relief_costs.cost_lines``), one row per
#: (envelope status, event, supplying region, receiving region, item, unit): quantities and their values in fen
#: (NULL when the item has no agreed unit value). Rebuilt from the facts of every flow of a touched event. State.
relief_cost_ledger = Table(
    "relief_cost_ledger", metadata,
    Column("envelope_status", String(8), nullable=False),
    Column("event_ref", String(80), nullable=False),  # "<region>:<event_id>" of the requests, "" when none named
    Column("supplier_region", String(8), nullable=False),
    Column("receiver_region", String(8), nullable=False),
    Column("item", String(40), nullable=False),
    Column("unit", String(8), nullable=False),
    Column("committed", BigInteger, nullable=False),
    Column("dispatched", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("in_transit", BigInteger, nullable=False),
    Column("discrepancy", BigInteger, nullable=False),
    Column("unit_fen", BigInteger, nullable=True),
    Column("dispatched_fen", BigInteger, nullable=True),
    Column("received_fen", BigInteger, nullable=True),
    Column("in_transit_fen", BigInteger, nullable=True),
    Column("discrepancy_fen", BigInteger, nullable=True),
    Column("receiver_bears_fen", BigInteger, nullable=True),
    Column("supplier_bears_fen", BigInteger, nullable=True),
    Column("discrepancy_borne_by", String(8), nullable=False),
    Column("request_ids", JSON, nullable=False),
    Column("dispatch_ids", JSON, nullable=False),
    Column("flags", JSON, nullable=False),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("envelope_status", "event_ref", "supplier_region", "receiver_region", "item", "unit"),
)

#: One support request's share of its event's cost ledger (``cost_lines`` of its flow alone, JSON: [event_ref,
#: supplier, receiver, item, unit, committed, dispatched, received, discrepancy, request ids, dispatch ids] per
#: line; NULL when the domain refuses the flow). Refreshed whenever the request is recomputed; the event's ledger
#: is their sum (migration 0013). Derived state.
relief_cost_parts = Table(
    "relief_cost_parts", metadata,
    Column("request_id", String(80), primary_key=True),
    Column("lines", JSON, nullable=True),
)

#: Cross-region costs per event (entered by officers; fen).
relief_cost_entries = Table(
    "relief_cost_entries", metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("event_ref", String(80), nullable=False),
    Column("payer_region", String(8), nullable=False),
    Column("payee_region", String(8), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("description", Text, nullable=False),
    Column("recorded_by", String(80), nullable=False),
    Column("recorded_at", TS, nullable=False),
)

# --------------------------------------------------------------------------------------------- verification

verification_requests = Table(
    "verification_requests", metadata,
    Column("request_id", String(80), primary_key=True),  # "<status>/<id>" for drills
    Column("region", String(8), nullable=False),
    Column("message_id", String(32), nullable=False),
    Column("assistance_type", String(40), nullable=False),
    Column("target_regions", JSON, nullable=False),
    Column("subjects", JSON, nullable=False),  # [{subject_id, person_ref, relation, authorisation_ref}]
    Column("items", JSON, nullable=False),
    Column("submitted_at", TS, nullable=False),
    Column("response_deadline", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)

#: One row per (response message, subject, item) (facts).
verification_answers = Table(
    "verification_answers", metadata,
    Column("response_id", String(120), primary_key=True),  # "<message_id>/<subject_id>/<item>"
    Column("message_id", String(32), nullable=False),
    Column("request_id", String(80), nullable=False),
    Column("region", String(8), nullable=False),
    Column("subject_ref", String(120), nullable=False),
    Column("item", String(40), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("answered_at", TS, nullable=False),
    Column("summary", JSON, nullable=True),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)
Index("ix_verification_answers_request", verification_answers.c.request_id)

#: Aggregate of each verification request. ``result_sent_at`` makes "send the result once" structural. State.
verification_state = Table(
    "verification_state", metadata,
    Column("request_id", String(80), primary_key=True),
    Column("region", String(8), nullable=False),
    Column("status", String(16), nullable=False),  # open | complete | overdue
    Column("due_on", Date, nullable=False),
    Column("expected", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("missing", JSON, nullable=False),  # [{subject_ref, item, region}]
    # answers that do not count, by class (migration 0018; were the lists of their ids, rewritten whole on every
    # new answer): which ones they are follows from the stored answers and the request (``aggregate``)
    Column("late_count", Integer, nullable=False),
    Column("duplicate_count", Integer, nullable=False),
    Column("unexpected_count", Integer, nullable=False),
    Column("result_sent_at", TS, nullable=True),
    Column("result_status", String(16), nullable=True),
    Column("updated_at", TS, nullable=False),
)

#: The counted answer of each expected (subject, item, region) of a request, kept beside ``verification_state`` so
#: that a batch folds its new answers into the aggregate instead of re-reading every answer (migration 0012).
#: ``winners``: sorted [subject_ref, item, region code, answered_at (UTC ISO), response_id]. Derived state.
verification_winners = Table(
    "verification_winners", metadata,
    Column("request_id", String(80), primary_key=True),
    Column("winners", JSON, nullable=False),
)

# --------------------------------------------------------------------------------------------- referrals

referral_changes = Table(
    "referral_changes", metadata,
    Column("message_id", String(32), primary_key=True),
    Column("referral_id", String(80), nullable=False),  # "<status>/<id>" for drills
    Column("region", String(8), nullable=False),
    Column("to_state", String(16), nullable=False),
    Column("at", TS, nullable=False),
    Column("reason", Text, nullable=True),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)
Index("ix_referral_changes_referral_state", referral_changes.c.referral_id, referral_changes.c.to_state)

referrals = Table(
    "referrals", metadata,
    Column("referral_id", String(80), primary_key=True),
    Column("from_region", String(8), nullable=True),
    Column("to_region", String(8), nullable=True),
    Column("state", String(16), nullable=True),
    Column("sent_at", TS, nullable=True),
    Column("acknowledge_by", TS, nullable=True),
    Column("acknowledged_at", TS, nullable=True),
    Column("pending", Integer, nullable=False),
    Column("flags", JSON, nullable=False),
    Column("overdue_notified_at", TS, nullable=True),
    Column("updated_at", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)

# --------------------------------------------------------------------------------------------- eldercare

#: The latest version of each enrolment (a later message with the same id replaces it: discharge, reassessment).
eldercare_enrolments = Table(
    "eldercare_enrolments", metadata,
    Column("enrolment_id", String(80), primary_key=True),  # "<status>/<id>" for drills
    Column("message_id", String(32), nullable=False),
    Column("version_at", String(64), nullable=False),  # "<sent_at UTC>|<message id>" (newest wins)
    Column("region", String(8), nullable=False),
    Column("elder_ref", String(120), nullable=False),
    Column("home_district", String(12), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("facility_region", String(8), nullable=False),
    Column("admitted_on", Date, nullable=False),
    Column("discharged_on", Date, nullable=True),
    Column("grade", String(16), nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("assessment_valid_until", Date, nullable=False),
    Column("subsidy_types", JSON, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)
Index("ix_eldercare_enrolments_elder", eldercare_enrolments.c.elder_ref)

#: Effective-dated monthly rates per payer (a later table replaces the same (payer, type, effective_from)).
eldercare_rates = Table(
    "eldercare_rates", metadata,
    Column("payer_code", String(12), nullable=False),
    Column("subsidy_type", String(40), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("rate_fen", BigInteger, nullable=False),
    Column("table_id", String(64), nullable=False),
    Column("version_at", String(64), nullable=False),
    PrimaryKeyConstraint("payer_code", "subsidy_type", "effective_from"),
)

#: Exercise/test rate tables (facts, one row per message and rate): stored with their status, never adjudicated
#: with (a drill table must not replace a real rate of ``eldercare_rates``).
eldercare_drill_rates = Table(
    "eldercare_drill_rates", metadata,
    Column("message_id", String(32), nullable=False),
    Column("envelope_status", String(8), nullable=False),
    Column("payer_code", String(12), nullable=False),
    Column("subsidy_type", String(40), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date, nullable=True),
    Column("rate_fen", BigInteger, nullable=False),
    Column("table_id", String(64), nullable=False),
    PrimaryKeyConstraint("message_id", "subsidy_type", "effective_from"),
)

#: Claim lines (facts), unique by (claim id, line id): line ids are only unique within their claim ("1", "2" …).
#: Elsewhere (settlement lines, adjustments, disputes) a line is named by its hub line key ``"<claim_id>/<line_id>"``
#: (``/`` never occurs in an identifier, so the key is unambiguous).
eldercare_claim_lines = Table(
    "eldercare_claim_lines", metadata,
    Column("claim_id", String(80), nullable=False),  # "<status>/<id>" for drills
    Column("line_id", String(64), nullable=False),
    Column("message_id", String(32), nullable=False),
    Column("region", String(8), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("facility_region", String(8), nullable=False),
    Column("payer_district", String(12), nullable=False),
    Column("period", String(7), nullable=False),
    Column("elder_ref", String(120), nullable=False),
    Column("enrolment_id", String(64), nullable=False),
    Column("subsidy_type", String(40), nullable=False),
    Column("days_in_care", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("submitted_at", TS, nullable=False),
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
    PrimaryKeyConstraint("claim_id", "line_id"),
)
Index("ix_eldercare_claim_lines_elder", eldercare_claim_lines.c.elder_ref)
Index("ix_eldercare_claim_lines_claim", eldercare_claim_lines.c.claim_id)

#: The hub's decision on each claim line (frozen once the line is on a statement). State.
eldercare_adjudications = Table(
    "eldercare_adjudications", metadata,
    Column("claim_id", String(64), nullable=False),
    Column("line_id", String(64), nullable=False),
    Column("period", String(7), nullable=False),
    Column("payer_district", String(12), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("facility_region", String(8), nullable=False),
    Column("subsidy_type", String(40), nullable=False),
    Column("elder_ref", String(120), nullable=False),
    Column("claimed_fen", BigInteger, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("payable_fen", BigInteger, nullable=False),
    Column("rate_fen", BigInteger, nullable=True),
    Column("statement_id", String(64), nullable=True),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("claim_id", "line_id"),
    # PostgreSQL: room on each page for the new version of every row, so that the statement run's UPDATE of a
    # month's lines (and re-adjudications) are heap-only updates, with no new entry in any index. 40, not 50: a
    # frozen line is ~35 bytes longer (its statement_id), and at 50 the last 2 of every 18 rows of a page did not
    # fit (11% of the updates not heap-only: 15.7 s instead of 3.3 s for 1,000,000 lines, settlement migration 0010)
    postgresql_with={"fillfactor": 40},
)
Index("ix_eldercare_adjudications_period", eldercare_adjudications.c.period, eldercare_adjudications.c.accepted)

#: One row per actual claim (derived from its lines, maintained by the intake in the lines' transaction): the claims
#: list reads it instead of grouping every claim line (1,000,000 lines → 50,000 claims; see docs/perf/api.md).
eldercare_claims = Table(
    "eldercare_claims", metadata,
    Column("claim_id", String(64), primary_key=True),
    Column("payer_district", String(12), nullable=False),
    Column("period", String(7), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("facility_region", String(8), nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("claimed_fen", BigInteger, nullable=False),
    Column("submitted_at", TS, nullable=False),
)
Index("ix_web_claims_district_period", eldercare_claims.c.payer_district, eldercare_claims.c.period,
      eldercare_claims.c.claim_id)

#: The latest adjudication notice sent per claim. A claim is answered when all its lines are decided; when a
#: re-adjudication changes its decisions before settlement a new notice goes out that references this one.
#: ``adjudication_id`` derives from the decisions (a digest), so the row is a function of the final decisions
#: whatever the arrival order (a rebuild yields the same row but for ``message_id``: the id of the notice message, which
#: a superseding notice references; NULL on rows from before migration 0014, whose id is then looked up in
#: ``hub_outbox``).
eldercare_claim_notices = Table(
    "eldercare_claim_notices", metadata,
    Column("claim_id", String(64), primary_key=True),
    Column("accepted_fen", BigInteger, nullable=False),
    Column("adjudication_id", String(64), nullable=True),
    Column("sent_at", TS, nullable=False),
    Column("message_id", String(64), nullable=True, info={"not_state": True}),  # new ids after a rebuild
)

# --------------------------------------------------------------------------------------------- settlement

#: Immutable statements per (period, payer district, payee region, facility, subsidy type).
settlement_statements = Table(
    "settlement_statements", metadata,
    Column("statement_id", String(64), primary_key=True),
    Column("period", String(7), nullable=False),
    Column("payer_district", String(12), nullable=False),
    Column("payer_region", String(8), nullable=False),
    Column("payee_region", String(8), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("subsidy_type", String(40), nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("issued_at", TS, nullable=False),
)
Index("ix_settlement_statements_period", settlement_statements.c.period)
#: One statement per key and period; the statement run joins lines to their statement by this key.
Index("ux_settlement_statements_key", settlement_statements.c.period, settlement_statements.c.payer_district,
      settlement_statements.c.payee_region, settlement_statements.c.facility_id, settlement_statements.c.subsidy_type,
      unique=True)

def _line_columns() -> list:
    return [
        Column("statement_id", String(64), nullable=False),
        Column("line_id", String(160), nullable=False),  # hub line key "<claim_id>/<line_id>" (or an adjustment id)
        Column("elder_ref", String(120), nullable=False),
        Column("amount_fen", BigInteger, nullable=False),
        Column("adjusts", String(160), nullable=True),
        # a late line: the claim line's own period, whose statements were already issued when it was accepted
        Column("late_of", String(7), nullable=True),
        PrimaryKeyConstraint("statement_id", "line_id"),
    ]


#: The lines of statements that are not claim lines: the adjustments booked into a statement (and a line put on a
#: statement by hand: an INSERT into ``settlement_lines`` lands here). Claim lines are never copied (issue 8).
settlement_extra_lines = Table("settlement_extra_lines", metadata, *_line_columns())

#: Every line of every statement (a read-only view; readers select from it as from a table): the claim lines frozen on
#: the statement (accepted adjudications whose ``statement_id`` names it, reached through the statement's key: the
#: index below) and its extra lines. Its own MetaData: ``create_all`` makes the view, not a table (DDL below).
settlement_lines = Table("settlement_lines", MetaData(), *_line_columns())
Index("ix_eldercare_adjudications_statement_key", eldercare_adjudications.c.facility_id,
      eldercare_adjudications.c.subsidy_type, eldercare_adjudications.c.payer_district)

#: The view's query (the same text in migration 0010): ``late_of`` is the claim line's period when it is not the
#: statement's (a late line carried onto a later period's statement).
SETTLEMENT_LINES_VIEW = (
    "SELECT s.statement_id AS statement_id, a.claim_id || '/' || a.line_id AS line_id, a.elder_ref AS elder_ref,"
    " a.payable_fen AS amount_fen, CAST(NULL AS VARCHAR(160)) AS adjusts,"
    " CASE WHEN a.period <> s.period THEN a.period END AS late_of"
    " FROM settlement_statements s JOIN eldercare_adjudications a ON a.facility_id = s.facility_id"
    " AND a.subsidy_type = s.subsidy_type AND a.payer_district = s.payer_district"
    " AND a.facility_region = s.payee_region AND a.statement_id = s.statement_id"
    " UNION ALL SELECT statement_id, line_id, elder_ref, amount_fen, adjusts, late_of FROM settlement_extra_lines")
_EXTRA_INSERT = ("INSERT INTO settlement_extra_lines (statement_id, line_id, elder_ref, amount_fen, adjusts, late_of)"
                 " VALUES (NEW.statement_id, NEW.line_id, NEW.elder_ref, NEW.amount_fen, NEW.adjusts, NEW.late_of)")
SETTLEMENT_LINES_DDL = {
    "sqlite": [f"CREATE VIEW IF NOT EXISTS settlement_lines AS {SETTLEMENT_LINES_VIEW}",
               "CREATE TRIGGER IF NOT EXISTS settlement_lines_insert INSTEAD OF INSERT ON settlement_lines"
               f" BEGIN {_EXTRA_INSERT}; END"],
    "postgresql": [f"CREATE OR REPLACE VIEW settlement_lines AS {SETTLEMENT_LINES_VIEW}",
                   "CREATE OR REPLACE FUNCTION settlement_lines_insert() RETURNS trigger LANGUAGE plpgsql AS"
                   f" $$ BEGIN {_EXTRA_INSERT}; RETURN NEW; END $$",
                   "CREATE OR REPLACE TRIGGER settlement_lines_insert INSTEAD OF INSERT ON settlement_lines"
                   " FOR EACH ROW EXECUTE FUNCTION settlement_lines_insert()"],
}
SETTLEMENT_LINES_DROP = {"sqlite": ["DROP VIEW IF EXISTS settlement_lines"],
                         "postgresql": ["DROP VIEW IF EXISTS settlement_lines",
                                        "DROP FUNCTION IF EXISTS settlement_lines_insert()"]}
for _dialect, _statements in SETTLEMENT_LINES_DDL.items():
    for _sql in _statements:
        event.listen(metadata, "after_create", DDL(_sql).execute_if(dialect=_dialect))
    for _sql in SETTLEMENT_LINES_DROP[_dialect]:
        event.listen(metadata, "before_drop", DDL(_sql).execute_if(dialect=_dialect))

#: Corrections of settled lines, booked into a later period's statement (never edits).
settlement_adjustments = Table(
    "settlement_adjustments", metadata,
    Column("adjustment_id", String(64), primary_key=True),
    Column("period", String(7), nullable=False),  # the later period it is booked in
    Column("adjusts_line_id", String(160), nullable=False),  # hub line key "<claim_id>/<line_id>"
    Column("adjusts_period", String(7), nullable=False),
    Column("payer_district", String(12), nullable=False),
    Column("payee_region", String(8), nullable=False),
    Column("facility_id", String(64), nullable=False),
    Column("subsidy_type", String(40), nullable=False),
    Column("elder_ref", String(120), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(80), nullable=False),
    Column("created_at", TS, nullable=False),
)
Index("ix_settlement_adjustments_period", settlement_adjustments.c.period)
Index("ix_settlement_adjustments_line", settlement_adjustments.c.adjusts_line_id)

#: Issued periods with an accepted line on no statement yet (a late claim, or a line accepted on re-adjudication):
#: written by the eldercare recompute, read and cleared by the next statement run, so that the run never scans the
#: settled lines of every earlier month to find the late ones.
settlement_late_periods = Table(
    "settlement_late_periods", metadata,
    Column("period", String(7), primary_key=True),
    Column("noted_at", TS, nullable=False),
)

#: Net obligations between regions per period (debtor pays creditor).
settlement_netting = Table(
    "settlement_netting", metadata,
    Column("period", String(7), nullable=False),
    Column("debtor", String(8), nullable=False),
    Column("creditor", String(8), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    PrimaryKeyConstraint("period", "debtor", "creditor"),
)

settlement_positions = Table(
    "settlement_positions", metadata,
    Column("period", String(7), nullable=False),
    Column("region", String(8), nullable=False),
    Column("gross_payable_fen", BigInteger, nullable=False),
    Column("gross_receivable_fen", BigInteger, nullable=False),
    Column("position_fen", BigInteger, nullable=False),  # receivable − payable after netting; sums to 0
    PrimaryKeyConstraint("period", "region"),
)

#: Confirmations, disputes (and their resolution) and payments, from messages or officers (facts).
settlement_events = Table(
    "settlement_events", metadata,
    Column("event_id", String(80), primary_key=True),
    Column("statement_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # confirmation | dispute | resolution | payment
    Column("at", TS, nullable=False),
    Column("amount_fen", BigInteger, nullable=True),
    Column("line_ids", JSON, nullable=True),
    Column("ref_id", String(64), nullable=True),  # dispute id (dispute/resolution), payment id
    Column("reason", Text, nullable=True),
    Column("actor", String(80), nullable=False),  # region code or officer id
    Column("envelope_status", String(8), nullable=False, server_default="actual"),  # actual | exercise | test
)
Index("ix_settlement_events_statement", settlement_events.c.statement_id)

#: Account of each statement after issue (``hub.domain.settlement_accounts.account``). State.
settlement_accounts = Table(
    "settlement_accounts", metadata,
    Column("statement_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("confirmed_at", TS, nullable=True),
    Column("open_disputes", JSON, nullable=False),
    Column("withheld_fen", BigInteger, nullable=False),
    Column("payable_fen", BigInteger, nullable=False),
    Column("paid_fen", BigInteger, nullable=False),
    Column("flags", JSON, nullable=False),
    Column("updated_at", TS, nullable=False),
)

# --------------------------------------------------------------------------------------------- operations

#: Last heartbeat per adapter; ``stale_since`` is set by the scheduler when no heartbeat came in time.
region_heartbeats = Table(
    "region_heartbeats", metadata,
    Column("region", String(8), nullable=False),
    Column("adapter_id", String(64), nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("sent_at", String(40), nullable=False),
    Column("outbox_depth", Integer, nullable=False),
    Column("oldest_pending_at", String(40), nullable=True),
    Column("software_version", String(40), nullable=False),
    Column("stale_since", TS, nullable=True),
    PrimaryKeyConstraint("region", "adapter_id"),
)

#: The scheduler's single-instance lease (acquired/renewed atomically).
scheduler_lease = Table(
    "scheduler_lease", metadata,
    Column("name", String(40), primary_key=True),
    Column("holder", String(120), nullable=False),
    Column("expires_at", TS, nullable=False),
)

#: Idempotency of scheduled jobs: one row per (job, run key) done.
job_runs = Table(
    "job_runs", metadata,
    Column("job", String(40), nullable=False),
    Column("run_key", String(80), nullable=False),
    Column("ran_at", TS, nullable=False),
    Column("detail", JSON, nullable=True),
    PrimaryKeyConstraint("job", "run_key"),
)


# --------------------------------------------------------------------------------------------- web

#: Failed dashboard logins (web login rate limit), shared by every web process over the hub database and kept across
#: restarts. ``key_digest`` is SHA-256 of "ip:<address>" or "user:<name typed>": no typed name is stored in clear.
#: Rows older than the limit's window are deleted when new failures are recorded.
web_login_failures = Table(
    "web_login_failures", metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("key_digest", String(64), nullable=False),
    Column("failed_at", TS, nullable=False),
)
Index("ix_web_login_failures_key", web_login_failures.c.key_digest, web_login_failures.c.failed_at)
Index("ix_web_login_failures_at", web_login_failures.c.failed_at)

# Indexes of the main read paths (API and dashboard): measured with hub/entrypoints/web/bench.py on 100,000 revisions
# and 1,000,000 claim lines; claim_id last so PostgreSQL reads one district-period in claim order.
Index("ix_web_claim_lines_district_period_claim", eldercare_claim_lines.c.payer_district,
      eldercare_claim_lines.c.period, eldercare_claim_lines.c.claim_id)
Index("ix_web_adjudications_district_period", eldercare_adjudications.c.payer_district,
      eldercare_adjudications.c.period)
Index("ix_web_statements_district_period", settlement_statements.c.payer_district, settlement_statements.c.period)
Index("ix_web_disaster_events_region_started", disaster_events.c.region, disaster_events.c.started_on)
Index("ix_web_disaster_events_started", disaster_events.c.started_on)
Index("ix_web_processed_received", processed.c.region, processed.c.received_at)
Index("ix_web_dead_letters_region", dead_letters.c.region, dead_letters.c.id)
# the payee's statement notices among every receipt the hub sent, newest first (web/notices.py)
Index("ix_web_hub_outbox_kind", hub_outbox.c.kind, hub_outbox.c.seq)


def create_all(engine) -> None:  # noqa: ANN001
    """Create missing tables (development and tests; production upgrades with `jjj hub migrate`)."""
    create_tables(metadata, engine)
