"""Errors of the adapters.

    JJJError (jjj.errors)
    └── AdapterError              root of everything raised on purpose under adapters.*
        ├── RegionNotFound        no adapters.<package> exposes a RegionSpec for this code
        ├── FormatError           the input as a whole is unusable (wrong encoding, not XML, missing columns)
        └── RowError              one record is bad: where (file, row or path), which field, why (en + zh)

A RowError never stops a file: the record is rejected and kept, the next one goes on.  A FormatError stops the
file at the point where it is found (records before it were already handled), because nothing after it can be
read reliably (a decode error mid-file, a broken XML tree).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jjj.errors import JJJError


class AdapterError(JJJError):
    """Root of the adapters' errors."""


class RegionNotFound(AdapterError):
    """No region package answers to this code or name."""


@dataclass(frozen=True)
class Problem:
    """One located problem: ``field`` is the native field name (with the canonical name when known)."""

    field: str
    reason: str
    reason_zh: str = ""
    path: str | None = None  # canonical path (payload.…) when the check was the contract's
    rule: str | None = None

    def as_dict(self) -> dict:
        return {"field": self.field, "reason": self.reason, "reason_zh": self.reason_zh, "path": self.path,
                "rule": self.rule}


class RowError(AdapterError):
    """One native record is wrong. ``str()`` reads ``claims.csv:row 1234: 身份证号 (id_number): check digit …``."""

    def __init__(self, problems: list[Problem] | Problem, *, source: str = "", location: str = "") -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        self.source, self.location = source, location
        super().__init__(self._text())

    def _text(self) -> str:
        head = ":".join(x for x in (self.source, self.location) if x)
        body = "; ".join(f"{p.field}: {p.reason}" for p in self.problems)
        return f"{head}: {body}" if head else body

    def at(self, source: str, location: str) -> RowError:
        """The same error, located (mappers raise without knowing the file; the pipeline adds it)."""
        return RowError(self.problems, source=self.source or source, location=self.location or location)

    def __str__(self) -> str:
        return self._text()


def bad(field: str, reason: str, reason_zh: str = "") -> RowError:
    """Shorthand for a mapper: ``raise bad("身份证号 (id_number)", "check digit is 1, expected X", "校验码…")``."""
    return RowError(Problem(field, reason, reason_zh))


@dataclass(eq=False)
class FormatError(AdapterError):
    """The file (or request body) cannot be read on: wrong encoding, broken XML, missing columns."""

    reason: str
    reason_zh: str = ""
    source: str = ""
    location: str = ""
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = ":".join(x for x in (self.source, self.location) if x)
        return f"{head}: {self.reason}" if head else self.reason
