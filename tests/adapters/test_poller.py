"""The poller of a provincial API that cannot push, against a real local HTTP server (werkzeug in a thread):
the cursor moves in the same transaction as the outbox rows, survives a restart, nothing is taken twice, and HTTP
500s, timeouts and garbage are retried with a doubling backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import select
from werkzeug.serving import make_server

from adapters.core import store
from adapters.core.poller import Poller
from adapters.core.spec import region
from tests.adapters.conftest import context
from tests.adapters.kafka_helpers import beijing_reports

TOKEN = "poll-secret"


@dataclass
class Export:
    """A provincial export API: pages of ``page`` items after an integer cursor; ``script`` answers first."""

    items: list[dict]
    page: int = 2
    script: list[str] = field(default_factory=list)       # "500", "slow" (answers after 3 s), "garbage"
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # (after, token, what was answered)

    def app(self) -> Flask:
        app = Flask("export")

        @app.get("/export")
        def export():  # noqa: ANN202
            after = request.args.get("after", "")
            what = self.script.pop(0) if self.script else "200"
            self.seen.append((after, request.headers.get("X-JJJ-Token", ""), what))
            if what == "500":
                return jsonify(error="database busy"), 500
            if what == "slow":
                time.sleep(3.0)
            if what == "garbage":
                return "<html>maintenance</html>", 200
            start = int(after or 0)
            chunk = self.items[start:start + self.page]
            return jsonify(items=chunk, cursor=str(start + len(chunk)))

        return app


@pytest.fixture
def export() -> Iterator[tuple[Export, str]]:
    api = Export([{"format": "disaster_report", "body": doc} for doc in beijing_reports(5)])
    server = make_server("127.0.0.1", 0, api.app(), threaded=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield api, f"http://127.0.0.1:{server.port}/export"
    server.shutdown()
    t.join(timeout=10)
    server.server_close()


def poller(make_runtime, hasher, url: str, **kw) -> Poller:  # noqa: ANN001, ANN003
    spec = region("bj")
    return Poller(make_runtime("bj"), spec, context(spec, hasher), url, token=TOKEN, **kw)


def events(p: Poller) -> list[str]:
    with p.runtime.engine.connect() as conn:
        keys = conn.execute(select(store.outbox.c.key).order_by(store.outbox.c.seq)).scalars().all()
    return list(keys)


def report_ids(n: int, start: int = 0) -> list[str]:
    return [doc["灾情编号"] for doc in beijing_reports(n, start)]


def test_the_cursor_persists_across_a_restart_and_nothing_is_taken_twice(make_runtime, hasher, export) -> None:  # noqa: ANN001
    api, url = export
    first = poller(make_runtime, hasher, url)
    assert (first.cursor(), first.poll_once(), first.poll_once(), first.cursor()) == ("", 2, 2, "4")
    first.session.close()
    again = poller(make_runtime, hasher, url)  # a new process: new runtime, new session, same database
    assert again.cursor() == "4"
    assert (again.poll_once(), again.poll_once(), again.cursor()) == (1, 0, "5")
    again.session.close()
    assert api.seen == [("", TOKEN, "200"), ("2", TOKEN, "200"), ("4", TOKEN, "200"), ("5", TOKEN, "200")]
    assert events(again) == report_ids(5)  # each report once, in the order the API gave them


def test_a_crash_before_the_commit_polls_the_same_page_again(make_runtime, hasher, export,  # noqa: ANN001
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    api, url = export
    p = poller(make_runtime, hasher, url)
    original, calls = p.runtime.write, []

    def power_cut_once(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("power cut")
        return original(*args, **kw)

    monkeypatch.setattr(p.runtime, "write", power_cut_once)
    with pytest.raises(RuntimeError, match="power cut"):
        p.poll_once()
    assert (p.cursor(), events(p)) == ("", [])  # neither rows nor cursor: the transaction rolled back whole
    assert (p.poll_once(), p.cursor(), events(p)) == (2, "2", report_ids(2))
    p.session.close()
    assert [after for after, _, _ in api.seen] == ["", ""]


def test_http_500_timeouts_and_garbage_are_retried_with_a_doubling_backoff(make_runtime, hasher, export) -> None:  # noqa: ANN001
    api, url = export
    api.script = ["500", "slow", "garbage", "500"]
    p = poller(make_runtime, hasher, url, timeout_s=1.0)  # generous: a loaded box must not time out a normal answer
    stop = threading.Event()
    waits: list[float] = []
    real_wait = p._wait

    def record(stop_fn, seconds: float) -> None:  # noqa: ANN001
        waits.append(seconds)
        if len(waits) == 6:  # four failures, then the pages (no wait between them), then the first idle wait
            stop.set()
        real_wait(stop_fn, seconds)

    p._wait = record
    t = threading.Thread(target=p.run, args=(stop.is_set,), kwargs={"interval_s": 0.05, "max_backoff_s": 0.3})
    t.start()
    t.join(timeout=30)
    assert not t.is_alive()
    p.session.close()
    assert waits == [0.05, 0.1, 0.2, 0.3, 0.05, 0.05]  # 0.05 · 2ⁿ capped at 0.3; reset after a success
    assert [(after, what) for after, _, what in api.seen] == [
        ("", "500"), ("", "slow"), ("", "garbage"), ("", "500"), ("", "200"), ("2", "200"), ("4", "200"),
        ("5", "200"), ("5", "200")]
    assert (events(p), p.cursor()) == (report_ids(5), "5")


def test_unknown_formats_are_skipped_bad_bodies_rejected_and_the_cursor_moves_on(make_runtime, hasher,  # noqa: ANN001
                                                                                export) -> None:
    api, url = export
    bad = dict(beijing_reports(1, 7)[0], 灾情编号="")
    api.items = [{"format": "fax", "body": {}}, {"format": "disaster_report", "body": bad}, "not an object",
                 api.items[0]]
    api.page = 4
    p = poller(make_runtime, hasher, url)
    assert (p.poll_once(), p.cursor()) == (4, "4")
    p.session.close()
    assert events(p) == report_ids(1)
    with p.runtime.engine.connect() as conn:
        reject = conn.execute(select(store.rejects)).one()
    assert (reject.source, reject.location, reject.format, reject.import_id) == ("poll:", "items[1]",
                                                                                "disaster_report", None)
