"""indexes of the main read paths (API and dashboard), formerly created by the web app at start-up

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_web_claim_lines_district_period_claim", "eldercare_claim_lines", ["payer_district", "period", "claim_id"]),
    ("ix_web_adjudications_district_period", "eldercare_adjudications", ["payer_district", "period"]),
    ("ix_web_statements_district_period", "settlement_statements", ["payer_district", "period"]),
    ("ix_web_disaster_events_region_started", "disaster_events", ["region", "started_on"]),
    ("ix_web_disaster_events_started", "disaster_events", ["started_on"]),
    ("ix_web_processed_received", "processed_messages", ["region", "received_at"]),
    ("ix_web_dead_letters_region", "dead_letters", ["region", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table, if_exists=True)
