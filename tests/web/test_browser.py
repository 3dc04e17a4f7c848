"""The dashboard in headless Chromium (Debian's chromium + chromedriver, driven by selenium): the overview shows
the API's numbers and shades Tianjin by district, the language switch works, a district officer confirms a statement
and cannot open another district's, disputes one with a reason (CSRF holds), and the payee region sees the notices
and the dispute. A screenshot of each page goes to test-artifacts/screenshots/."""

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


MAP_PROBE = """
var box = document.getElementById("map-canvas"), chart = echarts.getInstanceByDom(box);
var data = chart.getModel().getSeriesByIndex(0).getData(), canvas = box.querySelector("canvas");
var dpr = canvas.width / box.clientWidth, ctx = canvas.getContext("2d"), out = {};
arguments[0].forEach(function (p) {
  var i = data.indexOfName(p[0]), xy = chart.convertToPixel({seriesIndex: 0}, [p[1], p[2]]);
  var px = ctx.getImageData(Math.round(xy[0] * dpr), Math.round(xy[1] * dpr), 1, 1).data;
  out[p[0]] = {value: data.get("value", i), fill: String(data.getItemVisual(i, "style").fill), pixel: [px[0], px[1], px[2]]};
});
return out;
"""
#: (GB/T 2260 code, a point inside it): Tianjin districts drawn one by one (echarts 4.9.0's province map)
MAP_POINTS = [("120114", 117.058, 39.467), ("120118", 116.925, 38.936), ("120116", 117.654, 39.033),
              ("110111", 115.95, 39.75), ("131082", 117.05, 39.95)]


def _rgb(css: str) -> tuple[int, int, int]:
    if css.startswith("#"):
        return tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(int(float(x)) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def _assert_map_shading(driver) -> None:  # noqa: ANN001
    """Every seeded county's value is on the map, and the canvas pixel inside it has its shade: 武清区 (120114, 700
    affected in TJ-E1) is shaded, 静海区 and 滨海新区 (0) are not."""
    from selenium.webdriver.support.ui import WebDriverWait

    def probe(d):  # noqa: ANN001, ANN202
        out = d.execute_script(MAP_PROBE, [list(p) for p in MAP_POINTS])
        # the canvas shows each region's shade once echarts' first animation has finished
        done = all(max(abs(a - b) for a, b in zip(v["pixel"], _rgb(v["fill"]), strict=True)) <= 3 for v in out.values())
        return out if done else False

    got = WebDriverWait(driver, 15).until(probe)
    assert {c: v["value"] for c, v in got.items()} == {"120114": 700, "120118": 0, "120116": 0, "110111": 10000,
                                                        "131082": 5000}
    zero = _rgb(got["120118"]["fill"])
    assert _rgb(got["120116"]["fill"]) == zero
    for code in ("120114", "110111", "131082"):
        assert _rgb(got[code]["fill"]) != zero, code


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
    _assert_map_shading(browser)
    browser.find_element(By.ID, "map-canvas").screenshot(str(SHOTS / "overview-map.png"))
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


CSRF_PROBE = """
var done = arguments[arguments.length - 1], sid = arguments[0];
var form = new URLSearchParams([["line_ids", "C-XC-1-L1"], ["reason", "forged"]]);
var json = JSON.stringify({line_ids: ["C-XC-1-L1"], reason: "forged"});
Promise.all([
  fetch("/settlement/" + sid + "/dispute", {method: "POST", body: form, redirect: "manual", credentials: "same-origin"}),
  fetch("/api/v1/eldercare/statements/" + sid + "/dispute", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: json}),
  fetch("/api/v1/eldercare/statements/" + sid + "/dispute", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": "forged"}, body: json}),
  fetch("/settlement/" + sid + "/confirm", {method: "POST", redirect: "manual", credentials: "same-origin"})
]).then(function (rs) { done(rs.map(function (r) { return r.status; })); });
"""
REASON = "第2行与本地床位补贴重复申报"


def _table(driver, panel: str) -> list[dict]:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    return [{td.get_attribute("data-col"): td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")}
            for tr in driver.find_elements(By.CSS_SELECTOR, f"#{panel} tbody tr")]


def test_district_officer_disputes_with_a_reason_and_the_payee_sees_it(fresh_web, live: str, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    _login(browser, live, "xicheng")
    browser.get(live + "/settlement/S-XC-1")
    _wait(browser, "#dispute")
    # CSRF: the officer's own session cookie without the form/header token is refused, and nothing changes
    assert browser.execute_async_script(CSRF_PROBE, "S-XC-1") == [400, 400, 400, 400]
    before = fresh_web.api("coord", "/api/v1/eldercare/statements/S-XC-1").get_json()
    assert (before["status"], before["events"], before["withheld_fen"]) == ("issued", [], 0)

    browser.find_element(By.CSS_SELECTOR, 'input[name="line_ids"][value="C-XC-1-L2"]').click()
    browser.find_element(By.ID, "dispute-reason").send_keys(REASON)
    browser.save_screenshot(str(SHOTS / "statement-dispute-form.png"))
    browser.find_element(By.ID, "dispute").click()
    _wait(browser, "#flash")
    assert browser.find_element(By.ID, "flash").text == "已提出异议"
    assert browser.find_element(By.ID, "statement-status").text == "有异议"
    assert not browser.find_elements(By.ID, "dispute") and not browser.find_elements(By.ID, "confirm")
    _loaded(browser, "p-statement-history")
    assert browser.find_element(By.CSS_SELECTOR, "#statement-events li").text.endswith(f"异议 · officer:xicheng · {REASON}")
    marks = {tr.get_attribute("data-line"): tr.find_element(By.CSS_SELECTOR, 'td[data-col="disputed"]').text
             for tr in browser.find_elements(By.CSS_SELECTOR, "#statement-lines tbody tr")}
    assert marks == {"C-XC-1-L1": "", "C-XC-1-L2": "有异议，暂扣", "C-XC-1-L3": ""}
    browser.save_screenshot(str(SHOTS / "statement-disputed.png"))

    after = fresh_web.api("coord", "/api/v1/eldercare/statements/S-XC-1").get_json()
    assert (after["status"], after["withheld_fen"], after["paid_fen"], after["total_fen"]) == ("disputed", 50000, 0, 150000)
    assert [(e["kind"], e["line_ids"], e["reason"], e["actor"]) for e in after["events"]] == [
        ("dispute", ["C-XC-1-L2"], REASON, "officer:xicheng")]
    # the other district confirms its own statement (API, bearer token): the payee sees that too
    assert fresh_web.api("chaoyang", "/api/v1/eldercare/statements/S-CY-1/confirm", "POST").get_json()["status"] == "confirmed"

    browser.find_element(By.ID, "logout").click()
    _wait(browser, "#username")
    _login(browser, live, "op-he")
    browser.find_element(By.ID, "nav-notices").click()
    _loaded(browser, "p-notices")
    assert browser.find_element(By.TAG_NAME, "h1").text == "收款方结算通知 · 河北省"
    rows = [(r["statement_id"], r["notice_type"], r["status"], r["accepted_fen"], r["delivered_at"])
            for r in _table(browser, "p-notices")]
    assert rows == [("S-CY-1", "已确认", "已确认", "600.00", "待发送"), ("S-XC-1", "有异议", "有异议", "1500.00", "待发送"),
                    ("S-CY-1", "已出具", "已确认", "600.00", "待发送"),
                    ("S-XC-1", "已出具", "有异议", "1500.00", "2026-08-01T12:00:00+00:00")]
    browser.save_screenshot(str(SHOTS / "payee-notices-zh.png"))

    browser.find_elements(By.LINK_TEXT, "S-XC-1")[0].click()
    _loaded(browser, "p-statement-notices")
    assert browser.find_element(By.ID, "payee-status").text == "有异议"
    assert browser.find_element(By.ID, "payee-withheld").text == "500.00 元"
    assert browser.find_element(By.ID, "payee-total").text == "1500.00 元"
    assert browser.find_element(By.ID, "payee-subsidy").text == "床位运营补贴（失能）"
    dispute = browser.find_element(By.CSS_SELECTOR, "#payee-disputes li")
    assert dispute.get_attribute("data-open") == "yes"
    assert dispute.find_element(By.CSS_SELECTOR, "q.reason").text == REASON
    assert "支付地区县结算员" in dispute.text and "xicheng" not in dispute.text  # officers by role, not by name
    marks = {tr.get_attribute("data-line"): tr.find_element(By.CSS_SELECTOR, 'td[data-col="disputed"]').text
             for tr in browser.find_elements(By.CSS_SELECTOR, "#payee-lines tbody tr")}
    assert marks == {"C-XC-1-L1": "", "C-XC-1-L2": "有异议，暂扣", "C-XC-1-L3": ""}
    assert [r["notice_type"] for r in _table(browser, "p-statement-notices")] == ["已出具", "有异议"]
    browser.save_screenshot(str(SHOTS / "payee-statement-zh.png"))

    browser.find_element(By.ID, "lang-en").click()
    _loaded(browser, "p-statement-notices")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Statement (payee view) S-XC-1"
    assert browser.find_element(By.ID, "payee-status").text == "disputed"
    assert [r["notice_type"] for r in _table(browser, "p-statement-notices")] == ["issued", "disputed"]
    assert "payer district officer" in browser.find_element(By.CSS_SELECTOR, "#payee-disputes li").text
    browser.save_screenshot(str(SHOTS / "payee-statement-en.png"))
    browser.find_element(By.ID, "nav-notices").click()
    _loaded(browser, "p-notices")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Statement notices (payee side) · Hebei"
    browser.save_screenshot(str(SHOTS / "payee-notices-en.png"))
    browser.find_element(By.ID, "lang-zh").click()


def _yuan(fen: int | None) -> str:
    """The dashboard shows fen as yuan with two decimals (integer arithmetic here, no floats)."""
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def _shoot_panel(browser, panel: str, name: str) -> None:  # noqa: ANN001
    """The whole panel in view (a tall window), then a screenshot of the page."""
    browser.set_window_size(1400, 1800)
    browser.execute_script("document.getElementById(arguments[0]).scrollIntoView()", panel)
    browser.save_screenshot(str(SHOTS / name))


def test_relief_page_cost_ledger_panel_shows_the_api_numbers(fresh_web, live: str, browser) -> None:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    from tests.web.ledger_seed import seed_ledger

    seed_ledger(fresh_web.engine)
    api = fresh_web.api("coord", "/api/v1/relief/cost-ledger").get_json()
    assert len(api["pairs"]) == 3 and len(api["items"]) == 4
    _login(browser, live, "coord")
    browser.get(live + "/relief")
    _loaded(browser, "p-ledger")
    pairs = browser.find_elements(By.CSS_SELECTOR, "#ledger-pairs tbody tr")
    assert len(pairs) == len(api["pairs"])
    for row, p in zip(pairs, api["pairs"], strict=True):
        cell = {c: row.find_element(By.CSS_SELECTOR, f'td[data-col="{c}"]').text
                for c in ("event_ref", "goods_fen", "other_costs_fen", "total_fen", "supplier_bears_fen",
                          "in_transit_fen", "unvalued_lines")}
        assert cell == {"event_ref": p["event_ref"], "goods_fen": _yuan(p["goods_fen"]),
                        "other_costs_fen": _yuan(p["other_costs_fen"]), "total_fen": _yuan(p["total_fen"]),
                        "supplier_bears_fen": _yuan(p["supplier_bears_fen"]),
                        "in_transit_fen": _yuan(p["in_transit_fen"]), "unvalued_lines": str(p["unvalued_lines"])}
    lines = browser.find_elements(By.CSS_SELECTOR, "#ledger-lines tbody tr")
    assert len(lines) == len(api["items"])
    for row, ln in zip(lines, api["items"], strict=True):
        for c in ("received", "in_transit", "discrepancy"):
            assert row.find_element(By.CSS_SELECTOR, f'td[data-col="{c}"]').text == str(ln[c])
        for c in ("unit_fen", "receiver_bears_fen", "supplier_bears_fen"):
            assert row.find_element(By.CSS_SELECTOR, f'td[data-col="{c}"]').text == _yuan(ln[c])
    # the Tianjin quilt line owed by Beijing: 900,000 fen goods + 30,000 fen transport = 9,300.00 yuan
    assert [r.find_element(By.CSS_SELECTOR, 'td[data-col="total_fen"]').text for r in pairs] == \
        ["9600.00", "9300.00", "1600.00"]
    assert "未定价" in browser.find_element(By.ID, "ledger-lines").text
    assert browser.find_element(By.CSS_SELECTOR, "#p-ledger [data-fresh]").text.startswith("更新于 ")
    assert browser.find_element(By.CSS_SELECTOR, "#p-ledger h2").text == "跨区域费用台账（按灾害事件）"
    _shoot_panel(browser, "p-ledger", "relief-ledger-zh.png")
    browser.find_element(By.ID, "lang-en").click()
    _loaded(browser, "p-ledger")
    assert browser.find_element(By.CSS_SELECTOR, "#p-ledger h2").text == "Cross-region cost ledger (per disaster event)"
    assert "unvalued" in browser.find_element(By.ID, "ledger-lines").text
    _shoot_panel(browser, "p-ledger", "relief-ledger-en.png")
    browser.find_element(By.ID, "lang-zh").click()
    _loaded(browser, "p-ledger")
    browser.get(live + "/events/bj/BJ-E1")  # the event page carries that event's ledger only
    _loaded(browser, "p-ledger")
    event = fresh_web.api("coord", "/api/v1/relief/cost-ledger?event=bj:BJ-E1").get_json()
    assert [r.find_element(By.CSS_SELECTOR, 'td[data-col="total_fen"]').text
            for r in browser.find_elements(By.CSS_SELECTOR, "#ledger-pairs tbody tr")] == \
        [_yuan(p["total_fen"]) for p in event["pairs"]] == ["9600.00", "9300.00"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#ledger-lines tbody tr")) == 3
    _shoot_panel(browser, "p-ledger", "event-ledger-zh.png")
