"""The compact event summary folded batch by batch equals the summary of the full rebuild (hub.domain.disaster_summary)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.disaster_checks import DeadlinePolicy, consistency_flags, cumulative_decreases
from hub.domain.disaster_summary import fold_summary, summary_of
from hub.domain.disasters import EventKey, ReportKind, Stage, Status, build_event
from tests.hub.domain.test_disasters import T0, report

POLICY = DeadlinePolicy()


@st.composite
def reports(draw):  # noqa: ANN001, ANN201
    """Revisions of one event: every kind and stage, colliding revisions and data times, falling figures with and
    without a reason, major ones (deaths), inconsistent splits, received before or after the zero-report hour."""
    n = draw(st.integers(1, 14))
    out = []
    for i in range(n):
        kind = draw(st.sampled_from([ReportKind.REPORT] * 6 + [ReportKind.CORRECTION, ReportKind.CANCEL]))
        stage = Stage.FINAL if kind is ReportKind.CORRECTION else draw(
            st.sampled_from([Stage.INITIAL, Stage.UPDATE, Stage.UPDATE, Stage.UPDATE, Stage.FINAL]))
        figures = {"affected_population": draw(st.integers(0, 4)) * 100, "deaths": draw(st.sampled_from([0, 3, 12])),
                   "relocated_cumulative": 10, "relocated_centralised": draw(st.sampled_from([4, 6])),
                   "relocated_dispersed": 4}
        if kind is ReportKind.CANCEL:
            figures = {}
        hours = draw(st.integers(0, 4)) * 6
        out.append(report(
            f"m{draw(st.integers(0, 99)):02d}-{i}", stage, draw(st.integers(0, 6)), hours=hours, kind=kind,
            received_hours=draw(st.integers(0, 120)), figures=figures, occurred_at=T0 + timedelta(hours=hours),
            decrease_reason=draw(st.sampled_from([None, None, "复核"]))))
    return out


def _batches(draw, items: list) -> list[list]:  # noqa: ANN001
    cuts = sorted(draw(st.lists(st.integers(0, len(items)), max_size=5)))
    bounds = [0, *cuts, len(items)]
    return [items[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_folding_batches_equals_the_summary_of_the_full_rebuild(data) -> None:  # noqa: ANN001
    revisions = data.draw(reports())
    if data.draw(st.booleans()):  # arrival in supersession order, the usual flood
        revisions.sort(key=lambda r: r.supersession_key)
    # duplicates inside a batch (the hub passes each batch's distinct new revisions; a replay never reaches it)
    sent = revisions + data.draw(st.lists(st.sampled_from(revisions), max_size=3))
    batches = _batches(data.draw, sent)
    seen: dict[str, object] = {}
    summary = None
    for batch in batches:
        new = [r for r in batch if r.message_id not in seen]
        if not new:
            continue
        seen.update({r.message_id: r for r in new})
        full = summary_of(build_event(seen.values()), POLICY)
        folded = None if summary is None else fold_summary(summary, new)
        if folded is not None:
            assert folded == full
            assert folded.status == build_event(seen.values()).status
            assert folded.final == build_event(seen.values()).final
        summary = full if folded is None else folded


def test_summary_of_reads_what_the_row_reads() -> None:
    events = [
        [report("a", Stage.INITIAL, 1, figures={"affected_population": 500}),
         report("b", Stage.UPDATE, 2, hours=6, figures={"affected_population": 400})],
        [report("a", Stage.FINAL, 3), report("c", Stage.FINAL, 2, kind=ReportKind.CORRECTION),
         report("d", Stage.UPDATE, 5, hours=1)],
    ]
    for revisions in events:
        event = build_event(revisions)
        s = summary_of(event, POLICY)
        assert (s.status, s.final, s.current, s.ignored, s.count) == (
            event.status, event.final, event.current, event.ignored, len(event.history))
        assert s.decreases == cumulative_decreases(event)
        assert s.inconsistencies == tuple(f for r in event.accepted for f in consistency_flags(r))


def _flood(n: int) -> list:
    return [report(f"m{i:03d}", Stage.INITIAL if i == 0 else Stage.UPDATE, i + 1, hours=i,
                   figures={"affected_population": 100 * (i + 1) - (150 if i == 5 else 0)}) for i in range(n)]


def test_a_flood_of_updates_folds_without_a_rebuild() -> None:
    revisions = _flood(12)
    summary = summary_of(build_event(revisions[:1]), POLICY)
    for i in range(1, 12, 3):
        summary = fold_summary(summary, revisions[i:i + 3])
        assert summary is not None
    assert summary == summary_of(build_event(revisions), POLICY)
    assert [d.to_message_id for d in summary.decreases] == ["m005"]


def test_closed_and_cancelled_events_fold_too() -> None:
    revisions = _flood(3)
    final = report("f", Stage.FINAL, 4, hours=10)
    late = report("g", Stage.UPDATE, 5, hours=11)  # update_after_final
    second = report("h", Stage.FINAL, 6, hours=12)  # second_final
    old_fix = report("i", Stage.FINAL, 3, hours=13, kind=ReportKind.CORRECTION)  # correction_not_newer
    fix = report("j", Stage.FINAL, 7, hours=14, kind=ReportKind.CORRECTION)
    cancel = report("k", Stage.UPDATE, 8, hours=15, kind=ReportKind.CANCEL, figures={})
    summary = summary_of(build_event(revisions), POLICY)
    for step in ([final], [late, second], [old_fix], [fix], [cancel]):
        summary = fold_summary(summary, step)
        assert summary is not None
    whole = build_event([*revisions, final, late, second, old_fix, fix, cancel])
    assert summary == summary_of(whole, POLICY)
    assert summary.status is Status.CANCELLED
    assert [i.reason for i in summary.ignored] == ["update_after_final", "second_final", "correction_not_newer"]


def test_what_the_summary_cannot_place_asks_for_a_rebuild() -> None:
    revisions = _flood(4)
    summary = summary_of(build_event([revisions[0], revisions[2]]), POLICY)
    assert fold_summary(summary, [revisions[1]]) is None  # would sit inside the accepted chain
    assert fold_summary(summary, [report("x", Stage.FINAL, 2, hours=30)]) is None  # sets the 续报 rev 3 aside
    other = report("y", Stage.UPDATE, 9, key=EventKey("110000", "OTHER"))
    assert fold_summary(summary, [other]) is None
    twice = [report("z", Stage.UPDATE, 9), report("z", Stage.UPDATE, 10)]
    assert fold_summary(summary, twice) is None  # the rebuild raises disaster.message_id_reused
    closed = summary_of(build_event([*revisions, report("f", Stage.FINAL, 8, hours=40)]), POLICY)
    assert fold_summary(closed, [report("e", Stage.FINAL, 7, hours=41)]) is None  # a smaller 核报 replaces it


def test_deadline_inputs_fold_like_the_full_set() -> None:
    revisions = [report(f"m{i}", Stage.UPDATE, i + 1, hours=24 * i, received_hours=24 * i + (2 if i % 2 else 7),
                        figures={"deaths": 12}) for i in range(5)]
    summary = summary_of(build_event(revisions[:2]), POLICY)
    summary = fold_summary(summary, revisions[2:])
    assert summary is not None
    assert summary.deadline == summary_of(build_event(revisions), POLICY).deadline
    assert summary.deadline.first_received == revisions[0].received_at
