"""relief_cost_parts: each support request's share of its event's cost ledger, kept so that the intake sums the
shares of an event's requests instead of re-reading and re-building every flow of the event per batch. Starts
empty: a request without a row gets one the next time its event's ledger is rebuilt.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'relief_cost_parts',
        sa.Column('request_id', sa.String(length=80), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('request_id'),
    )


def downgrade() -> None:
    op.drop_table('relief_cost_parts')
