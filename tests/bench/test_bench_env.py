"""The bench's private databases: each pass's are dropped when it ends (`release_all`), the rest at `close()`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from jjj.bench.env import BenchEnv
from jjj.db import normalise_url


def _databases(pg_url: str, prefix: str) -> set[str]:
    head = pg_url.rpartition("/")[0]
    engine = create_engine(normalise_url(f"{head}/postgres"))
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                    {"p": f"{prefix}%"}).scalars())
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.kafka
def test_passes_drop_their_databases_and_close_drops_what_was_kept(tmp_path: Path, kafka_bootstrap: str) -> None:
    pg_url = os.environ["JJJ_TEST_DATABASE_URL"]
    env = BenchEnv(bootstrap=kafka_bootstrap, pg_url=pg_url, root=tmp_path / "bench")
    try:
        hub, base, floor = (env.database("postgresql", n) for n in ("hub", "baseline", "floor"))
        assert _databases(pg_url, env.prefix) == {f"{env.prefix}_hub", f"{env.prefix}_baseline", f"{env.prefix}_floor"}
        env.release_all(keep={hub})
        assert _databases(pg_url, env.prefix) == {f"{env.prefix}_hub"}
        assert base != floor
    finally:
        env.close()
    assert _databases(pg_url, env.prefix) == set()
    assert not env.root.exists()


@pytest.mark.kafka
def test_sqlite_files_go_with_their_wal(tmp_path: Path, kafka_bootstrap: str) -> None:
    env = BenchEnv(bootstrap=kafka_bootstrap, pg_url=None, root=tmp_path / "bench")
    url = env.database("sqlite", "hub")
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").write_bytes(b"x")
    env.release(url)
    assert not any(Path(f"{path}{suffix}").exists() for suffix in ("", "-wal", "-shm"))
    env.close()
