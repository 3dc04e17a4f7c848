"""Netting statements between the three regions for one period (domain.md §5 "a monthly clearing application").

Each statement is an obligation of the payer's region (from the payer district code) to the payee region.
Obligations inside one region are left out: they never cross a border. The gross obligations of each pair are
netted bilaterally into one ``NetObligation`` (debtor → creditor, positive fen), and each region's net position
is what it receives minus what it pays. Positions always sum to zero: every fen owed is a fen receivable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hub.domain.calendar import Period
from hub.domain.errors import SettlementRuleError
from hub.domain.settlement import SettlementStatement


@dataclass(frozen=True, order=True)
class NetObligation:
    debtor: str
    creditor: str
    amount_fen: int


@dataclass(frozen=True)
class Netting:
    period: Period
    gross: Mapping[tuple[str, str], int]  # (payer region, payee region) → fen
    obligations: tuple[NetObligation, ...]
    positions: Mapping[str, int]  # region → receivable − payable


def net(period: Period, statements: Iterable[SettlementStatement], regions: Iterable[str]) -> Netting:
    """Net the period's cross-region statements; ``regions`` lists the region codes that get a position."""
    positions = dict.fromkeys(sorted(regions), 0)
    gross: dict[tuple[str, str], int] = {}
    for statement in statements:
        if statement.key.period != period:
            continue
        payer, payee = statement.key.payer_region, statement.key.payee_region
        if payer == payee:
            continue
        if payer not in positions or payee not in positions:
            raise SettlementRuleError("settlement.unknown_region", payer=payer, payee=payee)
        gross[(payer, payee)] = gross.get((payer, payee), 0) + statement.total_fen
    obligations = []
    names = sorted(positions)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            a_owes_b = gross.get((a, b), 0) - gross.get((b, a), 0)
            if a_owes_b > 0:
                obligations.append(NetObligation(a, b, a_owes_b))
            elif a_owes_b < 0:
                obligations.append(NetObligation(b, a, -a_owes_b))
    for obligation in obligations:
        positions[obligation.debtor] -= obligation.amount_fen
        positions[obligation.creditor] += obligation.amount_fen
    return Netting(
        period,
        MappingProxyType(dict(sorted(gross.items()))),
        tuple(sorted(obligations)),
        MappingProxyType(positions),
    )
