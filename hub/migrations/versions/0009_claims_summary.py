"""eldercare_claims: one row per actual claim (district, period, facility, line count, claimed total, first
submission), maintained by the intake with the claim's lines; the claims list reads it instead of grouping every
claim line. Filled here from the stored lines. An index of hub_outbox by (kind, seq): the payee's statement notices
among every receipt the hub sent, newest first.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'eldercare_claims',
        sa.Column('claim_id', sa.String(length=64), nullable=False),
        sa.Column('payer_district', sa.String(length=12), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('facility_id', sa.String(length=64), nullable=False),
        sa.Column('facility_region', sa.String(length=8), nullable=False),
        sa.Column('line_count', sa.Integer(), nullable=False),
        sa.Column('claimed_fen', sa.BigInteger(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('claim_id'),
    )
    op.create_index('ix_web_claims_district_period', 'eldercare_claims',
                    ['payer_district', 'period', 'claim_id'], unique=False)
    op.create_index('ix_web_hub_outbox_kind', 'hub_outbox', ['kind', 'seq'], unique=False)
    op.execute(
        "INSERT INTO eldercare_claims (claim_id, payer_district, period, facility_id, facility_region, line_count,"
        " claimed_fen, submitted_at)"
        " SELECT claim_id, MIN(payer_district), MIN(period), MIN(facility_id), MIN(facility_region), COUNT(*),"
        " SUM(amount_fen), MIN(submitted_at) FROM eldercare_claim_lines WHERE envelope_status = 'actual'"
        " GROUP BY claim_id")


def downgrade() -> None:
    op.drop_index('ix_web_hub_outbox_kind', table_name='hub_outbox')
    op.drop_index('ix_web_claims_district_period', table_name='eldercare_claims')
    op.drop_table('eldercare_claims')
