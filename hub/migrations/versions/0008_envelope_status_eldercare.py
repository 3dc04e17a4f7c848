"""envelope status (actual | exercise | test) on eldercare enrolments and claim lines, settlement events,
verification requests and answers, referral changes and referrals; eldercare_drill_rates (exercise/test rate
tables, never adjudicated with); the columns that hold a drill's id as "<status>/<id>" (these, and relief's since
0006) widened from 64 to 80 characters, so that a 64-character id with its status prefix fits.

Existing rows were all processed as actual: the new status columns default to 'actual'.

Revision ID: 0008
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None

STATUS_TABLES = ('eldercare_enrolments', 'eldercare_claim_lines', 'settlement_events', 'verification_requests',
                 'verification_answers', 'referral_changes', 'referrals')
#: (table, column) holding ids that a drill stores as "<status>/<id>"
WIDENED = (('eldercare_enrolments', 'enrolment_id'), ('eldercare_claim_lines', 'claim_id'),
           ('verification_requests', 'request_id'), ('verification_answers', 'request_id'),
           ('verification_state', 'request_id'), ('referral_changes', 'referral_id'), ('referrals', 'referral_id'),
           ('relief_movements', 'movement_id'), ('relief_support_requests', 'request_id'),
           ('relief_support_messages', 'request_id'), ('relief_support_state', 'request_id'))


def _widen(length_from: int, length_to: int) -> None:
    for table, column in WIDENED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(length=length_from),
                                  type_=sa.String(length=length_to), existing_nullable=False)


def upgrade() -> None:
    for table in STATUS_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('envelope_status', sa.String(length=8), nullable=False,
                                          server_default='actual'))
    _widen(64, 80)
    op.create_table(
        'eldercare_drill_rates',
        sa.Column('message_id', sa.String(length=32), nullable=False),
        sa.Column('envelope_status', sa.String(length=8), nullable=False),
        sa.Column('payer_code', sa.String(length=12), nullable=False),
        sa.Column('subsidy_type', sa.String(length=40), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('effective_to', sa.Date(), nullable=True),
        sa.Column('rate_fen', sa.BigInteger(), nullable=False),
        sa.Column('table_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('message_id', 'subsidy_type', 'effective_from'),
    )


def downgrade() -> None:
    op.drop_table('eldercare_drill_rates')
    _widen(80, 64)
    for table in reversed(STATUS_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('envelope_status')
