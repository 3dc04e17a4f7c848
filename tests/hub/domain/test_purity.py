"""The domain is pure: standard library and hub.domain only (style.md habit 3; import-linter enforces it too)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[3] / "hub" / "domain"
MODULES = sorted(DOMAIN.glob("*.py"))
ALLOWED_STDLIB = {
    "__future__",
    "bisect",
    "collections",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "itertools",
    "math",
    "types",
    "typing",
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_domain_module_imports_only_the_standard_library_and_the_domain(path: Path) -> None:
    for name in imported(path):
        top = name.split(".")[0]
        assert name.startswith("hub.domain") or (top in ALLOWED_STDLIB and top in sys.stdlib_module_names), name


def test_there_are_domain_modules() -> None:
    assert len(MODULES) >= 10
