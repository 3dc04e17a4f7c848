"""The scenario as data: deterministic, valid against the contract, synthetic persons only, plausible figures."""

from __future__ import annotations

from collections import Counter

import pytest

import schemas
from jjj.demo import eldercare, expected, scenario
from jjj.demo.faults import deterministic_ulid
from jjj.demo.people import PersonFactory
from schemas.person import PersonRefHasher, is_valid_id_number

HASHER = PersonRefHasher({"k1": b"k" * 40}, "k1")
STEPS = scenario.build(HASHER.person_ref)


def envelope(step) -> dict:  # noqa: ANN001
    return {"message_id": schemas.new_message_id(), "kind": step.kind, "schema_version": "1.0",
            "sender": {"region": step.region, "unit_code": {"bj": "110000", "tj": "120000", "he": "130000"}[step.region],
                       "system_id": "demo"},
            "sent_at": "2026-11-28T10:00:00+08:00", "status": "actual",
            "references": [schemas.new_message_id()] if step.refers_to else [], "correlation_id": None,
            "expires_at": None, "payload": step.payload}


@pytest.mark.parametrize("step", [s for s in STEPS if not s.fault and not s.kind.startswith("demo.")],
                         ids=lambda s: s.step_id)
def test_every_good_message_is_valid_against_the_contract(step) -> None:  # noqa: ANN001
    schemas.encode(envelope(step))


@pytest.mark.parametrize("step", [s for s in STEPS if s.fault == "plain"], ids=lambda s: s.step_id)
def test_the_plainly_bad_messages_break_the_contract_with_the_expected_code(step) -> None:  # noqa: ANN001
    with pytest.raises(schemas.ContractError) as err:
        schemas.encode(envelope(step))
    assert int(err.value.code) == step.expect_code
    if step.expect_rule:
        assert err.value.rule == step.expect_rule


def test_the_scenario_is_deterministic_and_in_time_order() -> None:
    again = scenario.build(HASHER.person_ref)
    assert [(s.step_id, s.payload) for s in again] == [(s.step_id, s.payload) for s in STEPS]
    assert [s.when for s in STEPS] == sorted(s.when for s in STEPS)
    assert len({s.step_id for s in STEPS}) == len(STEPS)


def test_out_of_order_arrivals_are_in_the_script() -> None:
    order = [s.step_id for s in STEPS]
    assert order.index("disaster/HE-2026-0729-ZZ01/r3") < order.index("disaster/HE-2026-0729-ZZ01/r2")
    assert order.index("disaster/BJ-2026-0729-MTG01/r4") < order.index("disaster/BJ-2026-0729-MTG01/r3")


def test_synthetic_id_numbers_are_valid_and_unique() -> None:
    f = PersonFactory(1)
    from datetime import date

    people = [f.person("110102", date(1930, 1, 1), date(1945, 12, 31)) for _ in range(200)]
    assert all(is_valid_id_number(p.id_number) for p in people)
    assert len({p.id_number for p in people}) == 200
    assert all("*" in p.masked for p in people)


def test_fault_message_ids_are_valid_ulids_and_stable() -> None:
    s = next(s for s in STEPS if s.fault)
    assert deterministic_ulid(s.step_id, s.when) == deterministic_ulid(s.step_id, s.when)
    import re

    from schemas.fields import ULID_RE

    assert re.match(ULID_RE, deterministic_ulid(s.step_id, s.when))


def test_expected_totals_are_the_regions_of_a_haihe_scale_flood() -> None:
    totals = expected.region_totals()
    assert totals == {"bj": {"affected": 283_730, "deaths": 5, "missing": 2, "relocated": 89_990},
                      "tj": {"affected": 105_850, "deaths": 0, "missing": 0, "relocated": 31_390},
                      "he": {"affected": 858_630, "deaths": 6, "missing": 3, "relocated": 228_240}}


def test_eldercare_lines_carry_the_three_planted_problems() -> None:
    assert expected.line_rejections() == {"under_15_days": 2, "assessment_expired": 4, "duplicate": 4}
    assert expected.period_totals() == {
        "2026-06": {"claimed_fen": 900_000, "accepted_fen": 810_000, "lines": 20},
        "2026-07": {"claimed_fen": 900_000, "accepted_fen": 810_000, "lines": 20},
        "2026-08": {"claimed_fen": 970_000, "accepted_fen": 740_000, "lines": 22}}
    assert sum(1 for e in expected.statements().values() if e["disputed"]) == 1
    assert Counter(ln.rejected_for for ln in eldercare.lines() if ln.elder == "E09") == Counter(
        {"under_15_days": 2, None: 4})


def test_expected_rejections_one_per_code() -> None:
    assert expected.receipt_rejections() == {400: 1, 420: 1, 410: 1, 310: 1, 203: 1, 201: 1}
