"""Web fixtures: an app on a fresh database (SQLite, or PostgreSQL with JJJ_TEST_DATABASE_URL) with the seed data,
one user per role, and bearer tokens for API calls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from hub.entrypoints.web import auth_store, create_app
from hub.infrastructure import tables
from jjj.config import Settings
from jjj.db import make_engine
from tests.conftest import TEST_DB, _admin_url
from tests.web.seed import seed

PASSWORD = "correct horse battery"
USERS = {
    "coord": ("coordinator", None, None),
    "admin": ("admin", None, None),
    "op-bj": ("region_operator", "bj", None),
    "xicheng": ("district_officer", None, "110102"),
    "chaoyang": ("district_officer", None, "110105"),
    "op-he": ("region_operator", "he", None),  # the payee region of the seeded statements
}


@dataclass
class Web:
    app: object
    engine: object
    tokens: dict[str, str]

    def api(self, user: str, path: str, method: str = "GET", **kw):  # noqa: ANN003, ANN201
        client = self.app.test_client()
        return client.open(path, method=method, headers={"Authorization": f"Bearer {self.tokens[user]}"}, **kw)

    def login(self, user: str):  # noqa: ANN201
        client = self.app.test_client()
        client.get("/login")
        with client.session_transaction() as s:
            csrf = s["csrf"]
        resp = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": csrf})
        assert resp.status_code == 302, resp.data
        return client


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashes() -> None:
    """scrypt is deliberately slow; tests use a cheap pbkdf2 round count (production keeps the default)."""
    from werkzeug.security import generate_password_hash

    real = auth_store.generate_password_hash
    auth_store.generate_password_hash = lambda pw: generate_password_hash(pw, method="pbkdf2:sha256:1000")
    yield
    auth_store.generate_password_hash = real


def _build(database_url: str, state_dir: Path) -> Web:
    engine = make_engine(database_url)
    tables.create_all(engine)
    settings = Settings(state_dir=state_dir, database_url=database_url, kafka_bootstrap="127.0.0.1:1",
                        topic_prefix="tweb")
    app = create_app(settings, engine=engine)
    app.config.update(TESTING=True, JJJ_KAFKA_PROBE=False)  # the broker probe has its own test
    seed(engine)
    tokens = {}
    for name, (role, region, district) in USERS.items():
        auth_store.add_user(engine, name, PASSWORD, role, region=region, district=district)
        tokens[name] = auth_store.issue_token(engine, name)
    return Web(app, engine, tokens)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Web:
    """One seeded database and app per test module, for tests that only read (fast on PostgreSQL too)."""
    tmp = tmp_path_factory.mktemp("web")
    if not TEST_DB:
        w = _build(f"sqlite:///{tmp / 'web.db'}", tmp / "state")
        yield w
        w.engine.dispose()
        return
    from sqlalchemy import create_engine, text

    from jjj.db import normalise_url

    name = f"w_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(_admin_url(TEST_DB, "postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # generated name, never user input
    w = _build(_admin_url(TEST_DB, name), tmp / "state")
    yield w
    w.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_web(tmp_path: Path, database_url: str) -> Web:
    """A seeded database and app of its own, for tests that change state (confirm, dispute, rate limits)."""
    w = _build(database_url, tmp_path / "state")
    yield w
    w.engine.dispose()
