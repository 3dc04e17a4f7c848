"""``jjj.db_fast``'s shortcuts give exactly SQLAlchemy's parameters: the processors it builds (a type decorator
chained straight to its implementation, SQLite's DATETIME text of a naive datetime by ``isoformat``) equal
``type.bind_processor(dialect)`` for every value shape, and the generated row converters (one expression per row,
the previous row's result reused for the same datetime object) equal converting every value of every row."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table, Time, insert
from sqlalchemy.dialects import postgresql, sqlite

from hub.infrastructure import tables as t
from jjj import db_fast
from jjj.db import JSON_CODEC

ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
MOMENTS = [
    datetime(2026, 3, 1, 12, 0, 0),
    datetime(2026, 3, 1, 12, 0, 0, 1),
    datetime(1, 1, 1),
    datetime(9999, 12, 31, 23, 59, 59, 999999),
    datetime(987, 6, 5, 4, 3, 2, 100),
]
DATETIMES = [*MOMENTS, *(m.replace(tzinfo=z) for m in MOMENTS[:2] + MOMENTS[4:] for z in ZONES), None]


def _dialects():  # noqa: ANN202
    lite = sqlite.dialect()
    lite._json_serializer = JSON_CODEC["json_serializer"]
    pg = postgresql.psycopg.dialect()
    pg._json_serializer = JSON_CODEC["json_serializer"]
    return [lite, pg]


def _norm(value):  # noqa: ANN001, ANN202
    """A comparable form: psycopg's JSON wrappers compare by identity, so by their class, object and dumper."""
    if hasattr(value, "obj") and hasattr(value, "dumps"):
        return (type(value), value.obj, value.dumps)
    return (type(value), value)


@pytest.mark.parametrize("dialect", _dialects(), ids=lambda d: d.name)
def test_processors_equal_sqlalchemys(dialect) -> None:  # noqa: ANN001
    cases = [
        (DateTime(), DATETIMES),
        (DateTime(timezone=True), DATETIMES),
        (t.UTCDateTime(), DATETIMES),
        (Date(), [date(2026, 1, 2), date(1, 1, 1), None]),
        (Time(), [time(1, 2, 3), time(0, 0), None]),
        (JSON(), [{"a": [1, None]}, [], "x", None]),
        (String(10), ["a", None]),
        (Integer(), [1, None]),
    ]
    for type_, values in cases:
        impl = type_.dialect_impl(dialect)
        ref = impl.bind_processor(dialect)
        fast = db_fast._fast_processor(impl, dialect)
        assert (ref is None) == (fast is None), type_
        for v in values:
            if dialect.name == "sqlite" and isinstance(type_, Date) and isinstance(v, datetime):
                continue
            want = _norm(ref(v) if ref else v)
            got = _norm(fast(v) if fast else v)
            assert got == want, (type_, v, got, want)


def test_a_sqlite_datetime_with_a_custom_format_keeps_sqlalchemys_processor() -> None:
    dialect = sqlite.dialect()
    ty = sqlite.DATETIME(truncate_microseconds=True)
    fast = db_fast._fast_processor(ty, dialect)
    assert fast(datetime(2026, 1, 2, 3, 4, 5, 6)) == "2026-01-02 03:04:05"


def _row(params):  # noqa: ANN001, ANN202
    if isinstance(params, dict):
        return {k: _norm(v) for k, v in params.items()}
    return tuple(_norm(v) for v in params)


@pytest.mark.parametrize("dialect", _dialects(), ids=lambda d: d.name)
def test_generated_converters_equal_converting_every_value(dialect) -> None:  # noqa: ANN001
    md = MetaData()
    table = Table(
        "probe",
        md,
        Column("id", Integer, primary_key=True),
        Column("at", t.UTCDateTime()),
        Column("on", Date),
        Column("doc", JSON),
        Column("name", String(20)),
        Column("plain", DateTime),
    )
    now = datetime(2026, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    day = date(2026, 5, 1)
    doc = {"k": [1, 2]}
    rows = []
    for i in range(40):
        at = now if i % 3 else now + timedelta(microseconds=i)  # runs of one object, and equal but new ones
        rows.append(
            {
                "id": i,
                "at": at if i != 7 else None,
                "on": day if i % 5 else date(2026, 1, i % 28 + 1),
                "doc": doc if i % 2 else [i],
                "name": f"n{i}" if i % 4 else None,
                "plain": MOMENTS[i % len(MOMENTS)],
            }
        )
    rows[10]["at"] = now.replace(tzinfo=UTC)  # equal wall clock, another instant: a different text
    rows[11]["at"] = now.astimezone(UTC)  # the same instant, another object
    shape = db_fast._compile(insert(table), dialect, tuple(rows[0]))
    assert shape is not db_fast._FALLBACK
    comp = insert(table).compile(dialect=dialect, column_keys=list(rows[0]), for_executemany=True)
    binds = {name: bp for bp, name in comp.bind_names.items()}
    procs = {n: binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in binds}

    def slow(r: dict, n: str):  # noqa: ANN202
        return procs[n](r[n]) if procs[n] else r[n]

    got = [_row(x) for x in shape.convert(rows)]
    if comp.positional:
        want = [_row(tuple(slow(r, n) for n in comp.positiontup)) for r in rows]
    else:
        escaped = comp.escaped_bind_names or {}
        want = [_row({escaped.get(n, n): slow(r, n) for n in binds}) for r in rows]
    assert got == want
    assert shape.convert([]) == []
