"""The audit trail is append-only and hash-chained: `verify` finds an edited, deleted or reordered entry and says
where (ISSUE 7 "Audit trail")."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, update

from jjj import audit
from jjj.db import make_engine


@pytest.fixture
def engine(database_url):  # noqa: ANN001, ANN201
    engine = make_engine(database_url)
    audit.create_audit_tables(engine)
    yield engine
    engine.dispose()


def _fill(engine, n: int = 5) -> list[int]:  # noqa: ANN001
    with engine.begin() as conn:
        return audit.append(conn, [{"actor": "hub", "action": "message.accepted", "subject": f"m{i}",
                                    "detail": {"kind": "disaster.report", "code": 100}} for i in range(n)])


def test_an_untouched_chain_verifies_and_reports_its_head(engine) -> None:  # noqa: ANN001
    assert _fill(engine, 3) == [1, 2, 3]
    with engine.begin() as conn:
        assert audit.append(conn, [{"actor": "officer.li", "action": "dlq.replay", "subject": "dl-7",
                                    "detail": {"reason": "key registry fixed"}}]) == [4]
    result = audit.verify(engine)
    with engine.connect() as conn:
        last = conn.execute(select(audit.audit_table.c.hash).where(audit.audit_table.c.seq == 4)).scalar_one()
    assert (result.ok, result.checked, result.first_bad_seq, result.head_hash) == (True, 4, None, last)


def test_an_empty_log_verifies(engine) -> None:  # noqa: ANN001
    assert audit.verify(engine) == audit.VerifyResult(True, 0, None, "", audit.GENESIS)
    with engine.begin() as conn:
        assert audit.append(conn, []) == []


def test_appends_roll_back_with_the_callers_transaction(engine) -> None:  # noqa: ANN001
    _fill(engine, 2)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        audit.append(conn, [{"actor": "hub", "action": "x", "subject": "lost"}])
        raise RuntimeError("the business transaction failed")
    assert _fill(engine, 1) == [3]
    assert audit.verify(engine).ok


@pytest.mark.parametrize(("tamper", "bad_seq", "words"), [
    ("edit_detail", 3, "edited"),
    ("edit_actor", 2, "edited"),
    ("delete_middle", 3, "missing"),
    ("delete_first", 1, "missing"),
    ("delete_last", 5, "deleted at the end"),
    ("swap", 2, "broken"),
    ("rehash_edit", 4, "broken"),
])
def test_tampering_is_found_at_the_right_entry(engine, tamper: str, bad_seq: int, words: str) -> None:  # noqa: ANN001
    _fill(engine, 5)
    t = audit.audit_table
    with engine.begin() as conn:
        if tamper == "edit_detail":
            conn.execute(update(t).where(t.c.seq == 3).values(detail={"kind": "disaster.report", "code": 420}))
        elif tamper == "edit_actor":
            conn.execute(update(t).where(t.c.seq == 2).values(actor="mallory"))
        elif tamper == "delete_middle":
            conn.execute(delete(t).where(t.c.seq == 3))
        elif tamper == "delete_first":
            conn.execute(delete(t).where(t.c.seq == 1))
        elif tamper == "delete_last":
            conn.execute(delete(t).where(t.c.seq == 5))
        elif tamper == "swap":  # exchange the content of entries 2 and 3, keeping the seq numbers
            r2, r3 = (dict(conn.execute(select(t).where(t.c.seq == s)).one()._mapping) for s in (2, 3))
            for src, dst in ((r3, 2), (r2, 3)):
                conn.execute(update(t).where(t.c.seq == dst).values(
                    {k: v for k, v in src.items() if k != "seq"}))
        elif tamper == "rehash_edit":  # an attacker edits entry 3 and recomputes its own hash: 4's link breaks
            r = conn.execute(select(t).where(t.c.seq == 3)).one()
            h = audit.entry_hash(3, r.at, r.actor, r.action, "m-forged", r.detail, r.prev_hash)
            conn.execute(update(t).where(t.c.seq == 3).values(subject="m-forged", hash=h))
    result = audit.verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, bad_seq)
    assert words in result.problem


def test_concurrent_appenders_never_fork_the_chain(engine) -> None:  # noqa: ANN001
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                for attempt in range(20):
                    try:
                        with engine.begin() as conn:
                            audit.append(conn, [{"actor": f"hub-{n}", "action": "message.accepted",
                                                 "subject": f"w{n}-{i}"}])
                        break
                    except Exception:  # noqa: BLE001 - SQLite "database is locked" under contention: retry
                        if attempt == 19:
                            raise
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    result = audit.verify(engine)
    assert (result.ok, result.checked) == (True, 40)


def test_missing_fields_are_refused(engine) -> None:  # noqa: ANN001
    with pytest.raises(audit.AuditError), engine.begin() as conn:
        audit.append(conn, [{"actor": "hub", "subject": "m1"}])


def test_the_cli_prints_the_head_or_where_it_breaks(engine, database_url, monkeypatch) -> None:  # noqa: ANN001
    from jjj.commands.audit_cmd import audit_group

    _fill(engine, 2)
    monkeypatch.setenv("JJJ_DATABASE_URL", database_url)
    ok = CliRunner().invoke(audit_group, ["verify"])
    assert ok.exit_code == 0, ok.output
    assert f"head hash {audit.verify(engine).head_hash}" in ok.output
    with engine.begin() as conn:
        conn.execute(delete(audit.audit_table).where(audit.audit_table.c.seq == 1))
    bad = CliRunner().invoke(audit_group, ["verify"])
    assert bad.exit_code == 1
    assert "BROKEN at seq 1" in bad.output


def test_entry_hash_is_the_canonical_json_digest_whichever_encoder_writes_it() -> None:
    """The orjson path (flat details) and the json.dumps path give the digest of the same canonical bytes."""
    import hashlib
    import json

    from jjj.audit import entry_hash

    details = [{}, {"kind": "disaster.report", "code": 100}, {"区县": "武清区", "b": True, "n": None, "z": -5},
               {"quote": "a\"b\\c\n\t\u2028\u0001", "A": "x", "a": "y", "é": 1},
               {"nested": {"b": 1, "a": [1, 2]}}, {"ratio": 0.5}]
    for d in details:
        body = json.dumps([7, "2026-11-29T05:00:00.000000+00:00", "bj", "message.accepted", "01J", d, "0" * 64],
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert entry_hash(7, "2026-11-29T05:00:00.000000+00:00", "bj", "message.accepted", "01J", d, "0" * 64) \
            == hashlib.sha256(body.encode("utf-8")).hexdigest()


def test_append_stores_the_rows_and_chain_of_the_per_entry_path(engine) -> None:  # noqa: ANN001
    """``append`` checks a flat detail once and hashes it inline: the stored rows and hashes are those of
    ``_plain`` + ``entry_hash`` per entry, for flat details and for ones that go through the JSON round trip."""
    from datetime import UTC, datetime

    details = [{"kind": "disaster.report", "code": 100}, None, {}, {"区县": "武清区", "b": True, "n": None},
               {"nested": {"b": 1, "a": [1, 2]}}, {"ratio": 0.5}, {"at": datetime(2026, 1, 1, tzinfo=UTC)},
               {1: "int key"}, {"code": 420, "kind": "undecodable"}]
    entries = [{"actor": f"r{i % 3}", "action": "message.accepted", "subject": f"m{i}", "detail": d}
               for i, d in enumerate(details * 3)]
    at = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
    with engine.begin() as conn:
        seqs = audit.append(conn, entries, at=at)
    stamp = at.isoformat(timespec="microseconds")
    prev, want = audit.GENESIS, []
    for seq, e in zip(seqs, entries, strict=True):
        detail = audit._plain(e["detail"] or {})
        h = audit.entry_hash(seq, stamp, e["actor"], e["action"], e["subject"], detail, prev)
        want.append((seq, stamp, e["actor"], e["action"], e["subject"], detail, prev, h))
        prev = h
    with engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(select(audit.audit_table).order_by(audit.audit_table.c.seq))]
    assert got == want
    assert audit.verify(engine).ok
