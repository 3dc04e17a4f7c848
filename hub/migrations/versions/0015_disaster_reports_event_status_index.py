"""ix_disaster_reports_event covers envelope_status: the disaster fold's per-batch revision count
(``hub.services.disasters._counts``: actual revisions per touched event) then reads the index alone. Without the
column, SQLite read every revision's row, past its JSON payload, to test the status: a cost per batch that grew with
each event's history (21 % of the worker's samples late in a 600,000-message bench run).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_disaster_reports_event', table_name='disaster_reports')
    op.create_index('ix_disaster_reports_event', 'disaster_reports', ['region', 'event_id', 'envelope_status'])


def downgrade() -> None:
    op.drop_index('ix_disaster_reports_event', table_name='disaster_reports')
    op.create_index('ix_disaster_reports_event', 'disaster_reports', ['region', 'event_id'])
