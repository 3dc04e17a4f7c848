"""Fixtures of the adapter tests: a temporary person-ref key, mapping contexts, an adapter runtime per region."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.core.persons import Persons, load_hasher
from adapters.core.runtime import AdapterRuntime
from adapters.core.spec import MapContext, RegionSpec, region
from jjj.config import Settings

TEST_KEY = b"test-person-key-not-secret-0123456789abcdef"
KEY_ID = "k2026t"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def person_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key = tmp_path / "person.key"
    key.write_bytes(TEST_KEY + b"\n")
    monkeypatch.setenv("JJJ_PERSON_KEY_FILE", str(key))
    monkeypatch.setenv("JJJ_PERSON_KEY_ID", KEY_ID)
    return key


@pytest.fixture
def hasher(person_key: Path):  # noqa: ANN201
    return load_hasher()


def context(spec: RegionSpec, hasher, last=lambda kind, key: None) -> MapContext:  # noqa: ANN001
    return MapContext(spec.code, Persons(hasher), spec.config, last)


@pytest.fixture
def offline_settings(tmp_path: Path, keys_dir: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings without a broker; each adapter's database is the test database (SQLite or PostgreSQL)."""
    for r in ("BJ", "TJ", "HE"):
        monkeypatch.setenv(f"JJJ_{r}_DATABASE_URL", database_url)
    return Settings(state_dir=tmp_path / "state", kafka_bootstrap="127.0.0.1:1", topic_prefix="t",
                    database_url=database_url, keys_dir=keys_dir)


@pytest.fixture
def make_runtime(offline_settings: Settings, person_key: Path):  # noqa: ANN201
    def make(code: str) -> AdapterRuntime:
        spec = region(code)
        return AdapterRuntime(spec.code, offline_settings, system_id=spec.system_id)

    return make


def sample(region_pkg: str, name: str) -> Path:
    return ROOT / "adapters" / region_pkg / "samples" / name
