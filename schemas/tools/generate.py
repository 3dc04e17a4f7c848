"""Regenerate (or check) the published artifacts: JSON Schemas, examples and the AsyncAPI document.

    python -m schemas.tools.generate          # write
    python -m schemas.tools.generate --check  # exit 1 if committed copies drift
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from schemas.registry import KINDS
from schemas.tools.asyncapi_gen import asyncapi_document
from schemas.tools.examples_gen import examples
from schemas.tools.jsonschema_gen import message_schema

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def artifacts() -> dict[str, str]:
    """Relative path (under ``schemas/``) → file text, for every generated artifact."""
    out = {f"jsonschema/{kind}.json": _json(message_schema(spec)) for kind, spec in KINDS.items()}
    expectations = {}
    for rel, (msg, expect) in examples().items():
        out[f"examples/{rel}"] = _json(msg)
        if expect is not None:
            expectations[rel] = expect
    out["examples/expectations.json"] = _json(expectations)
    out["asyncapi.yaml"] = yaml.safe_dump(asyncapi_document(), allow_unicode=True, sort_keys=False, width=120)
    return out


def _managed(root: Path) -> set[str]:
    found = set()
    for sub, pattern in (("jsonschema", "*.json"), ("examples", "**/*.json")):
        found |= {str(p.relative_to(root)) for p in (root / sub).glob(pattern)}
    if (root / "asyncapi.yaml").exists():
        found.add("asyncapi.yaml")
    return found


def write(root: Path = PACKAGE_DIR) -> list[str]:
    """Write every artifact under ``root`` and delete stale ones; returns the changed paths."""
    wanted = artifacts()
    changed = []
    for rel in sorted(_managed(root) - set(wanted)):
        (root / rel).unlink()
        changed.append(rel)
    for rel, text in wanted.items():
        path = root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(rel)
    return changed


def drift(root: Path = PACKAGE_DIR) -> list[str]:
    """Paths whose committed copy differs from what the generator makes (missing, changed or stale)."""
    wanted = artifacts()
    out = sorted(_managed(root) - set(wanted))
    for rel, text in wanted.items():
        path = root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(rel)
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        stale = drift()
        for rel in stale:
            print(f"drift: schemas/{rel}")
        return 1 if stale else 0
    for rel in write():
        print(f"wrote schemas/{rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
