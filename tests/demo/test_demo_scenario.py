"""`jjj demo` end to end: the whole scenario at full speed against the real broker, twice, checked through the API
against values computed from the scenario's own tables (jjj.demo.expected), never from the hub's database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jjj.demo import expected

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.browser]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_demo(settings, tmp_path: Path) -> tuple[str, float]:  # noqa: ANN001
    env = {**os.environ, "JJJ_STATE_DIR": str(tmp_path / "state"), "JJJ_TOPIC_PREFIX": settings.topic_prefix,
           "JJJ_DATABASE_URL": settings.database_url, "JJJ_KEYS_DIR": str(settings.keys),
           "JJJ_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "JJJ_WEB_PORT": str(free_port()),
           "JJJ_DB_NULLPOOL": "1"}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "jjj.cli", "demo", "--speed", "0", "--exit-when-done",
                             "--no-browser"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        proc.terminate()  # SIGTERM: the demo stops its children's process groups (a SIGKILL would orphan them)
        stdout, stderr = proc.communicate(timeout=60)
        pytest.fail("the demo did not finish within 240 s:\n" + stdout[-3000:] + stderr[-3000:])
    assert proc.returncode == 0, stdout[-3000:] + stderr[-3000:]
    return stdout, time.monotonic() - started


@pytest.fixture
def api(settings):  # noqa: ANN001, ANN201
    from hub.entrypoints.web import auth_store, create_app

    app = create_app(settings)
    engine = app.extensions["jjj.engine"]
    client = app.test_client()
    token: list[str] = []  # issued on first use: the demo creates the admin user

    def get(url: str):  # noqa: ANN202
        token or token.append(auth_store.issue_token(engine, "admin"))
        return client.get(url, headers={"Authorization": f"Bearer {token[0]}"})

    yield get
    engine.dispose()


def overview_in_browser(settings) -> None:  # noqa: ANN001
    """Log in as the demo coordinator in headless Chromium (the web suite's driver setup) and read the pages."""
    import threading

    from selenium.webdriver.common.by import By
    from werkzeug.serving import make_server

    from hub.entrypoints.web import create_app
    from jjj.demo.orchestrate import PASSWORD
    from tests.web.test_browser import _loaded, _wait, browser

    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gen = browser.__wrapped__()
    driver = next(gen)
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        driver.get(base + "/login")
        driver.find_element(By.ID, "username").send_keys("coordinator")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login").click()
        _wait(driver, "header.top nav a")
        driver.get(base + "/overview")
        for panel in ("p-overview", "p-map", "p-needs", "p-events"):  # all loaded: no download cut short
            _loaded(driver, panel)
        for region, tot in expected.region_totals().items():
            row = driver.find_element(By.CSS_SELECTOR, f'#overview-table tr[data-region="{region}"]')
            for k, v in (("affected_population", tot["affected"]), ("deaths", tot["deaths"]),
                         ("missing", tot["missing"])):
                assert row.find_element(By.CSS_SELECTOR, f'td[data-k="{k}"]').text == str(v), (region, k)
        driver.get(base + "/exchange")
        _loaded(driver, "p-rejections")
        text = driver.find_element(By.ID, "p-rejections").text
        for code in expected.receipt_rejections():
            assert str(code) in text, code
        _loaded(driver, "p-regions")
    finally:
        next(gen, None)
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["jjj.engine"].dispose()


def adapter_rejects() -> dict[str, int]:
    """``jjj adapter <r> status --json`` of each region's adapter database: records refused at the native edge."""
    import json

    out = {}
    for r in ("bj", "tj", "he"):
        # the settings fixture points JJJ_<R>_DATABASE_URL at the test's own adapter databases (the demo keeps them)
        res = subprocess.run([sys.executable, "-m", "jjj.cli", "adapter", r, "status", "--json"], env=os.environ,
                             capture_output=True, text=True, timeout=60, check=True)
        status = json.loads(res.stdout)
        out[r] = status["native_rejects"]
    return out


def snapshot(api) -> dict:  # noqa: ANN001
    return {"overview": api("/api/v1/overview").get_json()["regions"],
            "statements": api("/api/v1/eldercare/statements?per_page=200").get_json()["items"],
            "rejections": api("/api/v1/rejections?per_page=100").get_json()["items"],
            "flows": api("/api/v1/relief/flows").get_json()["items"]}


def test_the_scenario_ends_in_exactly_the_expected_state_and_a_second_run_changes_nothing(settings, tmp_path, api):
    out, first_s = run_demo(settings, tmp_path)
    assert "仪表盘 dashboard: http://127.0.0.1:" in out and "xicheng-officer" in out
    # every step went through its region's native format: no generic canonical push or canonical_*.json drop
    assert "canonical" not in out
    assert "/intake/subsidy_payment]" in out and "FILE confirmation_" in out and "FILE dispute_" in out

    # disasters: every event ends at its 核报 (late 续报 do not reopen it), with the 核报 figures
    for (region, event_id), ev in expected.events().items():
        got = api(f"/api/v1/disasters/{region}/{event_id}").get_json()
        people = got["current"]["totals"]["people"]
        assert (got["stage"], got["revision"]) == (ev["stage"], ev["revision"]), event_id
        assert (people["affected"], people["deaths"], people["missing"], people["relocated_cumulative"]) == (
            ev["affected"], ev["deaths"], ev["missing"], ev["relocated"]), event_id

    # 涞水's 核报 states why 受灾人口 fell (Hebei's <Decreases>): the hub does not flag it as unexplained
    assert api("/api/v1/disasters/he/HE-2026-0729-LS01").get_json()["flags"]["decreases"] == []

    state = snapshot(api)
    by_region = {r["region"]: r for r in state["overview"]}
    for region, tot in expected.region_totals().items():
        r = by_region[region]
        assert (r["affected_population"], r["deaths"], r["missing"], r["relocated_cumulative"]) == (
            tot["affected"], tot["deaths"], tot["missing"], tot["relocated"]), region

    # relief: requested, committed (shortfall = requested - committed), shipped, received, discrepancy per line
    [flow] = state["flows"]
    lines = {ln["line_no"]: ln for ln in flow["lines"]}
    for no, exp in expected.support().items():
        ln = lines[no]
        assert (ln["requested"], ln["committed"], ln["shipped"], ln["received"], ln["discrepancy"]) == (
            exp["requested"], exp["committed"], exp["shipped"], exp["received"], exp["discrepancy"]), no
        assert ln["requested"] - ln["committed"] == exp["shortfall"]

    # eldercare: every statement's total to the fen, what was paid, the disputed one
    statements = {s["statement_id"]: s for s in state["statements"]}
    exp_st = expected.statements()
    assert set(statements) == set(exp_st)
    for sid, exp in exp_st.items():
        s = statements[sid]
        assert (s["total_fen"], s["line_count"], s["paid_fen"]) == (exp["total_fen"], exp["line_count"],
                                                                     exp["paid_fen"]), sid
    assert sum(s["total_fen"] for s in statements.values()) == sum(
        p["accepted_fen"] for p in expected.period_totals().values()) == 2_360_000
    [disputed] = [sid for sid, e in exp_st.items() if e["disputed"]]
    assert [e["kind"] for e in api(f"/api/v1/eldercare/statements/{disputed}").get_json()["events"]] == [
        "dispute", "payment"]

    # the bad messages: exactly one rejection per expected code
    codes: dict[int, int] = {}
    for r in state["rejections"]:
        codes[r["code"]] = codes.get(r["code"], 0) + r["count"]
    assert codes == expected.receipt_rejections()

    # the native faults never reached the bus: each adapter refused its own with a located error, kept in rejects
    assert adapter_rejects() == expected.native_rejections() == {"bj": 1, "tj": 1, "he": 1}
    assert "京-99" in out  # the progress line names the bad input

    [referral] = api("/api/v1/referrals").get_json()["items"]
    assert (referral["referral_id"], referral["state"]) == (expected.referral()["referral_id"], "closed")

    # the overview page, in a real browser, shows the totals; the exchange page lists the rejections
    overview_in_browser(settings)

    # run it again: nothing is played twice, nothing changes
    out2, second_s = run_demo(settings, tmp_path)
    assert "0 steps played now" in out2 and "steps were played before" in out2
    assert adapter_rejects() == expected.native_rejections()
    again = snapshot(api)
    assert {k: v for k, v in again.items() if k != "overview"} == {k: v for k, v in state.items() if k != "overview"}
    assert [{k: v for k, v in r.items() if k not in ("data_as_of", "generated_at")} for r in again["overview"]] == [
        {k: v for k, v in r.items() if k not in ("data_as_of", "generated_at")} for r in state["overview"]]
    print(f"demo: first run {first_s:.0f}s, second run {second_s:.0f}s")  # a figure, not an assertion

    # personal data (issue 7) after the full scenario: no ID number and no unmasked name on the bus, in the hub's
    # database, in any process's log or in the API answers (the adapters' own databases stay at the regions)
    assert_no_personal_data(settings, tmp_path, api)


def assert_no_personal_data(settings, tmp_path: Path, api) -> None:  # noqa: ANN001
    from jjj.bus.topics import declared_topics
    from jjj.db import make_engine
    from jjj.security.pii_scan import scan_database, scan_records, scan_text
    from tests.trust.conftest import read_topic

    hits = []
    for spec in declared_topics(settings.topic_prefix):
        hits += scan_records(read_topic(settings.kafka_bootstrap, spec.name, timeout_s=5))
    engine = make_engine(settings.database_url)
    try:
        hits += scan_database(engine)
    finally:
        engine.dispose()
    logs = sorted((tmp_path / "state" / "demo" / "logs").glob("*.log"))
    assert len(logs) >= 7  # web, two hub workers, scheduler, three adapters
    for log in logs:
        hits += scan_text(f"log {log.name}", log.read_text(encoding="utf-8", errors="replace"))
    for path in ("/api/v1/overview", "/api/v1/disasters?per_page=200", "/api/v1/eldercare/claims?per_page=200",
                 "/api/v1/eldercare/statements?per_page=200", "/api/v1/rejections?per_page=200",
                 "/api/v1/dead-letters?per_page=200", "/api/v1/referrals", "/api/v1/verifications"):
        hits += scan_text(f"api {path}", api(path).get_data(as_text=True))
    assert [str(h) for h in hits] == []
