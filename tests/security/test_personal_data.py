"""Personal data never reaches the bus, the hub's database, logs or pages (ISSUE 7 item 5). A mixed scenario runs
every region's sample files (which hold real-shaped ID numbers and full names) through the adapters and the hub,
then the scanner reads every topic of the test, every column of the hub database, every captured log line and the
HTML/JSON of the web pages. A negative control proves the scanner finds what it looks for."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from jjj.bus.topics import declared_topics
from jjj.security.pii_scan import scan_database, scan_records, scan_text
from tests.security.scenario import person_key, publish_samples, run_hub
from tests.trust.conftest import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "adapters").glob("*/samples/*"))
ID_IN_SAMPLE = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


def sample_personal_data() -> tuple[list[str], list[str]]:
    """The plain ID numbers and full names the provincial systems hand to their adapters."""
    from schemas.person import is_valid_id_number

    ids, names = set(), set()
    for path in SAMPLES:
        if path.suffix in (".xlsx",):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        ids |= {m for m in ID_IN_SAMPLE.findall(text) if is_valid_id_number(m)}
        names |= set(re.findall(r"(?:姓名|老人姓名|联系人)\"?\s*[:：,=>\"]+\s*\"?([\u4e00-\u9fff]{2,4})", text))
    return sorted(ids), sorted(names)


def test_the_samples_really_contain_personal_data() -> None:
    ids, names = sample_personal_data()
    assert len(ids) >= 3 and len(names) >= 3  # otherwise the scan below would prove nothing


def test_no_id_number_or_full_name_anywhere_after_a_full_scenario(settings, tmp_path, monkeypatch, caplog) -> None:  # noqa: ANN001
    caplog.set_level(logging.DEBUG)
    key_file = person_key(tmp_path, monkeypatch)
    ids, names = sample_personal_data()
    sent = publish_samples(settings)
    hub = run_hub(settings, sent)
    hits = []

    for spec in declared_topics(settings.topic_prefix):  # everything on the bus: to the hub and back
        hits += scan_records(read_topic(settings.kafka_bootstrap, spec.name, timeout_s=5), names)
    hits += scan_database(hub.services.engine, names)

    from hub.entrypoints.web import auth_store, create_app

    app = create_app(settings, engine=hub.services.engine)
    app.config.update(TESTING=True, JJJ_KAFKA_PROBE=False)
    auth_store.add_user(hub.services.engine, "scan", "correct horse battery", "coordinator")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    assert client.post("/login", data={"username": "scan", "password": "correct horse battery",
                                       "csrf_token": csrf}).status_code == 302
    pages = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static" or "logout" in rule.rule:
            continue
        resp = client.get(rule.rule)
        pages += 1
        hits += scan_text(f"page {rule.rule}", resp.get_data(as_text=True), names)
    assert pages >= 5

    log_text = "\n".join(r.getMessage() for r in caplog.records)
    hits += scan_text("log", log_text, names)
    assert key_file.read_text() not in log_text  # the HMAC key is configured from a file and never logged
    assert [str(h) for h in hits] == []
    # the ID numbers of the samples went in and none came out (also checked as plain substrings)
    assert all(i not in log_text for i in ids)


def test_the_scanner_finds_a_planted_id_number_and_name(settings, database_url) -> None:  # noqa: ANN001
    from sqlalchemy import insert

    from hub.infrastructure import tables as t
    from jjj.db import make_engine

    planted = "11010519491231002X"  # GB 11643's own sample number
    assert [h.kind for h in scan_text("x", f'{{"note": "id {planted}"}}')] == ["id_number"]
    assert [h.masked for h in scan_text("x", '{"masked_name": "张三明"}')] == ["张*明"]
    assert scan_text("x", '{"masked_name": "张*明"}') == []
    assert scan_text("x", "ref 0a11010519491231002Xb and 110105194912310021") == []  # inside hex / bad check digit
    assert [h.kind for h in scan_text("x", "<td>姓名：</td><td>王秀英</td>")] == ["name"]

    engine = make_engine(database_url)
    t.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t.dead_letters).values(topic="x", partition=0, offset=1, region="bj", code=400,
                                                   reason=f"bad id {planted}", original="", received_at=_now()))
    hits = scan_database(engine)
    engine.dispose()
    assert [(h.where, h.kind, h.masked) for h in hits] == [("db dead_letters.reason", "id_number",
                                                            "110105********002X")]


def _now():  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.now(UTC)
