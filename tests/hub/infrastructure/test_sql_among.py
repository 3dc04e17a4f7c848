"""``hub.infrastructure.sql.among`` (``= ANY(:array)`` on PostgreSQL, the IN list on SQLite) selects and deletes
exactly the rows of ``column.in_(values)``: empty lists, duplicates, values longer than the column (never cut to
the column's length), NULLs in the column, text and integer columns, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, select

from hub.infrastructure.sql import among, among_rows

md = MetaData()
probe = Table(
    "among_probe", md, Column("id", Integer, primary_key=True), Column("code", String(8)), Column("n", Integer)
)

CODES = ["a", "b", "abcdefgh", "区县", "x'y", "", None, "B", "a b"]
WANTED = [
    [],
    ["a"],
    ["a", "a", "b"],
    ["abcdefgh", "abcdefghij"],
    ["abcdefghij"],
    ["区县", "x'y", ""],
    ["zz", "A"],
    [str(i) for i in range(600)] + ["b"],
]


def test_among_selects_and_deletes_the_rows_of_in(engine) -> None:  # noqa: ANN001
    md.create_all(engine)
    rows = [{"id": i, "code": c, "n": i % 4} for i, c in enumerate(CODES)]
    with engine.begin() as conn:
        conn.execute(insert(probe), rows)
    with engine.connect() as conn:
        for values in WANTED:
            q = select(probe.c.id).order_by(probe.c.id)
            want = conn.execute(q.where(probe.c.code.in_(values))).scalars().all()
            assert conn.execute(q.where(among(conn, probe.c.code, values))).scalars().all() == want, values
        for ns in [[], [0], [1, 3, 3], [7]]:
            q = select(probe.c.id).order_by(probe.c.id)
            assert (
                conn.execute(q.where(among(conn, probe.c.n, ns))).scalars().all()
                == conn.execute(q.where(probe.c.n.in_(ns))).scalars().all()
            )
    with engine.begin() as conn:
        conn.execute(delete(probe).where(among(conn, probe.c.code, ["a", "abcdefgh", "nope"])))
        left = conn.execute(select(probe.c.code).order_by(probe.c.id)).scalars().all()
    assert left == [c for c in CODES if c not in ("a", "abcdefgh")]
    md.drop_all(engine)


pairs = Table(
    "among_rows_probe",
    md,
    Column("id", Integer, primary_key=True),
    Column("a", String(4)),
    Column("b", String(4)),
    Column("n", Integer),
)


def test_among_rows_selects_and_deletes_the_rows_of_a_row_value_in(engine) -> None:  # noqa: ANN001
    from sqlalchemy import tuple_

    md.create_all(engine)
    rows = [
        {"id": i, "a": a, "b": b, "n": i % 3}
        for i, (a, b) in enumerate(
            [("x", "1"), ("x", "2"), ("y", "1"), ("y", None), (None, "1"), ("区", ""), ("", ""), ("abcd", "efgh")]
        )
    ]
    with engine.begin() as conn:
        conn.execute(insert(pairs), rows)
    cols = (pairs.c.a, pairs.c.b)
    wanted = [
        [],
        [("x", "1")],
        [("x", "1"), ("x", "1"), ("y", "1")],
        [("y", None)],
        [(None, "1")],
        [("区", ""), ("", "")],
        [("abcdefg", "efgh"), ("abcd", "efghij")],
        [("x", "2"), ("q", "q")],
        [(f"v{i}", str(i)) for i in range(700)] + [("abcd", "efgh")],
    ]
    with engine.connect() as conn:
        q = select(pairs.c.id).order_by(pairs.c.id)
        for values in wanted:
            want = conn.execute(q.where(tuple_(*cols).in_(values))).scalars().all()
            assert conn.execute(q.where(among_rows(conn, cols, values))).scalars().all() == want, values
        three = (pairs.c.a, pairs.c.b, pairs.c.n)
        for values in [[("x", "1", 0)], [("x", "1", 1), ("y", "1", 2)], []]:
            want = conn.execute(q.where(tuple_(*three).in_(values))).scalars().all()
            assert conn.execute(q.where(among_rows(conn, three, values))).scalars().all() == want, values
    with engine.begin() as conn:
        conn.execute(delete(pairs).where(among_rows(conn, cols, [("x", "2"), ("", ""), ("zz", "zz")])))
        left = conn.execute(select(pairs.c.id).order_by(pairs.c.id)).scalars().all()
    assert left == [0, 2, 3, 4, 5, 7]
    md.drop_all(engine)
