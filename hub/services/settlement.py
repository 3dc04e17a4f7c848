"""Settlement: statement runs, netting, and what happens to a statement after issue (confirm, dispute, pay).

The use cases live in cohesive modules; this module is their one import point (handlers, jobs, the web):

* ``settlement_ids`` — statement ids (``ST-YYYYMM-<payer>-<payee>-<digest>``), the same text in Python and SQL;
* ``settlement_freeze`` — the run's one pass over the lines: freeze them onto statements and total them;
* ``settlement_run`` — the monthly statement run (statements, extra lines, accounts, netting, notices);
* ``settlement_events`` — accounts, and the regions' confirmations, disputes and payments;
* ``settlement_officer`` — officer actions (confirm, dispute, resolve, pay, book an adjustment).

Statement lines: claim lines are never copied. A line is on a statement when its adjudication's ``statement_id``
names it (frozen once, never changed but by later-period adjustments); ``settlement_lines`` is a view of those and
of ``settlement_extra_lines`` (adjustments). Only actual facts count: exercise/test claims are never adjudicated
(``hub.services.eldercare``), so no drill line reaches a statement, and a drill's confirmation, dispute or payment
is stored with its status but never enters an account.
"""

from __future__ import annotations

from hub.domain.settlement import region_of
from hub.services.settlement_events import on_settlement_message, recompute, recompute_accounts
from hub.services.settlement_ids import SettlementError, statement_id
from hub.services.settlement_ids import prepare as _prepare
from hub.services.settlement_ids import sid_sql as _sid_sql
from hub.services.settlement_officer import confirm, create_adjustment, dispute, record_payment, resolve_dispute
from hub.services.settlement_run import run_statements

__all__ = ["SettlementError", "confirm", "create_adjustment", "dispute", "on_settlement_message", "recompute",
           "recompute_accounts", "record_payment", "region_of", "resolve_dispute", "run_statements", "statement_id",
           "_prepare", "_sid_sql"]
