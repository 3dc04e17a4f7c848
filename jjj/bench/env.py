"""One bench run's private world: a topic prefix (topics created, then deleted), signing keys, a temp folder and
fresh databases (a SQLite file, or a new PostgreSQL database created and dropped on the given server)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from jjj.bus.topics import declared_topics
from jjj.config import Settings
from jjj.db import normalise_url
from jjj.signing import Signer, init_keys

log = logging.getLogger(__name__)


@dataclass
class BenchEnv:
    bootstrap: str
    pg_url: str | None
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="jjj-bench-")))
    prefix: str = field(default_factory=lambda: f"bench{uuid.uuid4().hex[:8]}")
    _pg_dbs: list[str] = field(default_factory=list)
    _extra_topics: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keys = self.root / "keys"
        init_keys(self.keys)
        self.signers = {r: Signer.load(self.keys, r) for r in ("bj", "tj", "he", "hub")}

    # -- topics ------------------------------------------------------------------------------------------------
    def create_topics(self, prefix: str | None = None) -> str:
        from jjj.bus.admin import apply_topics

        prefix = prefix or self.prefix
        apply_topics(self.bootstrap, declared_topics(prefix))
        if prefix != self.prefix:
            self._extra_topics.append(prefix)
        return prefix

    def delete_topics(self) -> None:
        from kafka import KafkaAdminClient

        names = [s.name for p in [self.prefix, *self._extra_topics] for s in declared_topics(p)]
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            existing = set(admin.list_topics())
            doomed = [n for n in names if n in existing]
            if doomed:
                admin.delete_topics(doomed, timeout_ms=30_000)
        finally:
            admin.close()

    # -- databases -----------------------------------------------------------------------------------------------
    def database(self, kind: str, name: str) -> str:
        """A fresh database URL: `kind` is "sqlite" or "postgresql"."""
        if kind == "sqlite":
            return f"sqlite:///{self.root / f'{name}.db'}"
        if not self.pg_url:
            raise RuntimeError("no PostgreSQL URL (--database-url or JJJ_BENCH_PG_URL)")
        db = f"{self.prefix}_{name}".lower()
        with self._pg_admin() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}"'))  # generated name, never user input
        self._pg_dbs.append(db)
        return _with_db(self.pg_url, db)

    def release(self, url: str) -> None:
        """Drop a database a pass is done with (a SQLite file and its WAL; a PostgreSQL database, its sessions
        closed), so that the later passes do not run beside its autovacuum and checkpoints."""
        if url.startswith("sqlite:///"):
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
            return
        db = url.rpartition("/")[2]
        if db in self._pg_dbs:
            with self._pg_admin() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            self._pg_dbs.remove(db)

    def release_all(self, *, keep: set[str]) -> None:
        """Drop every PostgreSQL database made so far but those in `keep` (URLs)."""
        kept = {url.rpartition("/")[2] for url in keep}
        for db in [d for d in self._pg_dbs if d not in kept]:
            try:
                self.release(_with_db(self.pg_url or "", db))
            except Exception as exc:  # noqa: BLE001 - left for close(); never loses the run's figures
                log.warning("could not drop bench database %s now: %s", db, exc)

    def settle(self, url: str) -> None:
        """`VACUUM ANALYZE` a PostgreSQL database kept for a later pass (untimed), as autovacuum would have done
        by then: its rows visible to index-only scans, its statistics fresh, and no autovacuum of a million
        inserted rows running beside the passes in between."""
        if url.startswith("postgresql"):
            engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            finally:
                engine.dispose()

    @contextlib.contextmanager
    def _pg_admin(self) -> Iterator:
        engine = create_engine(normalise_url(_with_db(self.pg_url or "", "postgres")), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def settings(self, database_url: str, *, prefix: str | None = None, group: str | None = None) -> Settings:
        return Settings(state_dir=self.root / "state", kafka_bootstrap=self.bootstrap,
                        topic_prefix=prefix or self.prefix, database_url=database_url,
                        hub_group=group or f"{prefix or self.prefix}-hub", keys_dir=self.keys)

    def env_vars(self, settings: Settings) -> dict[str, str]:
        """The JJJ_* variables that make `jjj hub run` use these settings."""
        return {"JJJ_STATE_DIR": str(settings.state_dir), "JJJ_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                "JJJ_TOPIC_PREFIX": settings.topic_prefix, "JJJ_DATABASE_URL": settings.database_url,
                "JJJ_HUB_GROUP": settings.hub_group, "JJJ_KEYS_DIR": str(settings.keys),
                "JJJ_LOG_LEVEL": "WARNING"}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.delete_topics()
        self.release_all(keep=set())
        shutil.rmtree(self.root, ignore_errors=True)


def _with_db(url: str, db: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{db}"
