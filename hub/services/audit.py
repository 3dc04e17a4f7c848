"""The audit hook: appends entries to the hash-chained log of ``jjj.audit`` inside the caller's transaction."""

from __future__ import annotations

try:  # written by another helper; the hub must run without it
    from jjj.audit import append as _append
    from jjj.audit import create_audit_tables
except ImportError:  # pragma: no cover
    _append = None
    create_audit_tables = None


def append(conn, entries: list[dict]) -> None:  # noqa: ANN001
    if _append is not None and entries:
        _append(conn, entries)


def create_tables(engine) -> None:  # noqa: ANN001
    if create_audit_tables is not None:
        create_audit_tables(engine)
