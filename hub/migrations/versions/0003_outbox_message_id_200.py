"""hub_outbox.message_id up to 200 characters (jjj.outbox: dead-letter ids ``dlq-<topic>/<p>/<offset>`` overflowed
VARCHAR(32) on PostgreSQL).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a column type in place (the table is copied); PostgreSQL alters directly
    with op.batch_alter_table('hub_outbox') as batch:
        batch.alter_column('message_id', existing_type=sa.String(length=32), type_=sa.String(length=200),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('hub_outbox') as batch:
        batch.alter_column('message_id', existing_type=sa.String(length=200), type_=sa.String(length=32),
                           existing_nullable=False)
