"""JSON columns through the engines' orjson codec (jjj.db.json_text / json_value): the values come back exactly,
on SQLite and PostgreSQL, and the text is what ``json.dumps`` writes in compact UTF-8 form."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select

from jjj.db import json_text, json_value, make_engine

pytestmark = pytest.mark.db

VALUES = [
    {"kind": "disaster.report", "区县": "武清区", "counts": [1, 2, 3], "nested": {"a": None, "b": True}},
    {"fen": 9_223_372_036_854_775_807, "neg": -1, "empty": {}, "list": []},
    "张*明",
    12,
    [],
    None,
    {"quote": "a\"b\\c\n\t\u2028", "control": "\u0001"},
]


def test_the_text_is_json_dumps_compact_utf8() -> None:
    for value in VALUES:
        assert json_text(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert json_value(json_text(value)) == value
    assert json_text({1: "a"}) == '{"1":"a"}'  # integer keys become strings, as with json.dumps


def test_json_value_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError):  # SQLAlchemy's SQLite JSON type then keeps the stored number as it is
        json_value(12)


def test_json_columns_round_trip_on_the_database(database_url: str) -> None:
    md = MetaData()
    table = Table("json_probe", md, Column("id", Integer, primary_key=True), Column("doc", JSON))
    engine = make_engine(database_url)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": i, "doc": v} for i, v in enumerate(VALUES)])
    with engine.connect() as conn:
        got = [row.doc for row in conn.execute(select(table).order_by(table.c.id))]
    engine.dispose()
    assert got == VALUES
