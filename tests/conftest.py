"""Shared fixtures: the real broker, the real database (SQLite, or PostgreSQL when JJJ_TEST_DATABASE_URL is set),
signing keys and an isolated topic prefix per test.

Nothing here skips: a test that needs the broker or PostgreSQL fails when they are missing, with the reason.
"""

from __future__ import annotations

import gc
import os
import socket
import uuid
from pathlib import Path

import pytest

from jjj.config import Settings

TEST_DB = os.environ.get("JJJ_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses a database (or is marked `postgres`), so the PostgreSQL pass (`-m db`) runs exactly
    those. Tests marked `postgres` (PostgreSQL-only behaviour, e.g. COPY) are deselected, not skipped, when the run is
    on SQLite: they run in the PostgreSQL pass, and the SQLite pass reports them as deselected."""
    on_postgres = TEST_DB.startswith("postgresql")
    keep, dropped = [], []
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()) or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.db)
        (dropped if item.get_closest_marker("postgres") and not on_postgres else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
os.environ["JJJ_DB_NULLPOOL"] = "1"  # per-test databases are dropped; pooled connections would outlive them


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """The broker the tests use: JJJ_KAFKA_BOOTSTRAP, started with `jjj kafka up` (or by .ci/run)."""
    from jjj.bus.admin import cluster_ready

    bootstrap = Settings.from_env().kafka_bootstrap
    if not cluster_ready(bootstrap, timeout_s=10):
        pytest.fail(f"Kafka is not reachable on {bootstrap}: run `jjj kafka up` (the README's test command does)")
    return bootstrap


def _admin_url(url: str, dbname: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{dbname}"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database for one test."""
    if not TEST_DB:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    from sqlalchemy import create_engine, text

    from jjj.db import normalise_url

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(_admin_url(TEST_DB, "postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is generated above, never user input
    yield _admin_url(TEST_DB, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str):  # noqa: ANN201
    """An engine on the test database with every hub table and the audit tables (a module may define its own)."""
    from hub.infrastructure import tables
    from hub.services import audit
    from jjj.db import make_engine

    e = make_engine(database_url)
    tables.create_all(e)
    audit.create_tables(e)
    yield e
    e.dispose()


@pytest.fixture
def adapter_database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'adapter.db'}"


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    from jjj.signing import init_keys

    d = tmp_path / "keys"
    init_keys(d)
    return d


@pytest.fixture
def topic_prefix() -> str:
    """A unique topic prefix; the test's topics are deleted afterwards (a broker holding thousands of partitions
    runs out of file handles)."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    from jjj.bus.admin import delete_topics_with_prefix

    try:
        delete_topics_with_prefix(Settings.from_env().kafka_bootstrap, prefix)
    except Exception as exc:  # noqa: BLE001 - clean-up must not turn a passing test into an error
        print(f"topic clean-up for {prefix} failed: {exc}")


@pytest.fixture
def settings(tmp_path: Path, kafka_bootstrap: str, database_url: str, keys_dir: Path, topic_prefix: str,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one test, with its own topics (created here), database, keys and state folder."""
    from jjj.bus.admin import apply_topics
    from jjj.bus.topics import declared_topics

    for region in ("BJ", "TJ", "HE"):
        monkeypatch.setenv(f"JJJ_{region}_DATABASE_URL", f"sqlite:///{tmp_path / f'adapter-{region.lower()}.db'}")
    apply_topics(kafka_bootstrap, declared_topics(topic_prefix))
    return Settings(state_dir=tmp_path / "state", kafka_bootstrap=kafka_bootstrap, topic_prefix=topic_prefix,
                    database_url=database_url, hub_group=f"{topic_prefix}-hub", keys_dir=keys_dir)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_broker(tmp_path: Path) -> Settings:
    """A private single-node broker for tests that stop or restart it (never the shared one). It reuses the jars
    fetched by `jjj kafka up` (a symlink carrying the pom marker: no Maven run)."""
    from jjj import broker
    from jjj.config import PROJECT_ROOT

    shared_libs = PROJECT_ROOT / "state" / "kafka" / "libs"
    if not any(shared_libs.glob(".pom-*")):
        pytest.fail(f"broker jars missing in {shared_libs}: run `jjj kafka up` once")
    port = free_port()
    s = Settings(state_dir=tmp_path / "broker", kafka_port=port, kafka_controller_port=free_port(),
                 kafka_bootstrap=f"127.0.0.1:{port}", kafka_heap="384m")
    (s.state_dir / "kafka").mkdir(parents=True)
    (s.state_dir / "kafka" / "libs").symlink_to(shared_libs)
    broker.up(s)
    yield s
    broker.down(s)
    gc.collect()
