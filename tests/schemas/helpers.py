"""Test helpers: mutate a sample message at a dotted path and capture the ContractError."""

from __future__ import annotations

import pytest

from schemas import ContractError, validate_message
from schemas.fast import validate_fast
from schemas.tools.samples import sample_message

DELETE = object()


def mutated(kind: str, changes: dict) -> dict:
    msg = sample_message(kind)
    for path, value in changes.items():
        *head, last = path.split(".")
        obj = msg
        for part in head:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        key = int(last) if last.isdigit() else last
        if value is DELETE:
            del obj[key]
        else:
            obj[key] = value
    return msg


def rejection(msg: dict) -> ContractError:
    """The error of the reference validator, checked to equal the fast validator's."""
    with pytest.raises(ContractError) as slow:
        validate_message(msg)
    with pytest.raises(ContractError) as fast:
        validate_fast(msg)
    s, f = slow.value, fast.value
    assert (type(f), f.code, f.paths, f.rule, f.reason, f.reason_zh) == (type(s), s.code, s.paths, s.rule, s.reason, s.reason_zh)
    return s
