"""Shared pieces of the API views: list endpoints generated from a ListSpec, query-arg fields, list envelopes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.entrypoints.web.auth import current_user, require
from hub.entrypoints.web.listing import ListSpec, paging_schema, run_list

REGION = fields.Str(validate=validate.OneOf(["bj", "tj", "he"]))
CODE6 = fields.Str(validate=validate.Regexp(r"^[0-9]{6}$"))
PERIOD = fields.Str(validate=validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$"))
IDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
IDENT = fields.Str(validate=validate.Regexp(IDENT_RE))
CSV_NOTE = " `?format=csv` returns every matching row as CSV (UTF-8 with BOM) instead of one JSON page."


def engine():  # noqa: ANN201
    return current_app.extensions["jjj.engine"]


def envelope(item: type[Schema]) -> type[Schema]:
    """``{items, total, total_exact, page, per_page, sort}`` around ``item``."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "total": fields.Int(required=True, metadata={
            "description": "matching rows, counted up to 10,000 (then 10000 with total_exact false)"}),
        "total_exact": fields.Bool(required=True, metadata={
            "description": "false when more than 10,000 rows match: narrow the filters or export CSV"}),
        "page": fields.Int(required=True),
        "per_page": fields.Int(required=True), "sort": fields.Str(required=True),
    }, name=item.__name__.removesuffix("Schema") + "Page")


def add_list(blp: Blueprint, path: str, spec: ListSpec, item: type[Schema], area: str,
             filters: Mapping[str, fields.Field], *, summary: str,
             scope: Callable[[], Sequence] = lambda: ()) -> None:
    """Register GET ``path``: the filtered, sorted, paged list (or CSV) of ``spec``."""
    args_schema = paging_schema(spec.name, list(spec.sortable), spec.default_sort, filters)

    @require(area)
    def view(args):  # noqa: ANN001, ANN202
        return run_list(engine(), spec, args, scope())

    view.__name__ = f"list_{spec.name}"
    view.__doc__ = summary + "\n\n" + summary + "." + CSV_NOTE
    blp.route(path, methods=["GET"], endpoint=spec.name)(
        blp.arguments(args_schema, location="query")(blp.response(200, envelope(item))(view)))


def user_scope_region(column):  # noqa: ANN001, ANN201
    """Region operators see only their own region's rows."""
    def scope() -> list:
        u = current_user()
        return [column == u.region] if u is not None and u.role == "region_operator" else []
    return scope


def user_scope_district(column):  # noqa: ANN001, ANN201
    """District settlement officers see only their own district's rows."""
    def scope() -> list:
        u = current_user()
        return [column == u.district] if u is not None and u.role == "district_officer" else []
    return scope
