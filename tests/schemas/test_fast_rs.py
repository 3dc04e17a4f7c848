"""The jsonschema-rs hot path never accepts what the reference validator refuses, and errors stay the reference's.

``validate_fast`` only decides on its own when jsonschema-rs accepts; so what matters is that jsonschema-rs (on the
documents as :func:`schemas.fast.rs_schema` adapts them) accepts no value the reference refuses: whitespace in
``\\S`` patterns, ``format`` date/date-time, ``integer`` vs 1.0 and big ints, trailing newlines, Unicode digits.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas
from schemas import KINDS, ContractError, validate_message
from schemas.fast import (
    PY_SPACE,
    Untranslatable,
    _compiled,
    compiled_payload,
    rs_pattern,
    rs_schema,
    validate_fast,
)
from schemas.fields import DATE_RE, TIMESTAMP_RE, strict_end

ROOT = Path(schemas.__file__).parent
EXAMPLES = sorted(str(p.relative_to(ROOT / "examples")) for p in (ROOT / "examples").glob("*/*.json"))
VALID = [e for e in EXAMPLES if "/valid-" in e]
D4 = "http://json-schema.org/draft-04/schema#"


def _load(rel: str) -> dict:
    return json.loads((ROOT / "examples" / rel).read_text(encoding="utf-8"))


def _outcome(fn, msg: dict):
    try:
        fn(msg)
    except ContractError as exc:
        return (type(exc).__name__, int(exc.code), exc.paths, exc.rule, exc.reason, exc.reason_zh)
    return None


def _published_patterns() -> set[str]:
    out: set[str] = set()

    def walk(s: object) -> None:
        if isinstance(s, dict):
            if isinstance(s.get("pattern"), str):
                out.add(s["pattern"])
            for k, v in s.items():
                if k != "enum":
                    walk(v)
        elif isinstance(s, list):
            for x in s:
                walk(x)

    for p in (ROOT / "jsonschema").glob("*.json"):
        walk(json.loads(p.read_text(encoding="utf-8")))
    return out


PATTERNS = sorted(_published_patterns())


def _rs(schema: dict):
    return jsonschema_rs.validator_for(
        {**rs_schema(schema), "$schema": D4},
        validate_formats=True,
        formats={"py-date": lambda v: True, "py-date-time": lambda v: True},
    )


# ---------------------------------------------------------------- the examples


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_has_a_jsonschema_rs_check(kind):
    assert _compiled(kind) is not None and compiled_payload(kind) is not None


@pytest.mark.parametrize("rel", EXAMPLES)
def test_every_example_gets_the_reference_verdict_code_paths_and_texts(rel):
    msg = _load(rel)
    assert _outcome(validate_fast, copy.deepcopy(msg)) == _outcome(validate_message, copy.deepcopy(msg))
    if "/valid-" in rel:
        assert _compiled(rel.split("/")[0])(msg) is True


# ---------------------------------------------------------------- patterns


def test_py_space_is_exactly_what_python_calls_whitespace():
    assert PY_SPACE == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


@pytest.mark.parametrize("pattern", [r"\S", r"^[^\s*]\*{1,3}[^\s*]?(?!\n)$"])
def test_whitespace_classes_agree_with_python_on_every_code_point(pattern):
    py = re.compile(pattern)
    rs = _rs({"type": "string", "pattern": pattern})
    probes = (lambda c: c, lambda c: c + "*", lambda c: "a*" + c) if "*" in pattern else (lambda c: c,)
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        for probe in probes:
            s = probe(chr(cp))
            assert rs.is_valid(s) == (py.search(s) is not None), (pattern, hex(cp))


def test_text_without_pattern_refuses_what_strip_calls_empty():
    rs = _rs({"type": "string", "minLength": 1, "pattern": r"\S"})
    for c in PY_SPACE:
        assert not rs.is_valid(c * 3)
    assert rs.is_valid("\ufeff") and bool("\ufeff".strip())  # ECMA whitespace, not Python's: both accept


_ALPHABET = "09aAzZ_.:-*+ T\n\r\t\x1c\x85\xa0\u3000\ufeff١٢३𝟘Z" + "一张"


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_published_patterns_agree_with_python_re(pattern, data):
    s = data.draw(
        st.text(alphabet=_ALPHABET, max_size=30)
        | st.from_regex(re.compile(pattern)).map(lambda v: v + data.draw(st.sampled_from(["", "\n", "x", "١"])))
    )
    rs = _rs({"type": "string", "pattern": pattern})
    assert rs.is_valid(s) == (re.search(pattern, s) is not None), (pattern, s)


@pytest.mark.parametrize("pattern", [r"\d", r"[^\S]", r"\w+", r"a\Z", r"[]a]", r"[[a]]", "\\"])
def test_escapes_whose_meaning_differs_are_not_translated(pattern):
    with pytest.raises(Untranslatable):
        rs_pattern(pattern)


def test_every_published_pattern_is_translated():
    for p in PATTERNS:
        rs_pattern(p)


# ---------------------------------------------------------------- formats


def _py_date(s: str) -> bool:
    try:
        date.fromisoformat(s)
    except ValueError:
        return False
    return re.match(strict_end(DATE_RE), s) is not None


def _py_timestamp(s: str) -> bool:
    try:
        datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return False
    return re.match(strict_end(TIMESTAMP_RE), s) is not None


def test_date_format_agrees_with_fromisoformat():
    rs = _rs({"type": "string", "maxLength": 10, "pattern": strict_end(DATE_RE), "format": "date"})
    cases = [f"{y:04d}-{md}" for y in range(10000) for md in ("01-01", "02-28", "02-29", "02-30", "12-31", "00-01")]
    cases += [
        f"{y:04d}-{m:02d}-{d:02d}"
        for y in (0, 1, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9999)
        for m in range(100)
        for d in range(100)
    ]
    for s in cases:
        assert rs.is_valid(s) == _py_date(s), s


def test_date_time_format_agrees_with_fromisoformat():
    rs = _rs({"type": "string", "maxLength": 35, "pattern": strict_end(TIMESTAMP_RE), "format": "date-time"})
    cases = [f"2024-06-30T{h:02d}:{m:02d}:{s:02d}Z" for h in range(30) for m in range(65) for s in range(65)]
    cases += [
        f"{d}T23:59:{s}{z}"
        for d in ("0000-01-01", "0001-01-01", "2016-12-31", "2024-02-29", "2023-02-29", "9999-12-31")
        for s in ("59", "60", "60.5", "59.999999")
        for z in ("Z", "+00:00", "-00:00", "+08:00", "-23:59")
    ]
    cases += [
        f"2024-06-30T{t}{sign}{h:02d}:{m:02d}"
        for t in ("00:00:00", "23:59:59", "23:59:60", "12:00:00.1")
        for sign in "+-"
        for h in range(30)
        for m in range(65)
    ]
    cases += [f"2024-06-30T12:00:00.{'1' * n}Z" for n in range(1, 8)]
    for s in cases:
        ok = rs.is_valid(s)
        assert not ok or _py_timestamp(s), s  # never looser
        # stricter only where RFC 3339 is: an offset's minutes above 59 (Python adds them up); the reference decides
        assert ok or not _py_timestamp(s) or int(s[-2:]) > 59, s


def test_a_format_on_another_pattern_is_checked_by_python():
    doc = rs_schema({"type": "string", "format": "date"})
    assert doc["format"] == "py-date" and _compiled("disaster.report") is not None


# ---------------------------------------------------------------- numbers and JSON-only values


@pytest.mark.parametrize(
    "value",
    [1.0, 0.0, -0.0, 1e300, True, False, 2**63, 2**64, 10**15 + 1, 10**30, -(10**30), float("inf"), float("nan")],
)
def test_integers_refuse_floats_bools_and_big_ints_like_the_reference(value):
    rs = _rs({"type": "integer", "minimum": 0, "maximum": 10**15})
    assert not rs.is_valid(value)


def test_values_jsonschema_rs_cannot_read_go_to_the_reference():
    check = compiled_payload("eldercare.claim")
    msg = _load("eldercare.claim/valid-sample.json")
    for bad in ({1, 2}, b"x", "\ud800", {1: 2}):
        p = copy.deepcopy(msg["payload"])
        p["claim_id"] = bad
        assert check(p) is False
        m = copy.deepcopy(msg)
        m["payload"]["claim_id"] = bad
        assert _outcome(validate_fast, m) == _outcome(validate_message, copy.deepcopy(m)) is not None


# ---------------------------------------------------------------- mutated examples


def _paths(obj: object, here: tuple = ()) -> list[tuple]:
    out = [here]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, here + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, here + (i,))
    return out


_VALUES = [
    1.0,
    0.0,
    True,
    False,
    "",
    "2026-13-01",
    "2024-02-30",
    "0000-01-01",
    "2026-01-01T23:59:60+08:00",
    "0000-01-01T00:00:00Z",
    "x\n",
    "1\n",
    "١٢٣",
    "１２３",
    "\x1c",
    "\x85",
    "\ufeff",
    " ",
    10**30,
    2**64,
    -1,
    None,
    [],
    {},
    "0.00",
    "1.5",
    "12.50\n",
]


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(VALID), st.data())
def test_mutated_examples_get_the_reference_verdict(rel, data):
    msg = _load(rel)
    for _ in range(data.draw(st.integers(1, 2))):
        paths = _paths(msg)
        path = data.draw(st.sampled_from(paths[1:]))
        *head, last = path
        parent = msg
        for k in head:
            parent = parent[k]
        action = data.draw(st.sampled_from(["value", "value", "value", "drop", "add", "digits", "newline"]))
        if action == "value":
            parent[last] = data.draw(st.sampled_from(_VALUES))
        elif action == "drop" and isinstance(parent, dict):
            del parent[last]
        elif action == "add":
            target = parent[last] if isinstance(parent[last], dict) else parent
            if isinstance(target, dict):
                target[data.draw(st.sampled_from(["extra", "x", "note", "name", "deaths"]))] = data.draw(
                    st.sampled_from(_VALUES)
                )
        elif action == "digits" and isinstance(parent[last], str):  # an ASCII digit → a Unicode digit
            s = parent[last]
            parent[last] = re.sub("[0-9]", lambda m: chr(0x0660 + int(m.group())), s, count=1)
        elif action == "newline" and isinstance(parent[last], str):
            parent[last] = parent[last] + "\n"
    assert _outcome(validate_fast, copy.deepcopy(msg)) == _outcome(validate_message, copy.deepcopy(msg))


# ---------------------------------------------------------------- disaster snapshot rules: the one-pass check


_SNAPSHOTS = [
    e for e in EXAMPLES if e.split("/")[0] in ("disaster.report", "disaster.correction") and "/invalid-" not in e
]


def _decimal(n: int) -> str:
    return f"{n // 100}.{n % 100:02d}"


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(_SNAPSHOTS), st.data())
def test_one_pass_snapshot_check_agrees_with_the_rules(rel, data):
    from schemas.payloads.disaster import _name_list_rule, _snapshot_clean, _snapshot_errors, snapshot_rules

    p = _load(rel)["payload"]
    for _ in range(data.draw(st.integers(0, 3))):
        action = data.draw(st.sampled_from(["leaf", "leaf", "leaf", "drop", "county", "township", "copy"]))
        trees = (
            [p["totals"]]
            + [c["indicators"] for c in p.get("counties") or []]
            + [t["indicators"] for c in p.get("counties") or [] for t in c.get("townships") or []]
        )
        if action in ("leaf", "drop"):
            leaves = [
                (parent, k)
                for tree in trees
                for g in tree.values()
                for parent in [g, *(v for v in g.values() if isinstance(v, dict))]
                for k, v in parent.items()
                if not isinstance(v, dict)
            ]
            if not leaves:
                continue
            parent, k = data.draw(st.sampled_from(leaves))
            if action == "drop":
                del parent[k]
                continue
            old = parent[k]
            n = old if type(old) is int else int(old.replace(".", ""))
            n = max(0, data.draw(st.sampled_from([0, n - 1, n + 1, n * 2, n // 2, n + 100])))
            parent[k] = n if type(old) is int else _decimal(n)
        elif action == "county" and p.get("counties"):
            p["counties"].append(copy.deepcopy(data.draw(st.sampled_from(p["counties"]))))
        elif action == "township":
            with_t = [c for c in p.get("counties") or [] if c.get("townships")]
            if with_t:
                c = data.draw(st.sampled_from(with_t))
                c["townships"].append(copy.deepcopy(data.draw(st.sampled_from(c["townships"]))))
        elif action == "copy" and p.get("counties"):  # the totals become one county's figures
            p["totals"] = copy.deepcopy(data.draw(st.sampled_from(p["counties"]))["indicators"])
    errors = list(_snapshot_errors(p))
    assert _snapshot_clean(p) == (errors == [])
    assert list(snapshot_rules(p)) == errors + list(_name_list_rule(p))
