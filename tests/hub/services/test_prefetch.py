"""Per-batch reads (``Batch.prefetch``): a batch reads referral state and support requesters once, whatever the
number of its messages, and decides exactly what one read per message decided."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import event

from hub.infrastructure import tables as t
from hub.services import referrals, relief
from hub.services.context import Batch
from tests.hub.services import builders as b


def _selects(engine, run) -> Counter:  # noqa: ANN001
    """SELECT statements per table run by ``run()``."""
    seen: Counter = Counter()

    def count(_conn, _cur, stmt: str, *_a) -> None:  # noqa: ANN002
        if stmt.lstrip().upper().startswith("SELECT"):
            seen[stmt.split("FROM", 1)[1].split()[0].strip('"')] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_a_batch_reads_referrals_and_requesters_once_whatever_its_size(hub) -> None:  # noqa: ANN001
    hub.feed(*[b.referral("bj", f"RF{i}", "tj") for i in range(30)],
             *[b.support_request("bj", f"REQ{i}", 5, ["tj"]) for i in range(30)])
    answers = [b.acceptance("tj", f"RF{i}", at=1) for i in range(30)] + \
              [b.progress("tj", f"RF{i}", at=2) for i in range(30)] + \
              [b.commitment("tj", f"REQ{i}", 5, at=1) for i in range(30)]
    seen = _selects(hub.engine, lambda: hub.feed(*answers))
    # one prefetch read each, the rest is the recompute (before: 60 and 30 per-message reads); the cost ledger sums
    # the requests' kept shares (relief_cost_parts) instead of re-reading the event's requests; a referral's changes
    # are read in two parts (all but the progress reports, and their count), by the prefetch and by the recompute;
    # the support flows come from the worker's memo (their requests were stored by the first feed)
    assert (seen["referral_changes"], seen["referrals"], seen["relief_support_requests"]) == (4, 2, 2)
    assert {r["state"] for r in hub.rows(t.referrals)} == {"in_progress"}
    forwarded = [m for m in hub.outbox("hub.routed_request") if m["_topic"].endswith(".to.bj")]
    assert len(forwarded) == 90  # every answer reached the requesting region


def test_decisions_in_one_batch_equal_those_of_one_batch_per_message(hub, engine) -> None:  # noqa: ANN001
    first = [b.referral("bj", "RFA", "he"), b.support_request("bj", "REQA", 3, ["he"])]
    rest = [b.acceptance("tj", "RFA", at=1), b.acceptance("he", "RFA", at=2), b.progress("he", "RFA", at=3),
            b.rejection("he", "RFA", at=4), b.closure("he", "RFA", at=5), b.referral("bj", "RFB", "bj", at=6),
            b.commitment("he", "REQA", 3, at=1), b.commitment("tj", "REQB", 3, at=2)]

    def outcomes(batch: int) -> list:
        hub.feed(*first)
        hub.feed(*rest, batch=batch)
        return [(r["kind"], r["code"]) for r in hub.rows(t.processed, "offset")][-len(rest):]

    together = outcomes(500)
    for table in (t.processed, t.referral_changes, t.referrals, t.relief_support_requests,
                  t.relief_support_messages, t.relief_support_state, t.relief_cost_ledger, t.hub_outbox):
        with engine.begin() as conn:
            conn.execute(table.delete())
    assert outcomes(1) == together == [
        ("referral.acceptance", 420), ("referral.acceptance", 100), ("referral.progress", 100),
        ("referral.rejection", 420), ("referral.closure", 100), ("referral.referral", 420),
        ("relief.commitment", 100), ("relief.commitment", 100)]


def test_a_handler_called_outside_the_intake_reads_what_it_needs_itself(hub, engine) -> None:  # noqa: ANN001
    hub.feed(b.referral("bj", "RFC", "tj"), b.support_request("bj", "REQC", 2, ["tj"]))
    with engine.begin() as conn:
        batch = Batch(conn, hub.now, "jjj")  # no messages: the prefetch covers nothing
        referrals.on_change(batch, b.acceptance("tj", "RFC", at=1))
        relief.on_support_reply(batch, b.commitment("tj", "REQC", 2, at=1))
    assert [m.topic for m in batch.outgoing] == ["jjj.to.bj", "jjj.to.bj"]


def test_a_batch_reads_the_statements_its_settlement_messages_name_once(hub) -> None:  # noqa: ANN001
    from hub.domain.calendar import Period
    from hub.services import jobs

    hub.feed(b.rates("bj", "110000", 60000), *[b.enrolment("he", f"E{i}", i, "110102", "he") for i in range(1, 4)])
    hub.feed(*[b.claim("he", f"C{i}", "110102", "2026-05", [("L1", i, 31, 60000)], at=i) for i in range(1, 4)])
    jobs.run_statements(hub.engine, Period(2026, 5), hub.now)
    [sid] = [r["statement_id"] for r in hub.rows(t.settlement_statements)]
    pay = [b.msg("eldercare.payment", {"payment_id": f"PAY-{i}", "statement_id": sid, "payer_code": "110102",
                                       "paid_at": b.ts(100 + i), "amount_fen": 10000, "bank_reference": f"B-{i}"},
                 "bj", at=100 + i) for i in range(20)]
    unknown = b.msg("eldercare.confirmation", {"statement_id": "ST-NONE", "confirmed_at": b.ts(200),
                                               "confirmed_fen": 1}, "he", at=200)
    seen = _selects(hub.engine, lambda: hub.feed(*pay, unknown))
    assert seen["settlement_statements"] == 2  # the prefetch (both ids) and the account recompute; was 21 + 1
    assert [(r["kind"], r["code"]) for r in hub.rows(t.processed, "offset")][-21:] == \
        [("eldercare.payment", 100)] * 20 + [("eldercare.confirmation", 420)]
    [acc] = hub.rows(t.settlement_accounts)
    assert (acc["statement_id"], acc["paid_fen"]) == (sid, 200000)  # every payment booked against it
