"""settlement runs set-based and late lines: settlement_lines.late_of (a late claim line's own period); a unique
index of statements by key (the run joins lines to statements by it); adjustments indexed by period and line; PostgreSQL: eldercare_adjudications fillfactor 50 (heap-only updates); settlement_late_periods (issued periods with a late line)

Revision ID: 0005
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'settlement_late_periods',
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('noted_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('period'),
    )
    # late lines that arrived before this revision: note their issued periods for the next statement run
    op.execute("INSERT INTO settlement_late_periods (period, noted_at) SELECT DISTINCT period, CURRENT_TIMESTAMP "
               "FROM eldercare_adjudications WHERE accepted AND statement_id IS NULL AND period IN "
               "(SELECT run_key FROM job_runs WHERE job = 'statements')")
    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_of', sa.String(length=7), nullable=True))
    op.create_index('ux_settlement_statements_key', 'settlement_statements',
                    ['period', 'payer_district', 'payee_region', 'facility_id', 'subsidy_type'], unique=True)
    op.create_index('ix_settlement_adjustments_period', 'settlement_adjustments', ['period'])
    op.create_index('ix_settlement_adjustments_line', 'settlement_adjustments', ['adjusts_line_id'])
    if op.get_bind().dialect.name == 'postgresql':  # new pages only; VACUUM FULL would rewrite the existing ones
        op.execute('ALTER TABLE eldercare_adjudications SET (fillfactor = 50)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE eldercare_adjudications RESET (fillfactor)')
    op.drop_index('ix_settlement_adjustments_line', table_name='settlement_adjustments')
    op.drop_index('ix_settlement_adjustments_period', table_name='settlement_adjustments')
    op.drop_index('ux_settlement_statements_key', table_name='settlement_statements')
    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.drop_column('late_of')
    op.drop_table('settlement_late_periods')
