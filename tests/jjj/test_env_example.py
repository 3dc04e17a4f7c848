"""`.env.example` names every environment variable the platform reads (docs in step with the code)."""

from __future__ import annotations

import re

from jjj.config import PROJECT_ROOT

#: a variable read from the environment: os.environ.get("JJJ_X"), os.environ["JJJ_X"], os.getenv("JJJ_X"),
#: "JJJ_X" in os.environ, env.get("JJJ_X") (settings read from a mapping)
READ = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]\s*|getenv\(\s*|\benv(?:iron)?\.get\(\s*)["'](JJJ_[A-Z0-9_]*[A-Z0-9])["']"""
                  r"""|["'](JJJ_[A-Z0-9_]*[A-Z0-9])["']\s+(?:not\s+)?in\s+os\.environ""")
PACKAGES = ("hub", "jjj", "adapters", "schemas")


def _read_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            for m in READ.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(m.group(1) or m.group(2), str(path.relative_to(PROJECT_ROOT)))
    return found


def test_every_variable_the_code_reads_is_in_env_example() -> None:
    documented = set(re.findall(r"\bJJJ_[A-Z0-9_]*[A-Z0-9]\b", (PROJECT_ROOT / ".env.example").read_text("utf-8")))
    read = _read_in_code()
    assert len(read) > 40  # the scan finds the reads (a broken pattern would find none and pass)
    missing = {name: where for name, where in read.items() if name not in documented}
    assert missing == {}
