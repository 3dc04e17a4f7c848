"""What a region package declares, and how the core finds it.

Each region package (``adapters/<name>/__init__.py``) exposes ``REGION = RegionSpec(...)``: its bus code, its
native formats (reader + mapper per format) and its configuration.  The core discovers every package under
``adapters`` that has a ``REGION``; adding a region or a format never touches the core.
"""

from __future__ import annotations

import fnmatch
import importlib
import os
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from adapters.core.errors import RegionNotFound, RowError
from adapters.core.persons import Persons
from adapters.core.readers import Record


@dataclass(frozen=True)
class Canonical:
    """A canonical message before it has an envelope: what a region's mapping produces from native input."""

    kind: str
    payload: dict
    references: tuple[str, ...] = ()
    correlation_id: str | None = None
    status: str = "actual"


@dataclass(frozen=True)
class Mapped:
    """A canonical message and the native records it came from (one row, or the rows of one grouped claim).

    ``rebuild(drop)`` (grouped formats only) rebuilds the message without the line indexes in ``drop``, so the
    core can reject the bad lines of a claim the contract refused and let the good lines go on.
    """

    item: Canonical
    records: tuple[Record, ...]
    rebuild: Callable[[set[int]], Canonical | None] | None = None


@dataclass(frozen=True)
class Rejected:
    """Native records refused, with the located reason."""

    records: tuple[Record, ...]
    error: RowError


Outcome = Mapped | Rejected


@dataclass
class MapContext:
    """What a mapper may use besides the records: persons (refs, masking), config and earlier messages."""

    region: str
    persons: Persons
    config: dict[str, Any]
    #: (kind, partition key) → the id of the last message of that kind about that entity (for ``references``)
    last_message_id: Callable[[str, str], str | None] = lambda kind, key: None


Mapper = Callable[[Iterator[Record], MapContext], Iterator[Outcome]]
Reader = Callable[[BinaryIO, str, Path], Iterator[Record]]


@dataclass(frozen=True)
class NativeFormat:
    """One native input: how to read it, how to map it, which file names it answers to."""

    name: str
    kinds: tuple[str, ...]
    reader: Reader
    mapper: Mapper
    patterns: tuple[str, ...] = ()   # file-name globs for `convert` / `import` auto-detection
    description: str = ""
    http: bool = False                # accepted by the intake endpoint POST /intake/<name>
    #: canonical path (without list indexes) → native field name, for error messages
    fields: dict[str, str] = field(default_factory=dict)

    def matches(self, path: Path) -> bool:
        return any(fnmatch.fnmatch(path.name.lower(), p) for p in self.patterns)


@dataclass(frozen=True)
class RegionSpec:
    """A region's adapter: bus code, names, native formats and configuration (code maps, units, ports, URLs)."""

    code: str
    package: str
    name_zh: str
    system_id: str
    formats: dict[str, NativeFormat]
    config: dict[str, Any] = field(default_factory=dict)
    intake_port: int = 0
    webhook_url: str | None = None

    def setting(self, name: str, default: str | None = None) -> str | None:
        """``JJJ_<CODE>_<NAME>`` from the environment, else the region's config default."""
        return os.environ.get(f"JJJ_{self.code.upper()}_{name.upper()}", self.config.get(name.lower(), default))

    def format_for(self, path: Path, name: str | None = None) -> NativeFormat:
        if name:
            if name not in self.formats:
                raise RegionNotFound(f"region {self.code} has no format {name!r}", formats=", ".join(self.formats))
            return self.formats[name]
        found = [f for f in self.formats.values() if f.matches(path)]
        if len(found) != 1:
            raise RegionNotFound(f"cannot tell the format of {path.name} (give --format)",
                                 formats=", ".join(self.formats))
        return found[0]


def regions() -> dict[str, RegionSpec]:
    """Every region package under ``adapters`` that exposes ``REGION``, by bus code."""
    import adapters

    found: dict[str, RegionSpec] = {}
    for mod in pkgutil.iter_modules(adapters.__path__):
        if not mod.ispkg or mod.name == "core":
            continue
        spec = getattr(importlib.import_module(f"adapters.{mod.name}"), "REGION", None)
        if isinstance(spec, RegionSpec):
            found[spec.code] = spec
    return found


def region(code_or_name: str) -> RegionSpec:
    """A region by bus code (``bj``) or package name (``beijing``)."""
    for spec in regions().values():
        if code_or_name in (spec.code, spec.package):
            return spec
    raise RegionNotFound(f"no adapter package for region {code_or_name!r}")
