"""A mixed scenario for the security tests: every region imports all its sample files through its adapter (real
mappings, person-ref key from a file), publishes to the real broker, and one hub worker consumes everything."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import func, select

from tests.trust.conftest import HubThread

ROOT = Path(__file__).resolve().parents[2]


def person_key(tmp_path: Path, monkeypatch) -> Path:  # noqa: ANN001
    """The shared HMAC key for person refs, configured from a file (never from the command line or a log)."""
    key = tmp_path / "person.key"
    key.write_text(secrets.token_hex(32))
    os.chmod(key, 0o600)
    monkeypatch.setenv("JJJ_PERSON_KEY_FILE", str(key))
    monkeypatch.setenv("JJJ_PERSON_KEY_ID", "k1")
    return key


def publish_samples(settings) -> int:  # noqa: ANN001
    """Import every sample of every region; returns how many messages the adapters published."""
    from adapters.core import store
    from adapters.core.importer import import_file
    from adapters.core.runtime import AdapterRuntime
    from adapters.core.spec import region as find

    sent = 0
    for code in ("bj", "tj", "he"):
        spec = find(code)
        rt = AdapterRuntime(spec.code, settings, system_id=spec.system_id)
        samples = ROOT / "adapters" / spec.package.split(".")[-1] / "samples"
        for path in sorted(samples.iterdir()):
            try:
                fmt = spec.format_for(path)
            except Exception:  # noqa: BLE001 - a sample without a registered format is not part of the scenario
                continue
            import_file(rt, fmt, path, rt.context(spec.config), progress=False)
        rt.publisher().drain(until_empty=True)
        with rt.engine.connect() as conn:
            sent += conn.execute(select(func.count()).select_from(store.outbox)
                                 .where(store.outbox.c.sent_at.is_not(None))).scalar_one()
    return sent


def run_hub(settings, expected: int) -> HubThread:  # noqa: ANN001
    hub = HubThread(settings, worker_id="hub-scenario")
    hub.thread.start()
    try:
        hub.wait_processed(expected, timeout_s=90)
        hub.wait_outbox_empty()
    finally:
        hub.stop.set()
        hub.thread.join(timeout=30)
    return hub
