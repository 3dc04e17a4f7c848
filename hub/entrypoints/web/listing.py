"""Lists with allow-listed filters and sorting, paging, and the same rows as CSV (UTF-8 with BOM, so Excel opens
Chinese text). All SQL is SQLAlchemy Core with bound parameters; sort keys come from an allow-list."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Response
from marshmallow import Schema, fields, validate
from sqlalchemy import Engine, Select, func, literal, select

MAX_PER_PAGE = 500
MAX_EXPORT = 200_000
#: A page counts matching rows up to this many; past it ``total`` is this number and ``total_exact`` false. Counting a
#: million rows costs 60–230 ms on PostgreSQL (every visible row is read); counting at most 10,001 costs a few ms,
#: and nobody pages through more than 10,000 rows (filters and CSV export serve that).
COUNT_CAP = 10_000


@dataclass(frozen=True)
class ListSpec:
    """One list: its base query, filters (arg name → clause builder), sortable columns and row shaping."""

    name: str
    query: Callable[[], Select]
    filters: Mapping[str, Callable[[Any], Any]]
    sortable: Mapping[str, Any]  # sort key → a column, or a tuple of columns (a composite order, e.g. a key's index)
    default_sort: str
    shape: Callable[[Mapping[str, Any]], dict] = dict
    csv_columns: Sequence[str] = field(default_factory=tuple)


def paging_schema(spec_name: str, sortable: Sequence[str], default_sort: str, extra: Mapping[str, fields.Field]) -> type:
    """A marshmallow query-args schema: the list's filters plus page, per_page, sort (allow-list) and format."""
    allowed = [s for k in sortable for s in (k, f"-{k}")]
    attrs = {
        "page": fields.Int(load_default=1, validate=validate.Range(min=1, max=1_000_000)),
        "per_page": fields.Int(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE)),
        "sort": fields.Str(load_default=default_sort, validate=validate.OneOf(allowed),
                           metadata={"description": "one of: " + ", ".join(allowed)}),
        "format": fields.Str(load_default="json", validate=validate.OneOf(["json", "csv"])),
        **extra,
    }
    return Schema.from_dict(attrs, name=f"{spec_name.title().replace('_', '')}ListArgs")


def _filtered(spec: ListSpec, args: Mapping[str, Any], scope: Sequence[Any]) -> Select:
    q = spec.query()
    for name, build in spec.filters.items():
        value = args.get(name)
        if value is not None and value != "":
            q = q.where(build(value))
    for clause in scope:
        q = q.where(clause)
    return q


def run_list(engine: Engine, spec: ListSpec, args: Mapping[str, Any], scope: Sequence[Any] = ()) -> dict | Response:
    """The page asked for (``{items, total, total_exact, page, per_page, sort}``), or the whole filtered list as
    CSV."""
    q = _filtered(spec, args, scope)
    sort = args.get("sort") or spec.default_sort
    cols = spec.sortable[sort.lstrip("-")]
    order = [c.desc() if sort.startswith("-") else c.asc() for c in (cols if isinstance(cols, tuple) else (cols,))]
    if args.get("format") == "csv":
        with engine.connect() as conn:
            rows = [spec.shape(r._mapping) for r in conn.execute(q.order_by(*order).limit(MAX_EXPORT))]
        return csv_response(spec.name, rows, spec.csv_columns)
    page, per_page = args.get("page", 1), args.get("per_page", 50)
    with engine.connect() as conn:
        # counted rows carry no columns: a row's computed values (a statement's status …) are not worked out
        counted = q.with_only_columns(literal(1), maintain_column_froms=True).order_by(None).limit(COUNT_CAP + 1)
        total = conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
        rows = conn.execute(q.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [spec.shape(r._mapping) for r in rows], "total": min(total, COUNT_CAP),
            "total_exact": total <= COUNT_CAP, "page": page, "per_page": per_page, "sort": sort}


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else value


def csv_response(name: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] = ()) -> Response:
    """CSV with a BOM (Excel reads UTF-8 only with it) and a header row; formula-like cells are neutralised."""
    buf = io.StringIO()
    cols = list(columns) or (list(rows[0].keys()) if rows else [])
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(cols)
    for r in rows:
        cells = [_cell(r.get(c)) for c in cols]
        # CSV injection: a cell starting with = + - @ is run as a formula by spreadsheets; prefix a quote.
        w.writerow([f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in cells])
    body = "\ufeff" + buf.getvalue()
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
