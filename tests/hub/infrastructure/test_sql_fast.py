"""The bulk writes compiled once (``jjj.db_fast``, used by ``hub.infrastructure.sql``, the intake's processed rows
and the audit log on SQLite) store exactly what ``conn.execute(stmt, rows)`` stores: every hub table, written by the
old path (the functions as they were, kept below) and by the new one, must hold the same raw values — datetimes
with and without offsets, JSON (including ``None``, which SQLAlchemy writes as JSON ``null``), NULLs, booleans,
dates, bytes — after the same sequence of inserts, insert-if-absent, upserts (``newer``, ``only_if_null``) and
accumulations. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    case,
    cast,
    delete,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from hub.infrastructure import sql
from hub.infrastructure import tables as t
from jjj import audit, db_fast

# ------------------------------------------------------------------ the old path (hub/infrastructure/sql.py before)


def _old_insert(conn, table: Table):  # noqa: ANN001, ANN202
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _old_pk(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _old_dedupe(table, rows, keep):  # noqa: ANN001, ANN202
    names = _old_pk(table)
    out: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[n] for n in names)
        seen = out.get(key)
        if seen is None or keep(seen, row):
            out[key] = row
    return list(out.values())


def old_insert_ignore(conn, table, rows) -> None:  # noqa: ANN001
    rows = _old_dedupe(table, rows, lambda _old, _new: False)
    if rows:
        conn.execute(_old_insert(conn, table).on_conflict_do_nothing(index_elements=_old_pk(table)), rows)


def old_upsert(conn, table, rows, *, newer=None, only_if_null=None) -> None:  # noqa: ANN001
    keep = (lambda old, new: new[newer] > old[newer]) if newer else (lambda _old, _new: True)
    rows = _old_dedupe(table, rows, keep)
    if not rows:
        return
    stmt = _old_insert(conn, table)
    pk = _old_pk(table)
    cols = [c for c in rows[0] if c not in pk]
    where = None
    if newer:
        where = table.c[newer] < stmt.excluded[newer]
    if only_if_null:
        cond = table.c[only_if_null].is_(None)
        where = cond if where is None else (where & cond)
    if not cols:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=pk), rows)
        return
    conn.execute(stmt.on_conflict_do_update(index_elements=pk, set_={c: stmt.excluded[c] for c in cols},
                                            where=where), rows)


def old_accumulate(conn, table, rows, *, add, latest) -> None:  # noqa: ANN001
    if not rows:
        return
    stmt = _old_insert(conn, table)
    rows = sorted(rows, key=lambda r: tuple(r[n] for n in _old_pk(table)))
    newer = case((stmt.excluded[latest] > table.c[latest], stmt.excluded[latest]), else_=table.c[latest])
    conn.execute(stmt.on_conflict_do_update(index_elements=_old_pk(table),
                                            set_={add: table.c[add] + stmt.excluded[add], latest: newer}), rows)


def old_insert_many(conn, table, rows) -> None:  # noqa: ANN001
    conn.execute(insert(table), rows)


OLD = {"insert": old_insert_many, "insert_ignore": old_insert_ignore, "upsert": old_upsert,
       "accumulate": old_accumulate}
NEW = {"insert": db_fast.insert_many, "insert_ignore": sql.insert_ignore, "upsert": sql.upsert,
       "accumulate": sql.accumulate}

# ------------------------------------------------------------------ rows

ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]


def _value(column, rng: random.Random, *, allow_null: bool = True):  # noqa: ANN001, ANN202
    if allow_null and column.nullable and not column.primary_key and rng.random() < 0.25:
        return None
    ty = column.type
    if isinstance(ty, t.UTCDateTime) or isinstance(ty, DateTime):
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**8), microseconds=rng.randrange(10**6))
        return at.astimezone(rng.choice(ZONES))
    if isinstance(ty, Boolean):
        return rng.random() < 0.5
    if isinstance(ty, Date):
        return date(2026, 1, 1) + timedelta(days=rng.randrange(400))
    if isinstance(ty, JSON):
        return rng.choice([
            {"a": rng.randrange(100), "名": "北京 \"q\" \\ \n", "n": None, "l": [1, 2.5, True, None]},
            [{"line_no": rng.randrange(9), "qty": rng.randrange(10**6)}, {"x": "é"}],
            [], {}, "text", 12, None,  # None is JSON null (SQLAlchemy's JSON type writes 'null', not NULL)
        ])
    if isinstance(ty, LargeBinary):
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
    if isinstance(ty, Integer | BigInteger) or getattr(ty, "python_type", None) is int:
        return rng.randrange(-10**6, 10**9) if not column.primary_key else rng.randrange(1, 12)
    if isinstance(ty, String | Text):
        n = min(getattr(ty, "length", None) or 60, 60)
        pool = "abcXYZ019-_:/ 京津冀é'\"%?\\"
        if column.primary_key:
            return rng.choice(["k1", "k2", "k3", "k4", "k5"])[:n]
        return "".join(rng.choice(pool) for _ in range(rng.randrange(0, n + 1)))
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {ty!r}")


def _batch(table: Table, rng: random.Random, n: int, *, subset: bool) -> list[dict]:
    """``n`` rows with primary keys from a small pool (duplicates within and across batches); with ``subset``,
    optional columns are left out (the statement's column set differs)."""
    cols = [c for c in table.columns
            if not subset or c.primary_key or (not c.nullable and c.server_default is None) or rng.random() < 0.5]
    return [{c.key: _value(c, rng) for c in cols} for _ in range(n)]


def _written(conn, table: Table) -> list[tuple]:  # noqa: ANN001
    """The stored values as the database holds them: the driver's raw row and each column as text."""
    order = [c for c in table.primary_key.columns] or list(table.columns)
    raw = [tuple(r) for r in conn.execute(select(*table.columns).order_by(*order))]
    as_text = [cast(c, Text) for c in table.columns if not isinstance(c.type, LargeBinary)]
    texts = [tuple(r) for r in conn.execute(select(*as_text).order_by(*order))]
    unprocessed = str(select(*table.columns).compile(dialect=conn.dialect))  # the driver's values, no result types
    stored = [tuple(r) for r in conn.exec_driver_sql(unprocessed).fetchall()]
    return [raw, texts, sorted(stored, key=repr)]


HUB_TABLES = [tb for tb in t.metadata.sorted_tables if tb.primary_key.columns]


def _run(engine, table: Table, ops, steps) -> list:  # noqa: ANN001
    with engine.begin() as conn:
        conn.execute(delete(table))
    for kind, rows, options in steps:
        with engine.begin() as conn:
            ops[kind](conn, table, rows, **options)
    with engine.connect() as conn:
        return _written(conn, table)


def _steps(table: Table, seed: int) -> list[tuple[str, list[dict], dict]]:
    rng = random.Random(seed)
    nullable = [c.key for c in table.columns if c.nullable and not c.primary_key]
    version = next((c.key for c in table.columns if c.key == "version_at"), None)
    steps = [("insert_ignore", _batch(table, rng, 20, subset=False), {}),
             ("insert_ignore", _batch(table, rng, 20, subset=True), {}),
             ("upsert", _batch(table, rng, 20, subset=False), {}),
             ("upsert", _batch(table, rng, 1, subset=False), {}),
             ("upsert", _batch(table, rng, 15, subset=True), {})]
    if nullable:
        steps.append(("upsert", _batch(table, rng, 20, subset=False), {"only_if_null": nullable[0]}))
    if version:
        steps.append(("upsert", _batch(table, rng, 20, subset=False), {"newer": version}))
        if nullable:
            steps.append(("upsert", _batch(table, rng, 20, subset=False),
                          {"newer": version, "only_if_null": nullable[-1]}))
    if all(c.primary_key or c.nullable or c.server_default is not None for c in table.columns):
        pk_only = [{c.key: _value(c, rng) for c in table.primary_key.columns} for _ in range(8)]
        steps.append(("upsert", pk_only, {}))  # no column to update: ON CONFLICT DO NOTHING
    return steps


def test_every_hub_table_stores_the_same_values_through_both_paths(engine) -> None:  # noqa: ANN001
    assert len(HUB_TABLES) > 30
    for i, table in enumerate(HUB_TABLES):
        steps = _steps(table, seed=i)
        old = _run(engine, table, OLD, steps)
        new = _run(engine, table, NEW, steps)
        assert old[0], f"{table.name}: nothing written"
        assert new == old, table.name
    fallbacks = [key for key, shape in db_fast._shapes.items() if shape is db_fast._FALLBACK]
    assert not fallbacks, "the hub's bulk statements run on the compiled fast path, not conn.execute"


def test_plain_inserts_store_the_same_values(engine) -> None:  # noqa: ANN001
    for i, table in enumerate([t.processed, t.dead_letters, t.hub_outbox, *HUB_TABLES[:10]]):
        rng = random.Random(1000 + i)
        rows = _batch(table, rng, 30, subset=True)
        key = [c.key for c in table.primary_key.columns]
        rows = list({tuple(r[k] for k in key): r for r in rows}.values())  # a plain INSERT fails on duplicates
        old = _run(engine, table, OLD, [("insert", rows, {})])
        new = _run(engine, table, NEW, [("insert", rows, {})])
        assert old[0] and new == old, table.name


def test_accumulate_adds_and_keeps_the_latest_like_before(engine) -> None:  # noqa: ANN001
    rng = random.Random(7)
    table = t.processed_counts
    steps = [("accumulate", [{"region": rng.choice(["bj", "tj", "he"]), "code": rng.choice([100, 201, 420]),
                              "count": rng.randrange(1, 50),
                              "last_at": datetime(2026, 3, 1, tzinfo=UTC).astimezone(rng.choice(ZONES))
                              + timedelta(minutes=rng.randrange(-600, 600))} for _ in range(9)],
              {"add": "count", "latest": "last_at"}) for _ in range(6)]
    steps = [(k, list({(r["region"], r["code"]): r for r in rows}.values()), o) for k, rows, o in steps]
    old = _run(engine, table, OLD, steps)
    new = _run(engine, table, NEW, steps)
    assert old[0] and new == old


def test_upsert_semantics(engine) -> None:  # noqa: ANN001
    """``newer`` keeps the greatest version (in the batch and against the stored row); ``only_if_null`` freezes a
    row once the column is set; insert_ignore keeps the first row of a key."""
    E = t.eldercare_enrolments
    base = _batch(E, random.Random(3), 1, subset=False)[0]
    v1, v2, v3 = (f"2026-05-0{d}T00:00:00Z|m{d}" for d in (1, 2, 3))
    with engine.begin() as conn:
        sql.upsert(conn, E, [{**base, "version_at": v2}, {**base, "version_at": v1}], newer="version_at")
        sql.upsert(conn, E, [{**base, "version_at": v1}], newer="version_at")
    with engine.connect() as conn:
        assert conn.execute(select(E.c.version_at)).scalar_one() == v2
    with engine.begin() as conn:
        sql.upsert(conn, E, [{**base, "version_at": v3}], newer="version_at")
    with engine.connect() as conn:
        assert conn.execute(select(E.c.version_at)).scalar_one() == v3


def test_audit_log_rows_are_those_of_the_old_insert(engine, monkeypatch) -> None:  # noqa: ANN001
    entries = [{"actor": "bj", "action": "message.accepted", "subject": "01J0000000000000000000000A",
                "detail": {"kind": "disaster.report", "code": 100}},
               {"actor": "officer.李", "action": "dlq.replay", "subject": "dl-7",
                "detail": {"reason": "密钥\t登记 \\ \"q\"", "ids": [3, 1], "n": {"b": None, "a": [True]}}},
               {"actor": "hub", "action": "settlement.confirm", "subject": "ST-1", "detail": {}}]
    at = datetime(2026, 11, 29, 3, 0, tzinfo=timezone(timedelta(hours=8)))

    def write_all() -> list:
        for chunk in (entries[:1], entries[1:], entries):
            with engine.begin() as conn:
                audit._write(conn, _rows(conn, chunk), copy=False)
        with engine.connect() as conn:
            out = _written(conn, audit.audit_table)
        with engine.begin() as conn:
            conn.execute(delete(audit.audit_table))
            conn.execute(audit.audit_head.update().values(seq=0, hash=audit.GENESIS))
        return out

    seqs = iter(range(1, 100))

    def _rows(conn, chunk) -> list[dict]:  # noqa: ANN001
        return [{"seq": next(seqs), "at": at.isoformat(), "actor": e["actor"], "action": e["action"],
                 "subject": e["subject"], "detail": e["detail"], "prev_hash": "0" * 64, "hash": "f" * 64}
                for e in chunk]

    new = write_all()
    seqs = iter(range(1, 100))
    monkeypatch.setattr(audit, "insert_many", old_insert_many)
    old = write_all()
    assert old[0] and new == old
    monkeypatch.undo()
    with engine.begin() as conn:  # and the chain still verifies through append
        audit.append(conn, entries)
    assert audit.verify(engine).ok


def test_the_statement_cache_is_bounded_and_holds_no_values(engine, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(db_fast, "MAX_SHAPES", 3)
    monkeypatch.setattr(db_fast, "_shapes", {})
    rng = random.Random(11)
    for table in HUB_TABLES[:6]:
        with engine.begin() as conn:
            sql.insert_ignore(conn, table, _batch(table, rng, 3, subset=False))
    assert 0 < len(db_fast._shapes) <= 3
    for key in db_fast._shapes:
        assert all(isinstance(part, Table | tuple | str | type(None)) or callable(part) for part in key)
