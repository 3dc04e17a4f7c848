"""The fast validator takes its own path for valid messages and agrees with the reference one."""

import pytest

import schemas.fast as fast
from schemas import KINDS
from schemas.tools.samples import sample_message


@pytest.mark.parametrize("kind", list(KINDS))
def test_valid_messages_never_fall_back_to_marshmallow(kind, monkeypatch):
    def forbidden(msg):
        raise AssertionError("fell back to the reference validator")

    monkeypatch.setattr(fast, "validate_message", forbidden)
    assert fast.validate_fast(sample_message(kind)) == sample_message(kind)


def test_a_json_float_with_zero_fraction_is_still_refused_on_the_fast_path():
    from schemas import ContractError

    msg = sample_message("eldercare.claim")
    msg["payload"]["total_fen"] = 110000.0
    with pytest.raises(ContractError) as exc:
        fast.validate_fast(msg)
    assert exc.value.paths == ["payload.total_fen"]


def test_an_impossible_date_is_refused_on_the_fast_path():
    from schemas import ContractError

    msg = sample_message("eldercare.enrolment")
    msg["payload"]["admitted_on"] = "2023-02-29"
    with pytest.raises(ContractError) as exc:
        fast.validate_fast(msg)
    assert exc.value.paths == ["payload.admitted_on"]
