"""envelope status (actual | exercise | test) on disaster reports, stock facts and support requests/state;
disaster_drill_events (exercise/test events, kept out of the shared picture); relief_cost_ledger (per-event
cross-region cost ledger of the support flows); index of support requests by event.

Existing rows were all processed as actual: the new status columns default to 'actual'.

Revision ID: 0006
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0007'
branch_labels = None
depends_on = None

STATUS_TABLES = ('disaster_reports', 'relief_movements', 'relief_snapshot_lines', 'relief_support_requests',
                 'relief_support_state')


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    for table in STATUS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('envelope_status', sa.String(length=8), nullable=False,
                                          server_default='actual'))
    op.create_index('ix_relief_support_requests_event', 'relief_support_requests', ['event_region', 'event_id'])
    op.create_table(
        'disaster_drill_events',
        sa.Column('envelope_status', sa.String(length=8), nullable=False),
        sa.Column('region', sa.String(length=8), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=True),
        sa.Column('current_message_id', sa.String(length=32), nullable=True),
        sa.Column('final_message_id', sa.String(length=32), nullable=True),
        sa.Column('data_as_of', sa.String(length=40), nullable=True),
        sa.Column('disaster_type', sa.String(length=40), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('reporting_unit_code', sa.String(length=12), nullable=True),
        sa.Column('shared_event_ref', sa.String(length=80), nullable=True),
        sa.Column('counties', sa.JSON(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('county_figures', sa.JSON(), nullable=False),
        sa.Column('report_count', sa.Integer(), nullable=False),
        sa.Column('ignored', sa.JSON(), nullable=False),
        sa.Column('decreases', sa.JSON(), nullable=False),
        sa.Column('inconsistencies', sa.JSON(), nullable=False),
        sa.Column('deadline_flags', sa.JSON(), nullable=False),
        sa.Column('first_received_at', _ts(), nullable=False),
        sa.Column('updated_at', _ts(), nullable=False),
        sa.PrimaryKeyConstraint('envelope_status', 'region', 'event_id'),
    )
    op.create_table(
        'relief_cost_ledger',
        sa.Column('envelope_status', sa.String(length=8), nullable=False),
        sa.Column('event_ref', sa.String(length=80), nullable=False),
        sa.Column('supplier_region', sa.String(length=8), nullable=False),
        sa.Column('receiver_region', sa.String(length=8), nullable=False),
        sa.Column('item', sa.String(length=40), nullable=False),
        sa.Column('unit', sa.String(length=8), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False)
          for name in ('committed', 'dispatched', 'received', 'in_transit', 'discrepancy')],
        *[sa.Column(name, sa.BigInteger(), nullable=True)
          for name in ('unit_fen', 'dispatched_fen', 'received_fen', 'in_transit_fen', 'discrepancy_fen',
                       'receiver_bears_fen', 'supplier_bears_fen')],
        sa.Column('discrepancy_borne_by', sa.String(length=8), nullable=False),
        sa.Column('request_ids', sa.JSON(), nullable=False),
        sa.Column('dispatch_ids', sa.JSON(), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('updated_at', _ts(), nullable=False),
        sa.PrimaryKeyConstraint('envelope_status', 'event_ref', 'supplier_region', 'receiver_region', 'item', 'unit'),
    )


def downgrade() -> None:
    op.drop_table('relief_cost_ledger')
    op.drop_table('disaster_drill_events')
    op.drop_index('ix_relief_support_requests_event', table_name='relief_support_requests')
    for table in STATUS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('envelope_status')
