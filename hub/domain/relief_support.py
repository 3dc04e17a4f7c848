"""Cross-region relief support (《京津冀救灾物资协同保障协议》, domain.md §2).

Flow: the affected region requests → each supporting region commits or declines → dispatches → the receiver
confirms receipt per line, with discrepancies. Per request line: ``shipped = received + in transit +
discrepancy``; in transit is what that identity leaves, so it holds by construction and a negative in-transit
(more received or written off than shipped) is flagged. Costs are settled between regions per event, in fen.

The state is a pure function of the set of messages: everything is deduped by id and summed (except receipts:
the latest receipt of a dispatch replaces the earlier ones, see ``latest_receipts``), so arrival order and
duplicates do not matter. A region that both committed and declined counts as committed (goods may already
be moving) and the pair is flagged ``commit_and_decline``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

from hub.domain.errors import ReliefRuleError

_T = TypeVar("_T")
Lines = Mapping[int, int]  # request line number → quantity


def _lines(values: Mapping[int, int]) -> Mapping[int, int]:
    for qty in values.values():
        if not isinstance(qty, int) or qty < 0:
            raise ReliefRuleError("relief.bad_quantity", quantity=repr(qty))
    return MappingProxyType(dict(sorted(values.items())))


@dataclass(frozen=True)
class RequestLine:
    line_no: int
    item: str
    spec: str
    unit: str
    quantity: int


@dataclass(frozen=True)
class SupportRequest:
    request_id: str
    event_ref: str
    requesting_region: str
    lines: tuple[RequestLine, ...]
    requested_at: datetime


@dataclass(frozen=True)
class Commitment:
    commitment_id: str
    request_id: str
    supporting_region: str
    lines: Lines
    committed_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", _lines(self.lines))


@dataclass(frozen=True)
class Decline:
    decline_id: str
    request_id: str
    supporting_region: str
    reason: str
    declined_at: datetime


@dataclass(frozen=True)
class Dispatch:
    dispatch_id: str
    request_id: str
    supporting_region: str
    lines: Lines
    dispatched_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", _lines(self.lines))


@dataclass(frozen=True)
class Receipt:
    """``received`` and ``discrepancy`` (short, damaged, wrong spec) per request line of one dispatch."""

    receipt_id: str
    dispatch_id: str
    received: Lines
    discrepancy: Lines
    received_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "received", _lines(self.received))
        object.__setattr__(self, "discrepancy", _lines(self.discrepancy))


class SupportStatus(Enum):
    REQUESTED = "requested"
    DECLINED = "declined"
    COMMITTED = "committed"
    DISPATCHED = "dispatched"
    RECEIVED = "received"


@dataclass(frozen=True)
class LineProgress:
    line_no: int
    requested: int
    committed: int
    shipped: int
    received: int
    discrepancy: int

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received - self.discrepancy


@dataclass(frozen=True)
class SupportState:
    request_id: str
    status: SupportStatus
    committed_regions: tuple[str, ...]
    declined_regions: tuple[str, ...]
    lines: tuple[LineProgress, ...]
    flags: tuple[str, ...]


def _dedupe(items: Iterable[_T], attr: str) -> list[_T]:
    seen: dict[str, _T] = {}
    for item in items:
        if seen.setdefault(getattr(item, attr), item) != item:
            raise ReliefRuleError("relief.id_reused", **{attr: getattr(item, attr)})
    return [seen[k] for k in sorted(seen)]


def latest_receipts(receipts: Iterable[Receipt]) -> Mapping[str, Receipt]:
    """Dispatch id → its latest receipt. A receipt is the receiver's full account of a dispatch at ``received_at``
    (shipped = received + in transit + discrepancy on each line), so a later one replaces an earlier one instead of
    adding to it; equal times are broken by the greater receipt id (arrival order never matters)."""
    latest: dict[str, Receipt] = {}
    for r in _dedupe(receipts, "receipt_id"):
        seen = latest.get(r.dispatch_id)
        if seen is None or (r.received_at, r.receipt_id) > (seen.received_at, seen.receipt_id):
            latest[r.dispatch_id] = r
    return MappingProxyType(dict(sorted(latest.items())))


def support_state(
    request: SupportRequest,
    commitments: Iterable[Commitment] = (),
    declines: Iterable[Decline] = (),
    dispatches: Iterable[Dispatch] = (),
    receipts: Iterable[Receipt] = (),
) -> SupportState:
    """Where one request stands; messages of other requests are ignored."""
    rid = request.request_id
    mine_c = [c for c in _dedupe(commitments, "commitment_id") if c.request_id == rid]
    mine_d = [d for d in _dedupe(declines, "decline_id") if d.request_id == rid]
    mine_x = [x for x in _dedupe(dispatches, "dispatch_id") if x.request_id == rid]
    dispatch_ids = {x.dispatch_id for x in mine_x}
    mine_r = [r for r in latest_receipts(receipts).values() if r.dispatch_id in dispatch_ids]
    flags: set[str] = set()
    committed_regions = sorted({c.supporting_region for c in mine_c})
    declined_regions = sorted({d.supporting_region for d in mine_d} - set(committed_regions))
    if {d.supporting_region for d in mine_d} & set(committed_regions):
        flags.add("commit_and_decline")
    known = {line.line_no for line in request.lines}
    progress = []
    for line in sorted(request.lines, key=lambda x: x.line_no):
        n = line.line_no
        p = LineProgress(
            n,
            line.quantity,
            sum(c.lines.get(n, 0) for c in mine_c),
            sum(x.lines.get(n, 0) for x in mine_x),
            sum(r.received.get(n, 0) for r in mine_r),
            sum(r.discrepancy.get(n, 0) for r in mine_r),
        )
        if p.committed > p.requested:
            flags.add("over_commitment")
        if p.shipped > p.committed:
            flags.add("shipped_beyond_commitment")
        if p.in_transit < 0:
            flags.add("received_beyond_shipped")
        progress.append(p)
    line_sets: list[Lines] = [m.lines for m in mine_c] + [x.lines for x in mine_x]
    for lines in line_sets:
        if set(lines) - known:
            flags.add("unknown_line")
    for receipt in mine_r:
        if (set(receipt.received) | set(receipt.discrepancy)) - known:
            flags.add("unknown_line")
    shipped = sum(p.shipped for p in progress)
    if shipped and all(p.in_transit <= 0 for p in progress):
        status = SupportStatus.RECEIVED
    elif shipped:
        status = SupportStatus.DISPATCHED
    elif committed_regions:
        status = SupportStatus.COMMITTED
    elif declined_regions:
        status = SupportStatus.DECLINED
    else:
        status = SupportStatus.REQUESTED
    return SupportState(
        rid, status, tuple(committed_regions), tuple(declined_regions), tuple(progress), tuple(sorted(flags))
    )


@dataclass(frozen=True)
class CostEntry:
    """A cost the supporting (payee) region charges the requesting (payer) region for one event."""

    entry_id: str
    event_ref: str
    payer_region: str
    payee_region: str
    amount_fen: int
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.amount_fen, int) or isinstance(self.amount_fen, bool):
            raise ReliefRuleError("relief.amount_not_fen", entry_id=self.entry_id)


def cost_ledger(entries: Iterable[CostEntry]) -> Mapping[str, Mapping[tuple[str, str], int]]:
    """Event → (payer region, payee region) → fen, deduped by entry id."""
    ledger: dict[str, dict[tuple[str, str], int]] = {}
    for entry in _dedupe(entries, "entry_id"):
        pair = (entry.payer_region, entry.payee_region)
        per_event = ledger.setdefault(entry.event_ref, {})
        per_event[pair] = per_event.get(pair, 0) + entry.amount_fen
    return MappingProxyType(
        {event: MappingProxyType(dict(sorted(pairs.items()))) for event, pairs in sorted(ledger.items())}
    )
