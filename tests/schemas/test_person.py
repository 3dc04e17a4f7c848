"""ID numbers (GB 11643-1999), keyed pseudonyms and masked names."""

import pytest

from schemas import ContractError, validate_message
from schemas.person import InvalidIdNumber, PersonRefHasher, is_valid_id_number, mask_name, normalise_id_number
from schemas.tools.samples import sample_message

KEY = b"k" * 32


def test_the_standards_own_sample_is_valid():
    assert normalise_id_number("11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize("position", range(17))
def test_changing_any_one_digit_of_the_sample_makes_it_invalid(position):
    s = "11010519491231002X"
    digit = str((int(s[position]) + 1) % 10)
    assert not is_valid_id_number(s[:position] + digit + s[position + 1:])


def test_lowercase_x_is_accepted_and_normalised():
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_a_retired_address_code_is_valid():
    # 110103 崇文区 merged into 东城区 in 2010; numbers issued there remain valid
    assert is_valid_id_number("110103194505050010")


@pytest.mark.parametrize(("value", "reason", "reason_zh"), [
    ("11010519490230002X", "impossible birth date 19490230", "出生日期 19490230 不存在"),
    ("11010519491231003X", "check digit is X, expected 8", "校验码为 X，应为 8"),
    ("1101051949123100", "ID number must be 17 digits and a check digit or X", "身份证号码应为 17 位数字加 1 位校验码（数字或 X）"),
    ("11019919491231002X", "unknown address code 110199", "地址码 110199 不存在"),
    ("１１010519491231002X", "ID number must be 17 digits and a check digit or X", "身份证号码应为 17 位数字加 1 位校验码（数字或 X）"),
])
def test_invalid_id_numbers_say_why(value, reason, reason_zh):
    with pytest.raises(InvalidIdNumber) as exc:
        normalise_id_number(value)
    assert (exc.value.reason, exc.value.reason_zh) == (reason, reason_zh)
    assert not isinstance(exc.value, ContractError)


def test_person_ref_is_hmac_of_the_normalised_number_with_key_id():
    h = PersonRefHasher({"k1": KEY}, "k1")
    a = h.person_ref("11010519491231002x")
    assert a == h.person_ref("11010519491231002X")
    assert a["key_id"] == "k1" and len(a["ref"]) == 64
    assert a["ref"] == __import__("hmac").new(KEY, b"11010519491231002X", "sha256").hexdigest()


def test_rotation_keeps_old_refs_matchable():
    h = PersonRefHasher({"k1": KEY, "k2": b"z" * 32}, "k2")
    old = PersonRefHasher({"k1": KEY}, "k1").person_ref("11010519491231002X")
    new = h.person_ref("11010519491231002X")
    assert new["key_id"] == "k2" and new["ref"] != old["ref"]
    assert h.matches("11010519491231002X", old) and h.matches("11010519491231002X", new)
    assert old in h.all_refs("11010519491231002X")


def test_short_keys_are_refused():
    with pytest.raises(ValueError):
        PersonRefHasher({"k1": b"short"}, "k1")


@pytest.mark.parametrize(("name", "masked"), [("张三明", "张*明"), ("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("李", "*")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("leak", ["11010519491231002X", "11010519491231002x", "110105194912310021"])
def test_no_schema_accepts_a_plain_id_number_where_a_person_ref_belongs(leak):
    msg = sample_message("eldercare.claim")
    msg["payload"]["lines"][0]["elder_ref"] = leak
    with pytest.raises(ContractError) as exc:
        validate_message(msg)
    assert exc.value.paths == ["payload.lines[0].elder_ref"]
    assert exc.value.errors[0].key == "id_number_leak"
    assert exc.value.errors[0].zh == "疑似明文身份证号码：请改为发送 person_ref 假名。"


def test_an_id_number_inside_the_ref_object_is_refused_too():
    msg = sample_message("verification.request")
    msg["payload"]["subjects"][0]["person_ref"] = {"key_id": "k2026a", "ref": "11010519491231002X"}
    with pytest.raises(ContractError) as exc:
        validate_message(msg)
    assert exc.value.errors[0].key == "id_number_leak"
