"""Per-event cross-region cost ledger of relief support (domain.md §2: "costs are settled between regions by an
agreed method"; "shipped = received + in transit + discrepancy").

For one disaster event, every support flow (request → commitments → dispatches → receipts) is summed per
``(supplying region, receiving region, item, unit)``: quantities committed, dispatched, received, in transit and
written off as discrepancy, each also valued in fen at the agreed unit value of the item.

Who bears what (the agreed method is not published: ``Valuation`` makes it configurable):

* the receiving (requesting) region bears what it received;
* what is still in transit is pending (nobody bears it yet);
* a discrepancy (short, damaged, wrong spec) is borne by the supplier by default — goods that never arrived in a
  usable state are not charged to the receiver — or by the receiver when ``discrepancy_borne_by="receiver"``.

A receipt is the receiver's full account of one dispatch at its ``received_at`` (its lines carry shipped, in
transit and discrepancy), so the latest receipt of a dispatch replaces the earlier ones (ties: the greater receipt
id); see ``relief_support.latest_receipts``. Lines of an item without an agreed unit value keep their quantities
with ``None`` values and are flagged ``unvalued``. Everything is a pure function of the set of messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hub.domain.errors import ReliefRuleError
from hub.domain.relief_support import Commitment, Dispatch, Receipt, SupportRequest, latest_receipts

BEARERS = ("supplier", "receiver")


@dataclass(frozen=True)
class Valuation:
    """Agreed unit values in fen per ``(item, unit)`` [unverified: none published — configure per agreement]."""

    unit_fen: Mapping[tuple[str, str], int] = field(default_factory=lambda: MappingProxyType({}))
    discrepancy_borne_by: str = "supplier"

    def __post_init__(self) -> None:
        if self.discrepancy_borne_by not in BEARERS:
            raise ReliefRuleError("relief.unknown_bearer", bearer=self.discrepancy_borne_by)
        for key, fen in self.unit_fen.items():
            if not isinstance(fen, int) or isinstance(fen, bool) or fen < 0:
                raise ReliefRuleError("relief.amount_not_fen", item=str(key))
        object.__setattr__(self, "unit_fen", MappingProxyType(dict(self.unit_fen)))

    def of(self, item: str, unit: str) -> int | None:
        return self.unit_fen.get((item, unit))


@dataclass(frozen=True, order=True)
class CostLineKey:
    event_ref: str
    supplier_region: str
    receiver_region: str
    item: str
    unit: str


@dataclass(frozen=True)
class CostLine:
    """Quantities of one (event, supplier, receiver, item, unit) and their values in fen (None when unvalued)."""

    key: CostLineKey
    committed: int
    dispatched: int
    received: int
    discrepancy: int
    unit_fen: int | None
    requests: tuple[str, ...]
    dispatches: tuple[str, ...]
    discrepancy_borne_by: str = "supplier"

    @property
    def in_transit(self) -> int:
        return self.dispatched - self.received - self.discrepancy

    def _fen(self, qty: int) -> int | None:
        return None if self.unit_fen is None else qty * self.unit_fen

    @property
    def dispatched_fen(self) -> int | None:
        return self._fen(self.dispatched)

    @property
    def received_fen(self) -> int | None:
        return self._fen(self.received)

    @property
    def in_transit_fen(self) -> int | None:
        return self._fen(self.in_transit)

    @property
    def discrepancy_fen(self) -> int | None:
        return self._fen(self.discrepancy)

    @property
    def receiver_bears_fen(self) -> int | None:
        """What the receiving region owes the supplier for this line."""
        lost = self.discrepancy if self.discrepancy_borne_by == "receiver" else 0
        return self._fen(self.received + lost)

    @property
    def supplier_bears_fen(self) -> int | None:
        """What the supplier writes off (its discrepancy, when it bears them)."""
        return self._fen(self.discrepancy if self.discrepancy_borne_by == "supplier" else 0)

    @property
    def flags(self) -> tuple[str, ...]:
        found = []
        if self.in_transit < 0:
            found.append("received_beyond_shipped")
        if self.dispatched > self.committed:
            found.append("shipped_beyond_commitment")
        if self.unit_fen is None:
            found.append("unvalued")
        return tuple(found)


@dataclass(frozen=True)
class Flow:
    """One support request with the replies stored against it (ids are unique within a request only: two regions
    may both name a dispatch ``X1``)."""

    request: SupportRequest
    commitments: tuple[Commitment, ...] = ()
    dispatches: tuple[Dispatch, ...] = ()
    receipts: tuple[Receipt, ...] = ()


def _unique(items: Iterable, attr: str) -> list:  # noqa: ANN001
    seen: dict = {}
    for item in items:
        if seen.setdefault(getattr(item, attr), item) != item:
            raise ReliefRuleError("relief.id_reused", **{attr: getattr(item, attr)})
    return list(seen.values())


def cost_lines(flows: Iterable[Flow], valuation: Valuation = Valuation()) -> tuple[CostLine, ...]:
    """The cost ledger lines of the given flows, sorted by key. A request's lines give each line number's item and
    unit; replies of another request, receipts of unknown dispatches and unknown line numbers are ignored (the
    support state flags them)."""
    acc: dict[CostLineKey, list] = {}
    for flow in {f.request.request_id: f for f in flows}.values():
        req = flow.request
        specs = {ln.line_no: ln for ln in req.lines}

        def line(supplier: str, line_no: int, req: SupportRequest = req, specs: dict = specs) -> list | None:
            spec = specs.get(line_no)
            if spec is None:
                return None
            key = CostLineKey(req.event_ref, supplier, req.requesting_region, spec.item, spec.unit)
            return acc.setdefault(key, [0, 0, 0, 0, set(), set()])

        for c in _unique((c for c in flow.commitments if c.request_id == req.request_id), "commitment_id"):
            for n, qty in c.lines.items():
                if (row := line(c.supporting_region, n)) is not None:
                    row[0] += qty
                    row[4].add(req.request_id)
        known = {x.dispatch_id: x for x in _unique((x for x in flow.dispatches if x.request_id == req.request_id),
                                                   "dispatch_id")}
        for x in known.values():
            for n, qty in x.lines.items():
                if (row := line(x.supporting_region, n)) is not None:
                    row[1] += qty
                    row[4].add(req.request_id)
                    row[5].add(x.dispatch_id)
        for r in latest_receipts(flow.receipts).values():
            x = known.get(r.dispatch_id)
            if x is None:
                continue
            for n in set(r.received) | set(r.discrepancy):
                if (row := line(x.supporting_region, n)) is not None:
                    row[2] += r.received.get(n, 0)
                    row[3] += r.discrepancy.get(n, 0)
    return tuple(
        CostLine(k, v[0], v[1], v[2], v[3], valuation.of(k.item, k.unit), tuple(sorted(v[4])), tuple(sorted(v[5])),
                 valuation.discrepancy_borne_by)
        for k, v in sorted(acc.items())
    )


@dataclass(frozen=True)
class PairTotal:
    """What one receiving region owes one supplying region for an event (goods only), in fen."""

    payer_region: str
    payee_region: str
    receiver_bears_fen: int
    supplier_bears_fen: int
    in_transit_fen: int
    unvalued_lines: int


def pair_totals(lines: Iterable[CostLine]) -> Mapping[tuple[str, str, str], PairTotal]:
    """(event, payer = receiver, payee = supplier) → totals; unvalued lines count 0 fen and are counted."""
    acc: dict[tuple[str, str, str], list[int]] = {}
    for ln in lines:
        k = (ln.key.event_ref, ln.key.receiver_region, ln.key.supplier_region)
        row = acc.setdefault(k, [0, 0, 0, 0])
        row[0] += ln.receiver_bears_fen or 0
        row[1] += ln.supplier_bears_fen or 0
        row[2] += ln.in_transit_fen or 0
        row[3] += ln.unit_fen is None
    return MappingProxyType({k: PairTotal(k[1], k[2], *v) for k, v in sorted(acc.items())})
