"""Reference data shipped in the package."""

import pytest

from schemas import refdata


@pytest.mark.parametrize(("code", "name", "level", "current"), [
    ("110000", "北京市", "province", True), ("110105", "朝阳区", "county", True),
    ("131082", "三河市", "county", True), ("110103", "崇文区", "county", False), ("120107", "塘沽区", "county", False),
])
def test_division(code, name, level, current):
    d = refdata.division(code)
    assert (d.name, d.level, d.current) == (name, level, current)


def test_retired_and_current_codes():
    assert refdata.is_retired_code("110103") and not refdata.is_current_code("110103")
    assert refdata.is_current_code("130123") and not refdata.is_retired_code("130123")  # re-used code is current
    assert refdata.division("999999") is None and refdata.region_of("310101") is None


def test_regions_and_county_counts():
    assert refdata.region_of("120114") == "tj" and refdata.region_of("110103") == "bj"
    assert len(refdata.county_codes("bj")) == 16 and len(refdata.county_codes("tj")) == 16
    assert refdata.is_within("131082", "131000") and not refdata.is_within("131082", "110000")


def test_catalogues():
    assert refdata.DISASTER_TYPES["flood"].sub_types["urban_waterlogging"][0] == "城镇内涝"
    assert refdata.DISASTER_TYPES["typhoon"].needs_typhoon_number
    assert refdata.RELIEF_ITEMS["tent_large"].units == ("顶",) and "吨" in refdata.RELIEF_ITEMS["rice"].units
    age = refdata.SUBSIDY_TYPES["age_100_plus"]
    assert age.rate_on("2019-10-01") == 80000 and age.rate_on("2019-09-30") is None
    assert refdata.SUBSIDY_TYPES["district_topup_xicheng"].payer == "110102"
