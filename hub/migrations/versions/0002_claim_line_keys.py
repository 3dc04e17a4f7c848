"""claim lines and adjudications keyed by (claim_id, line_id); hub line keys in settlement; notice ids;
disaster_events.ended_on

Line ids are unique only within their claim ("1", "2" …): lines of different claims overwrote each other.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

KEYED = ('eldercare_claim_lines', 'eldercare_adjudications')


def _columns(table: str) -> list[sa.Column]:
    """The columns of 0001 (a migration never imports the live models)."""
    if table == 'eldercare_claim_lines':
        return [sa.Column('line_id', sa.String(length=64), nullable=False),
                sa.Column('claim_id', sa.String(length=64), nullable=False),
                sa.Column('message_id', sa.String(length=32), nullable=False),
                sa.Column('region', sa.String(length=8), nullable=False),
                sa.Column('facility_id', sa.String(length=64), nullable=False),
                sa.Column('facility_region', sa.String(length=8), nullable=False),
                sa.Column('payer_district', sa.String(length=12), nullable=False),
                sa.Column('period', sa.String(length=7), nullable=False),
                sa.Column('elder_ref', sa.String(length=120), nullable=False),
                sa.Column('enrolment_id', sa.String(length=64), nullable=False),
                sa.Column('subsidy_type', sa.String(length=40), nullable=False),
                sa.Column('days_in_care', sa.Integer(), nullable=False),
                sa.Column('amount_fen', sa.BigInteger(), nullable=False),
                sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False)]
    return [sa.Column('line_id', sa.String(length=64), nullable=False),
            sa.Column('claim_id', sa.String(length=64), nullable=False),
            sa.Column('period', sa.String(length=7), nullable=False),
            sa.Column('payer_district', sa.String(length=12), nullable=False),
            sa.Column('facility_id', sa.String(length=64), nullable=False),
            sa.Column('facility_region', sa.String(length=8), nullable=False),
            sa.Column('subsidy_type', sa.String(length=40), nullable=False),
            sa.Column('elder_ref', sa.String(length=120), nullable=False),
            sa.Column('claimed_fen', sa.BigInteger(), nullable=False),
            sa.Column('accepted', sa.Boolean(), nullable=False),
            sa.Column('reasons', sa.JSON(), nullable=False),
            sa.Column('payable_fen', sa.BigInteger(), nullable=False),
            sa.Column('rate_fen', sa.BigInteger(), nullable=True),
            sa.Column('statement_id', sa.String(length=64), nullable=True),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


INDEXES = {'eldercare_claim_lines': [('ix_eldercare_claim_lines_claim', ['claim_id']),
                                     ('ix_eldercare_claim_lines_elder', ['elder_ref'])],
           'eldercare_adjudications': [('ix_eldercare_adjudications_period', ['period', 'accepted'])]}


def _set_pk(table: str, cols: list[str]) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(f'{table}_pkey', table, type_='primary')
        op.create_primary_key(f'{table}_pkey', table, cols)
        return
    # SQLite cannot change a primary key: copy into a new table with the new key, then swap
    tmp = f'_new_{table}'
    columns = _columns(table)
    op.create_table(tmp, *columns, sa.PrimaryKeyConstraint(*cols))
    names = ', '.join(f'"{c.name}"' for c in columns)
    op.execute(f'INSERT INTO {tmp} ({names}) SELECT {names} FROM {table}')  # noqa: S608 - fixed names, no input
    for name, _ in INDEXES[table]:
        op.drop_index(name, table_name=table)
    op.drop_table(table)
    op.rename_table(tmp, table)
    for name, on in INDEXES[table]:
        op.create_index(name, table, on, unique=False)


def upgrade() -> None:
    with op.batch_alter_table('disaster_events') as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
    for table in KEYED:
        _set_pk(table, ['claim_id', 'line_id'])
    with op.batch_alter_table('eldercare_claim_notices') as batch_op:
        batch_op.add_column(sa.Column('adjudication_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('settlement_lines') as batch_op:
        batch_op.alter_column('line_id', type_=sa.String(length=160), existing_type=sa.String(length=64),
                              existing_nullable=False)
        batch_op.alter_column('adjusts', type_=sa.String(length=160), existing_type=sa.String(length=64),
                              existing_nullable=True)
    with op.batch_alter_table('settlement_adjustments') as batch_op:
        batch_op.alter_column('adjusts_line_id', type_=sa.String(length=160), existing_type=sa.String(length=64),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('settlement_adjustments') as batch_op:
        batch_op.alter_column('adjusts_line_id', type_=sa.String(length=64), existing_nullable=False)
    with op.batch_alter_table('settlement_lines') as batch_op:
        batch_op.alter_column('adjusts', type_=sa.String(length=64), existing_nullable=True)
        batch_op.alter_column('line_id', type_=sa.String(length=64), existing_nullable=False)
    with op.batch_alter_table('eldercare_claim_notices') as batch_op:
        batch_op.drop_column('adjudication_id')
    for table in KEYED:
        _set_pk(table, ['line_id'])
    with op.batch_alter_table('disaster_events') as batch_op:
        batch_op.drop_column('ended_on')
