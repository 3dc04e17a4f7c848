"""Settings from `JJJ_*` environment variables (see `.env.example`); defaults run everything on one machine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jjj.errors import ConfigError

REGIONS = ("bj", "tj", "he")
REGION_UNIT_CODES = {"bj": "110000", "tj": "120000", "he": "130000"}
REGION_NAMES_ZH = {"bj": "北京市", "tj": "天津市", "he": "河北省"}

#: The repository root (editable installs and source checkouts); `ops/` lives here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"JJJ_{name}", default)


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"JJJ_{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Every tunable of the platform. Build with `Settings.from_env()`; tests build it directly."""

    state_dir: Path
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = "jjj"
    database_url: str = ""
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    kafka_heap: str = "768m"
    kafka_startup_timeout_s: int = 60
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    hub_group: str = "jjj-hub"
    keys_dir: Path | None = None
    #: JSON file of agreed relief unit values (hub.services.policy reads JJJ_RELIEF_VALUATION_FILE); "" = none
    relief_valuation_file: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        state_dir = Path(_env("STATE_DIR", str(PROJECT_ROOT / "state"))).resolve()
        port = _int("KAFKA_PORT", 9092)
        return cls(
            state_dir=state_dir,
            kafka_bootstrap=_env("KAFKA_BOOTSTRAP", f"127.0.0.1:{port}"),
            topic_prefix=_env("TOPIC_PREFIX", "jjj"),
            database_url=_env("DATABASE_URL", f"sqlite:///{state_dir / 'hub.db'}"),
            kafka_port=port,
            kafka_controller_port=_int("KAFKA_CONTROLLER_PORT", port + 1),
            kafka_heap=_env("KAFKA_HEAP", "768m"),
            kafka_startup_timeout_s=_int("KAFKA_STARTUP_TIMEOUT", 60),
            web_host=_env("WEB_HOST", "127.0.0.1"),
            web_port=_int("WEB_PORT", 8000),
            hub_group=_env("HUB_GROUP", "jjj-hub"),
            keys_dir=Path(_env("KEYS_DIR", str(state_dir / "keys"))),
            relief_valuation_file=_env("RELIEF_VALUATION_FILE", ""),
        )

    def to_env(self) -> dict[str, str]:
        """The ``JJJ_`` variables that `from_env` reads back as these settings (for the hub's child processes, so
        that a worker built from settings in code, not from the environment, starts children that agree)."""
        return {"JJJ_STATE_DIR": str(self.state_dir), "JJJ_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
                "JJJ_TOPIC_PREFIX": self.topic_prefix, "JJJ_DATABASE_URL": self.database_url,
                "JJJ_KAFKA_PORT": str(self.kafka_port), "JJJ_KAFKA_CONTROLLER_PORT": str(self.kafka_controller_port),
                "JJJ_KAFKA_HEAP": self.kafka_heap, "JJJ_KAFKA_STARTUP_TIMEOUT": str(self.kafka_startup_timeout_s),
                "JJJ_WEB_HOST": self.web_host, "JJJ_WEB_PORT": str(self.web_port), "JJJ_HUB_GROUP": self.hub_group,
                "JJJ_KEYS_DIR": str(self.keys), "JJJ_RELIEF_VALUATION_FILE": self.relief_valuation_file}

    @property
    def keys(self) -> Path:
        """Signing keys: `registry.json` (public keys of every party) and `private/` (this machine's keys)."""
        return self.keys_dir or self.state_dir / "keys"

    def adapter_database_url(self, region: str) -> str:
        """Each adapter has its own outbox database (it runs at the region, not at the hub)."""
        return os.environ.get(f"JJJ_{region.upper()}_DATABASE_URL", f"sqlite:///{self.state_dir / f'adapter-{region}.db'}")
