"""Settings written out as JJJ_ variables (for the hub's child processes) read back as the same settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from jjj.config import Settings


def test_settings_round_trip_through_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = Settings(state_dir=tmp_path / "st", kafka_bootstrap="10.0.0.7:19092", topic_prefix="tx1",
                 database_url="postgresql://u:p@h:5/db", kafka_port=19092, kafka_controller_port=19093,
                 kafka_heap="1g", kafka_startup_timeout_s=90, web_host="0.0.0.0", web_port=8123,  # noqa: S104
                 hub_group="g-1", keys_dir=tmp_path / "k", relief_valuation_file=str(tmp_path / "v.json"))
    for name, value in s.to_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == s
