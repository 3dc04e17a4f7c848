"""settlement lines without copies (issue 8): claim lines stay on eldercare_adjudications (statement_id) and are no
longer copied; settlement_extra_lines holds the other lines (adjustments); settlement_lines becomes a read-only view of
both (an INSERT into it lands in settlement_extra_lines); an index of adjudications by statement key (facility,
subsidy type, payer district) through which the view finds a statement's claim lines. PostgreSQL:
eldercare_adjudications fillfactor 40 (was 50: every frozen line's new version then fits its page, heap-only).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# the view and its INSERT trigger as hub/infrastructure/tables.py makes them (frozen here: tables.py may change)
VIEW = (
    "SELECT s.statement_id AS statement_id, a.claim_id || '/' || a.line_id AS line_id, a.elder_ref AS elder_ref,"
    " a.payable_fen AS amount_fen, CAST(NULL AS VARCHAR(160)) AS adjusts,"
    " CASE WHEN a.period <> s.period THEN a.period END AS late_of"
    " FROM settlement_statements s JOIN eldercare_adjudications a ON a.facility_id = s.facility_id"
    " AND a.subsidy_type = s.subsidy_type AND a.payer_district = s.payer_district"
    " AND a.facility_region = s.payee_region AND a.statement_id = s.statement_id"
    " UNION ALL SELECT statement_id, line_id, elder_ref, amount_fen, adjusts, late_of FROM settlement_extra_lines")
EXTRA_INSERT = ("INSERT INTO settlement_extra_lines (statement_id, line_id, elder_ref, amount_fen, adjusts, late_of)"
                " VALUES (NEW.statement_id, NEW.line_id, NEW.elder_ref, NEW.amount_fen, NEW.adjusts, NEW.late_of)")
DDL = {
    "sqlite": [f"CREATE VIEW settlement_lines AS {VIEW}",
               "CREATE TRIGGER settlement_lines_insert INSTEAD OF INSERT ON settlement_lines"
               f" BEGIN {EXTRA_INSERT}; END"],
    "postgresql": [f"CREATE VIEW settlement_lines AS {VIEW}",
                   "CREATE OR REPLACE FUNCTION settlement_lines_insert() RETURNS trigger LANGUAGE plpgsql AS"
                   f" $$ BEGIN {EXTRA_INSERT}; RETURN NEW; END $$",
                   "CREATE TRIGGER settlement_lines_insert INSTEAD OF INSERT ON settlement_lines"
                   " FOR EACH ROW EXECUTE FUNCTION settlement_lines_insert()"],
}


def _line_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column('statement_id', sa.String(length=64), nullable=False),
        sa.Column('line_id', sa.String(length=160), nullable=False),
        sa.Column('elder_ref', sa.String(length=120), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('adjusts', sa.String(length=160), nullable=True),
        sa.Column('late_of', sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint('statement_id', 'line_id'),
    )


def upgrade() -> None:
    _line_table('settlement_extra_lines')
    # every stored line that is not a frozen claim line (the view shows those from the adjudications)
    op.execute("INSERT INTO settlement_extra_lines (statement_id, line_id, elder_ref, amount_fen, adjusts, late_of)"
               " SELECT statement_id, line_id, elder_ref, amount_fen, adjusts, late_of FROM settlement_lines"
               " WHERE adjusts IS NOT NULL OR line_id NOT IN (SELECT claim_id || '/' || line_id"
               " FROM eldercare_adjudications WHERE statement_id IS NOT NULL)")
    op.drop_table('settlement_lines')
    op.create_index('ix_eldercare_adjudications_statement_key', 'eldercare_adjudications',
                    ['facility_id', 'subsidy_type', 'payer_district'], unique=False)
    for sql in DDL[op.get_bind().dialect.name]:
        op.execute(sql)
    if op.get_bind().dialect.name == 'postgresql':  # new pages only; VACUUM FULL would rewrite the existing ones
        op.execute('ALTER TABLE eldercare_adjudications SET (fillfactor = 40)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE eldercare_adjudications SET (fillfactor = 50)')
    op.execute("CREATE TABLE settlement_lines_0010 AS"
               " SELECT statement_id, line_id, elder_ref, amount_fen, adjusts, late_of FROM settlement_lines")
    op.execute("DROP VIEW settlement_lines")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS settlement_lines_insert()")
    _line_table('settlement_lines')
    op.execute("INSERT INTO settlement_lines (statement_id, line_id, elder_ref, amount_fen, adjusts, late_of)"
               " SELECT statement_id, line_id, elder_ref, amount_fen, adjusts, late_of FROM settlement_lines_0010")
    op.drop_table('settlement_lines_0010')
    op.drop_index('ix_eldercare_adjudications_statement_key', table_name='eldercare_adjudications')
    op.drop_table('settlement_extra_lines')
