"""A realistic, deterministic mix of region messages for load and crash tests (valid under the contract)."""

from __future__ import annotations

from tests.hub.services import builders as b

REGIONS = ("bj", "tj", "he")
COUNTY = {"bj": "110111", "tj": "120114", "he": "130681"}
STAGES = ("initial", "update", "update", "update", "final")


def workload(n: int) -> list[dict]:
    """``n`` messages: ~40 % disaster revisions, ~30 % stock ledger, ~25 % eldercare, ~5 % heartbeats."""
    out: list[dict] = [b.rates(r, code, 60000, table=f"T-{r}") for r, code in
                       (("bj", "110000"), ("tj", "120000"), ("he", "130000"))]
    i = 0
    while len(out) < n:
        r = REGIONS[i % 3]
        slot = i % 20
        if slot < 8:  # disaster: 5 revisions per event, affected grows
            ev, rev = divmod(i // 20 * 8 + slot, 5)
            out.append(b.disaster(r, f"{r.upper()}-EV-{ev}", STAGES[rev], rev + 1, 100 * (rev + 1) + ev % 7,
                                  at=rev * 10 + (i % 5), county=COUNTY[r], relocated=10 * (rev + 1)))
        elif slot < 14:  # stock ledger: movements, and a snapshot every 6th
            depot = f"{r.upper()}-D{i % 40}"
            if slot == 13:
                out.append(b.snapshot(r, 1000 + i % 17, at=i % 600, depot_id=depot))
            else:
                out.append(b.movement(r, f"M{i}", "inbound" if slot % 2 else "outbound", 1 + i % 9,
                                      at=i % 600, depot_id=depot))
        elif slot < 19:  # eldercare: an enrolment (odd slot), then a claim for that elder (the next slot)
            elder = i if slot % 2 else i - 1
            home = REGIONS[elder % 3]
            payer = {"bj": "110102", "tj": "120114", "he": "130681"}[home]
            facility = REGIONS[(elder % 3 + 1 + (elder // 3) % 2) % 3]  # one of the two other regions
            if slot % 2:
                out.append(b.enrolment(facility, f"E{elder}", elder, payer, facility))
            else:
                out.append(b.claim(facility, f"C{i}", payer, "2026-05",
                                   [(f"L{i}", elder, 31 if i % 4 else 10, 60000)], at=5))
        else:
            out.append(b.heartbeat(r, at=i % 100))
        i += 1
    return out[:n]
