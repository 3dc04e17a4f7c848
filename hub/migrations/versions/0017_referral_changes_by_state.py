"""referral_changes indexed on (referral_id, to_state): the referral replay reads every change of a referral but its
progress reports, and only the count of those (``hub.services.referrals._load``); on the old (referral_id) index both
reads walked the referral's whole history, a cost that grew with every progress report.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referral_changes', schema=None) as batch_op:
        batch_op.create_index('ix_referral_changes_referral_state', ['referral_id', 'to_state'], unique=False)
        batch_op.drop_index('ix_referral_changes_referral')


def downgrade() -> None:
    with op.batch_alter_table('referral_changes', schema=None) as batch_op:
        batch_op.create_index('ix_referral_changes_referral', ['referral_id'], unique=False)
        batch_op.drop_index('ix_referral_changes_referral_state')
