"""disaster_revision_counts: stored actual revisions per event, kept by the disaster fold in each batch's
transaction. The fold checked its memo against ``count(*)`` of the event's revisions in every batch, a cost that grew
with the event's history (on PostgreSQL the index-only count still visits heap pages the visibility map does not yet
cover, so a busy event's count grew slower batch by batch). Filled here from disaster_reports.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'disaster_revision_counts',
        sa.Column('region', sa.String(length=8), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('count', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('region', 'event_id'),
    )
    op.execute("INSERT INTO disaster_revision_counts (region, event_id, count)"
               " SELECT region, event_id, COUNT(*) FROM disaster_reports WHERE envelope_status = 'actual'"
               " GROUP BY region, event_id")


def downgrade() -> None:
    op.drop_table('disaster_revision_counts')
