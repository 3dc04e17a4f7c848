"""processed_counts: records per (region, receipt code) and the newest one's time, kept by the intake; exchange
health reads it instead of grouping every processed record. Filled here from processed_messages. A partial index
of the rejected records (code != 100) for the rejections list.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'processed_counts',
        sa.Column('region', sa.String(length=8), nullable=False),
        sa.Column('code', sa.Integer(), nullable=False),
        sa.Column('count', sa.BigInteger(), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('region', 'code'),
    )
    op.execute("INSERT INTO processed_counts (region, code, count, last_at)"
               " SELECT region, code, COUNT(*), MAX(received_at) FROM processed_messages GROUP BY region, code")
    op.create_index('ix_processed_rejected', 'processed_messages', ['region', 'code', 'received_at'], unique=False,
                    sqlite_where=sa.text('code != 100'), postgresql_where=sa.text('code != 100'))


def downgrade() -> None:
    op.drop_index('ix_processed_rejected', table_name='processed_messages')
    op.drop_table('processed_counts')
