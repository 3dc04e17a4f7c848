"""verification_state keeps how many answers are late, duplicate or unexpected, not the lists of their ids: the
lists grew with every answer and were read, decoded, extended and written back whole on each new one (a cost that
grew with the request's history). Which answers they are follows from the stored answers and the request
(``hub.domain.verification.aggregate``).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_CLASSES = (("late", "late_count"), ("duplicates", "duplicate_count"), ("unexpected", "unexpected_count"))


def upgrade() -> None:
    with op.batch_alter_table('verification_state', schema=None) as batch_op:
        for _, count in _CLASSES:
            batch_op.add_column(sa.Column(count, sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE verification_state SET " + ", ".join(  # noqa: S608 - fixed names, no input
        f"{count} = json_array_length({ids})" for ids, count in _CLASSES))
    with op.batch_alter_table('verification_state', schema=None) as batch_op:
        for ids, count in _CLASSES:
            batch_op.alter_column(count, server_default=None)
            batch_op.drop_column(ids)


def downgrade() -> None:
    # the id lists are not kept: empty, and every request's stored winners dropped, so that its next recompute
    # aggregates all its answers again and writes the lists (its result, already sent, is not sent again)
    with op.batch_alter_table('verification_state', schema=None) as batch_op:
        for ids, count in _CLASSES:
            batch_op.add_column(sa.Column(ids, sa.JSON(), nullable=False, server_default='[]'))
            batch_op.drop_column(count)
    with op.batch_alter_table('verification_state', schema=None) as batch_op:
        for ids, _ in _CLASSES:
            batch_op.alter_column(ids, server_default=None)
    op.execute("DELETE FROM verification_winners")
