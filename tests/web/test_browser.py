"""The dashboard in headless Chromium (Debian's chromium + chromedriver, driven by selenium): the overview shows
the API's numbers, the language switch works, a district officer confirms a statement and cannot open another
district's. A screenshot of each page goes to test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def live(fresh_web):  # noqa: ANN001, ANN201
    server = make_server("127.0.0.1", 0, fresh_web.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def browser():  # noqa: ANN201
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    if not chromium or not driver_bin:
        pytest.fail("chromium/chromedriver missing: apt-get install chromium chromium-driver (.ci/run does)")
    profile = tempfile.mkdtemp(prefix="jjj-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_bin), options=opts)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, css: str, timeout: float = 15):  # noqa: ANN001, ANN202
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _login(driver, base: str, user: str) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    _wait(driver, "header.top nav a")


def _loaded(driver, panel: str) -> None:  # noqa: ANN001
    _wait(driver, f"#{panel}[data-loaded]")


def test_overview_shows_the_api_numbers_and_switches_language(fresh_web, live: str, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    api = fresh_web.api("coord", "/api/v1/overview").get_json()
    _login(browser, live, "coord")
    browser.get(live + "/overview")
    for panel in ("p-overview", "p-map", "p-needs", "p-events"):
        _loaded(browser, panel)
    for region in ("bj", "tj", "he", "total"):
        expected = api["total"] if region == "total" else next(r for r in api["regions"] if r["region"] == region)
        row = browser.find_element(By.CSS_SELECTOR, f'#overview-table tr[data-region="{region}"]')
        for k in ("events", "affected_population", "deaths", "missing", "relocated_realtime"):
            assert row.find_element(By.CSS_SELECTOR, f'td[data-k="{k}"]').text == str(expected[k]), (region, k)
    fresh = browser.find_element(By.CSS_SELECTOR, "#p-overview [data-fresh]").text
    assert fresh.startswith("更新于 ") and "数据截至" in fresh
    assert browser.find_element(By.TAG_NAME, "h1").text == "京津冀灾情总览"
    assert browser.find_elements(By.CSS_SELECTOR, "#map-canvas canvas")  # echarts drew the county map
    browser.save_screenshot(str(SHOTS / "overview-zh.png"))

    browser.find_element(By.ID, "lang-en").click()
    _loaded(browser, "p-overview")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Jing-Jin-Ji disaster overview"
    assert browser.find_element(By.CSS_SELECTOR, "#p-overview [data-fresh]").text.startswith("updated ")
    assert browser.find_element(By.ID, "nav-relief").text == "Relief"
    browser.save_screenshot(str(SHOTS / "overview-en.png"))
    browser.find_element(By.ID, "lang-zh").click()
    _loaded(browser, "p-overview")

    for path, panels, name in (("/events/bj/BJ-E1", ("p-event", "p-timeline", "p-counties"), "event"),
                               ("/relief", ("p-shortfalls", "p-stock", "p-flows"), "relief"),
                               ("/cases", ("p-verifications", "p-referrals"), "cases"),
                               ("/exchange", ("p-regions", "p-rejections"), "exchange"),
                               ("/settlement", ("p-statements", "p-claims"), "settlement-coordinator")):
        browser.get(live + path)
        for panel in panels:
            _loaded(browser, panel)
        browser.save_screenshot(str(SHOTS / f"{name}.png"))
    browser.get(live + "/events/bj/BJ-E1")
    _loaded(browser, "p-timeline")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline li")) == 2
    browser.get(live + "/docs")
    _wait(browser, ".swagger-ui .info")
    browser.save_screenshot(str(SHOTS / "docs.png"))


def test_district_officer_confirms_own_statement_and_cannot_open_another(fresh_web, live: str, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    _login(browser, live, "xicheng")
    browser.get(live + "/settlement")
    _loaded(browser, "p-statements")
    ids = [a.text for a in browser.find_elements(By.CSS_SELECTOR, '#p-statements td[data-col="statement_id"] a')]
    assert ids == ["S-XC-1"]
    browser.save_screenshot(str(SHOTS / "settlement-officer.png"))
    browser.find_element(By.LINK_TEXT, "S-XC-1").click()
    _wait(browser, "#confirm")
    assert browser.find_element(By.ID, "statement-status").text == "已出具"
    browser.save_screenshot(str(SHOTS / "statement-before.png"))
    browser.find_element(By.ID, "confirm").click()
    _wait(browser, "#flash")
    assert browser.find_element(By.ID, "statement-status").text == "已确认"
    assert not browser.find_elements(By.ID, "confirm")
    browser.save_screenshot(str(SHOTS / "statement-confirmed.png"))
    assert fresh_web.api("coord", "/api/v1/eldercare/statements/S-XC-1").get_json()["status"] == "confirmed"

    browser.get(live + "/settlement/S-CY-1")
    assert browser.find_element(By.ID, "error-code").text == "403"
    browser.save_screenshot(str(SHOTS / "statement-other-district-403.png"))
    assert fresh_web.api("coord", "/api/v1/eldercare/statements/S-CY-1").get_json()["status"] == "issued"
