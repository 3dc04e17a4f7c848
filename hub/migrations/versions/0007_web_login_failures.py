"""web_login_failures: the dashboard's failed logins, so the login rate limit is shared by every web process and
survives restarts (it was kept in each process's memory).

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_login_failures',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('key_digest', sa.String(length=64), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        if_not_exists=True,
    )
    op.create_index('ix_web_login_failures_key', 'web_login_failures', ['key_digest', 'failed_at'],
                    if_not_exists=True)
    op.create_index('ix_web_login_failures_at', 'web_login_failures', ['failed_at'], if_not_exists=True)


def downgrade() -> None:
    op.drop_index('ix_web_login_failures_at', table_name='web_login_failures', if_exists=True)
    op.drop_index('ix_web_login_failures_key', table_name='web_login_failures', if_exists=True)
    op.drop_table('web_login_failures')
