"""The row of an event folded from its memoised summary batch by batch equals ``event_row`` of the full rebuild
from every stored revision (hub.services.disasters; pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.disasters import build_event
from hub.services import disasters
from hub.services.disaster_mapping import event_defaults, to_report
from hub.services.policy import HubPolicy

POLICY = HubPolicy()
T0 = datetime(2026, 7, 30, 8, 0, tzinfo=UTC)


def _indicators(draw) -> dict:  # noqa: ANN001
    people = {"affected": draw(st.integers(0, 4)) * 100, "deaths": draw(st.sampled_from([0, 3, 12])), "missing": 0,
              "relocated_cumulative": 10, "relocated_centralised": draw(st.sampled_from([4, 6])),
              "relocated_dispersed": 4}
    return {"people": people, "losses": {"total": draw(st.sampled_from(["12.50", "9.00"]))}}


@st.composite
def stored_rows(draw):  # noqa: ANN001, ANN201
    """``disaster_reports`` rows of one event: reports of every stage, corrections, cancels; colliding revisions
    and data times, two types and start dates (a correction borrows them), units and shared references."""
    rows = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["disaster.report"] * 6 + ["disaster.correction", "disaster.cancel"]))
        revision = draw(st.integers(0, 6))
        as_of = T0 + timedelta(hours=6 * draw(st.integers(0, 4)))
        sent = as_of + timedelta(hours=draw(st.integers(0, 60)))
        if kind == "disaster.report":
            ind = _indicators(draw)
            p = {"event_id": "E1", "revision": revision, "data_as_of": as_of.isoformat(),
                 "disaster_type": draw(st.sampled_from(["flood"] * 5 + ["storm"])),
                 "started_on": draw(st.sampled_from(["2026-07-30"] * 4 + ["2026-07-29"])),
                 "stage": draw(st.sampled_from(["initial", "update", "update", "final"])),
                 "reporting_unit_code": draw(st.sampled_from(["110000", "110111"])), "totals": ind,
                 "counties": [{"county_code": c, "indicators": ind}
                              for c in draw(st.sets(st.sampled_from(["110111", "110112"]), max_size=2))]}
            if draw(st.booleans()):
                p["decreases"] = [{"indicator": "people.affected", "reason": "复核"}]
            if draw(st.integers(0, 4)) == 0:
                p["shared_event_ref"] = {"region": "tj", "event_id": "T1"}
            if draw(st.integers(0, 4)) == 0:
                p["typhoon_number"] = "2605"
        elif kind == "disaster.correction":
            p = {"event_id": "E1", "revision": revision, "data_as_of": as_of.isoformat(), "totals": _indicators(draw),
                 "corrects_revision": max(0, revision - 1), "reason": "复核更正"}
        else:
            p = {"event_id": "E1", "reason_code": "merged", "reason": "合并"}
        rows.append({"message_id": f"M{draw(st.integers(0, 99)):02d}{i:02d}", "region": "bj", "event_id": "E1",
                     "kind": kind, "payload": p, "sent_at": sent.isoformat(),
                     "received_at": (sent + timedelta(minutes=draw(st.integers(0, 300)))).replace(tzinfo=None)})
    return rows


def full_row(rows: list[dict], now: datetime) -> dict:
    defaults = event_defaults(rows)
    event = build_event(to_report(r, defaults) for r in rows)
    return disasters.event_row(event, rows, now, POLICY)


def _seed(rows: list[dict]) -> disasters._Entry:
    defaults = event_defaults(rows)
    return disasters._seed(build_event(to_report(r, defaults) for r in rows), rows, POLICY)


def _drop_updated(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "updated_at"}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_folded_row_equals_the_full_rebuild_row(data) -> None:  # noqa: ANN001
    rows = data.draw(stored_rows())
    if data.draw(st.booleans()):  # the usual flood: revisions arrive in order
        rows.sort(key=lambda r: (r["payload"].get("revision", 99), r["message_id"]))
    cuts = sorted(data.draw(st.lists(st.integers(1, len(rows)), max_size=4)))
    bounds = [0, *cuts, len(rows)]
    now = T0 + timedelta(days=data.draw(st.integers(0, 6)), hours=data.draw(st.integers(0, 23)))
    entry, stored = None, []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if b <= a:
            continue
        new = rows[a:b]
        stored += new
        folded = None if entry is None else disasters._fold_entry(entry, new, POLICY)
        entry = folded or _seed(stored)
        assert _drop_updated(entry.row(now, POLICY)) == _drop_updated(full_row(stored, now))
        assert entry.summary.count == len(stored)


def test_a_seeded_entry_renders_the_full_row() -> None:
    rows = [{"message_id": f"M{i}", "region": "bj", "event_id": "E1", "kind": "disaster.report",
             "payload": {"event_id": "E1", "revision": i, "data_as_of": (T0 + timedelta(hours=i)).isoformat(),
                         "disaster_type": "flood", "started_on": "2026-07-30", "stage": "update",
                         "reporting_unit_code": "110000", "totals": {"people": {"affected": 100 * i}}},
             "sent_at": (T0 + timedelta(hours=i)).isoformat(), "received_at": T0 + timedelta(hours=i)}
            for i in range(1, 4)]
    now = T0 + timedelta(days=1)
    assert _seed(rows).row(now, POLICY) == full_row(rows, now)
    entry = disasters._fold_entry(_seed(rows[:1]), rows[1:], POLICY)
    assert entry is not None and entry.row(now, POLICY) == full_row(rows, now)
    assert entry.defaults == (3, "M3", "flood", date(2026, 7, 30))
