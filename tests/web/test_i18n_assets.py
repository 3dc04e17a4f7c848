"""Every string exists in both languages; the language switch; pages are offline (no CDN, vendored assets with
their licences)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hub.entrypoints.web.i18n_catalogue import MESSAGES
from schemas import refdata

WEB = Path(__file__).resolve().parents[2] / "hub" / "entrypoints" / "web"
PAGES = ["/overview", "/relief", "/cases", "/exchange", "/events/bj/BJ-E1", "/docs", "/notices", "/notices/S-XC-1"]


def test_both_languages_have_the_same_keys_and_no_empty_text() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])
    assert all(v.strip() for lang in MESSAGES.values() for v in lang.values())


def test_every_key_the_templates_and_scripts_use_exists() -> None:
    used = set()
    for tpl in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"t\('([a-z_.]+)'\)", tpl.read_text(encoding="utf-8")))
    js = (WEB / "static" / "app.js").read_text(encoding="utf-8")
    used |= set(re.findall(r't\("([a-z_.]+)"\)', js))
    used |= {f"col.{c}" for tpl in (WEB / "templates").glob("*.html")
             for cols in re.findall(r"'([a-z_]+(?:,[a-z_]+)+)'", tpl.read_text(encoding="utf-8")) for c in cols.split(",")}
    assert sorted(used - set(MESSAGES["zh"])) == []


def test_chinese_by_default_and_english_on_request(web) -> None:
    client = web.login("coord")
    zh = client.get("/overview").data.decode()
    assert "京津冀灾情总览" in zh and 'lang="zh-CN"' in zh
    en = client.get("/overview?lang=en").data.decode()
    assert "Jing-Jin-Ji disaster overview" in en and 'lang="en"' in en
    assert "Relief materials" in client.get("/relief").data.decode()  # the cookie keeps English
    assert "救灾物资" in client.get("/relief?lang=zh").data.decode()


@pytest.mark.parametrize("page", PAGES)
def test_pages_load_no_external_assets(web, page: str) -> None:
    html = web.login("admin").get(page).data.decode()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), page
    i18n = re.search(r'<script id="i18n" type="application/json">(.*?)</script>', html, re.S)
    assert page == "/docs" or json.loads(i18n.group(1))["app.name"] == "京津冀民政协同平台"


def test_static_files_reference_no_cdn() -> None:
    for f in (WEB / "static").glob("*.*"):
        assert not re.search(r"https?://", f.read_text(encoding="utf-8")), f


@pytest.mark.parametrize("pkg", ["echarts", "swagger-ui-dist", "jjj-geo"])
def test_vendored_packages_carry_their_licence(pkg: str) -> None:
    d = WEB / "static" / "vendor" / pkg
    assert any(p.name.startswith("LICENSE") for p in d.iterdir())


def test_the_map_covers_the_three_regions_with_gbt2260_codes() -> None:
    geo = json.loads((WEB / "static" / "vendor" / "jjj-geo" / "jjj.geojson").read_text(encoding="utf-8"))
    regions = {f["properties"]["region"] for f in geo["features"]}
    assert regions == {"bj", "tj", "he"}
    assert all(re.fullmatch(r"1[123][0-9]{4}", f["properties"]["code"]) for f in geo["features"])
    assert sum(f["properties"]["region"] == "bj" for f in geo["features"]) == 16
    # Tianjin by district (echarts 4.9.0's province map, Apache-2.0), not one outline: all 16 current districts
    tj = sorted(f["properties"]["code"] for f in geo["features"] if f["properties"]["region"] == "tj")
    assert tj == sorted(c for c in refdata.codes(("county",)) if c.startswith("12"))
    assert len(tj) == 16


def test_the_vendored_map_names_its_sources_and_licences() -> None:
    geo_dir = WEB / "static" / "vendor" / "jjj-geo"
    readme = (geo_dir / "README.md").read_text(encoding="utf-8")
    assert "echarts@4.9.0" in readme and "map/json/province/tianjin.json" in readme
    assert "Apache License" in (geo_dir / "LICENSE.echarts-4.9.0").read_text(encoding="utf-8")
    assert "Apache ECharts" in (geo_dir / "NOTICE.echarts-4.9.0").read_text(encoding="utf-8")
