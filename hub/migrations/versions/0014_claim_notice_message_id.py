"""eldercare_claim_notices.message_id: the id of the last adjudication notice sent per claim, so that a superseding
notice finds the one it references without scanning the hub outbox (no index on its key; the scan grew with every
receipt). Rows from before stay NULL and are looked up in the outbox as before.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('eldercare_claim_notices') as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('eldercare_claim_notices') as batch_op:
        batch_op.drop_column('message_id')
