"""Cost-ledger, support-flow and drill rows for the ledger and drill tests (added on top of ``seed``)."""

from __future__ import annotations

from sqlalchemy import insert

from hub.infrastructure import tables as t
from tests.web.seed import NOW


def _line(status, ref, supplier, receiver, item, unit, committed, dispatched, received, discrepancy, unit_fen,  # noqa: ANN001, ANN202
          flags=()):  # noqa: ANN001
    in_transit = dispatched - received - discrepancy

    def fen(q: int) -> int | None:
        return None if unit_fen is None else q * unit_fen

    return {"envelope_status": status, "event_ref": ref, "supplier_region": supplier, "receiver_region": receiver,
            "item": item, "unit": unit, "committed": committed, "dispatched": dispatched, "received": received,
            "in_transit": in_transit, "discrepancy": discrepancy, "unit_fen": unit_fen,
            "dispatched_fen": fen(dispatched), "received_fen": fen(received), "in_transit_fen": fen(in_transit),
            "discrepancy_fen": fen(discrepancy), "receiver_bears_fen": fen(received),
            "supplier_bears_fen": fen(discrepancy), "discrepancy_borne_by": "supplier",
            "request_ids": [f"REQ-{receiver}-1"], "dispatch_ids": [f"D-{supplier}-{item}"], "flags": list(flags),
            "updated_at": NOW}


LEDGER = [
    _line("actual", "bj:BJ-E1", "he", "bj", "tent_single", "顶", 10, 10, 8, 2, 120_000),
    _line("actual", "bj:BJ-E1", "tj", "bj", "quilt", "床", 100, 100, 60, 0, 15_000),
    _line("actual", "bj:BJ-E1", "tj", "bj", "emergency_lamp", "盏", 5, 5, 5, 0, None, ["unvalued"]),
    _line("actual", "tj:TJ-E1", "bj", "tj", "blanket", "条", 20, 20, 20, 0, 8_000),
    _line("exercise", "bj:BJ-E1", "he", "bj", "quilt", "床", 999, 999, 999, 0, None, ["unvalued"]),
]


def _flow(rid: str, region: str, status: str) -> dict:
    return {"request_id": rid, "region": region, "status": "dispatched", "committed_regions": ["tj"],
            "declined_regions": [], "lines": [{"line_no": 1, "item": "quilt", "requested": 100, "committed": 100,
                                               "shipped": 100, "received": 60, "discrepancy": 0}],
            "flags": [], "updated_at": NOW, "envelope_status": status}


def seed_ledger(engine) -> None:  # noqa: ANN001
    with engine.begin() as c:
        c.execute(insert(t.relief_cost_ledger), LEDGER)
        c.execute(insert(t.relief_cost_entries), [
            {"entry_id": "CE-1", "event_ref": "bj:BJ-E1", "payer_region": "bj", "payee_region": "tj",
             "amount_fen": 30_000, "description": "运输费 transport", "recorded_by": "coord", "recorded_at": NOW}])
        c.execute(insert(t.relief_support_state), [_flow("REQ-bj-1", "bj", "actual"),
                                                    _flow("DRILL-bj-1", "bj", "exercise")])
        c.execute(insert(t.disaster_reports), [
            {"message_id": "BJ-E1-x9", "region": "bj", "event_id": "BJ-E1", "kind": "disaster.report",
             "stage": "update", "revision": 9, "data_as_of": "2026-07-31T09:00:00+08:00",
             "sent_at": "2026-07-31T09:00:00+08:00", "received_at": NOW, "envelope_status": "exercise",
             "payload": {"event_id": "BJ-E1", "revision": 9, "stage": "update"}}])
