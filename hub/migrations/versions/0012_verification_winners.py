"""verification_winners: the counted answer of each expected (subject, item, region) of a verification request,
kept beside verification_state so that the intake folds a batch's new answers into the stored aggregate instead of
re-reading every answer of the request. Starts empty: a request without a row is aggregated from all its answers
once (its next recompute), then incrementally.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'verification_winners',
        sa.Column('request_id', sa.String(length=80), nullable=False),
        sa.Column('winners', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('request_id'),
    )


def downgrade() -> None:
    op.drop_table('verification_winners')
