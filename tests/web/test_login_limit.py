"""The login rate limit lives in the hub database: two web apps over one database share it, a restarted app keeps
it, it ends with its window, and no typed user name is stored in clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from hub.entrypoints.web import create_app
from hub.entrypoints.web.security import LoginLimiter
from hub.infrastructure.tables import web_login_failures
from jjj.db import make_engine
from tests.web.conftest import PASSWORD


def _client(app):  # noqa: ANN001, ANN202
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as s:
        csrf = s["csrf"]
    return lambda pw: client.post("/login", data={"username": "coord", "password": pw, "csrf_token": csrf}).status_code


def _app(settings, url: str):  # noqa: ANN001, ANN202
    engine = make_engine(url)
    app = create_app(settings, engine=engine)
    app.config.update(TESTING=True, JJJ_KAFKA_PROBE=False)
    return app, engine


def test_two_app_instances_share_the_limit_and_a_restart_keeps_it(fresh_web) -> None:  # noqa: ANN001
    settings = fresh_web.app.extensions["jjj.settings"]
    url = fresh_web.engine.url.render_as_string(hide_password=False)
    (a, ea), (b, eb) = _app(settings, url), _app(settings, url)  # two replicas, their own engines and pools
    try_a, try_b = _client(a), _client(b)
    codes = [try_a("wrong-password") for _ in range(3)] + [try_b("wrong-password") for _ in range(2)]
    assert codes == [401] * 5
    assert try_a(PASSWORD) == 429 and try_b(PASSWORD) == 429  # 3 + 2 failures: both replicas refuse the 6th
    ea.dispose()
    eb.dispose()

    restarted, er = _app(settings, url)  # a new process: nothing in memory
    try:
        assert _client(restarted)(PASSWORD) == 429
        with er.connect() as conn:
            stored = conn.execute(select(web_login_failures.c.key_digest)).scalars().all()
        assert len(stored) == 10  # 5 failures × (address, user name)
        assert all(len(d) == 64 and "coord" not in d for d in stored)
    finally:
        er.dispose()


def test_the_limit_ends_with_its_window_and_old_rows_are_deleted(fresh_web) -> None:  # noqa: ANN001
    now = [datetime(2026, 8, 1, 12, 0, tzinfo=UTC)]
    limiter = LoginLimiter(fresh_web.engine, 2, window_s=300, clock=lambda: now[0])
    keys = ("ip:127.0.0.2", "user:x")
    limiter.failed(*keys)
    assert not limiter.blocked(*keys)
    limiter.failed("ip:127.0.0.2")
    assert limiter.blocked("ip:127.0.0.2") and limiter.blocked(*keys) and not limiter.blocked("user:x")
    now[0] += timedelta(seconds=300)  # the first failures are exactly one window old: no longer counted
    assert not limiter.blocked(*keys)
    limiter.failed("user:y")
    with fresh_web.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(web_login_failures)).scalar_one() == 1
