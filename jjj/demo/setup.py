"""The demo's own settings and state: <state>/demo holds its databases, keys, person key, ledger and logs.

Anything set explicitly in the environment (JJJ_DATABASE_URL, JJJ_KEYS_DIR, JJJ_TOPIC_PREFIX, JJJ_KAFKA_BOOTSTRAP,
JJJ_<R>_DATABASE_URL) wins, so tests and operators can point the demo anywhere; otherwise everything lives in
<state>/demo and the topic prefix is a fresh ``demo<hex>`` remembered there (``--reset`` forgets it, so a reset
starts on empty topics without deleting anything on a shared broker).
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from jjj.config import REGIONS, Settings
from jjj.demo.scenario import PERSON_KEY_ID


@dataclass(frozen=True)
class DemoEnv:
    settings: Settings
    root: Path
    env: dict[str, str]

    @property
    def person_key(self) -> Path:
        return self.root / "person.key"


def _remembered(path: Path, make) -> str:  # noqa: ANN001
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(base: Settings | None = None, *, reset: bool = False, environ: dict[str, str] | None = None) -> DemoEnv:
    environ = dict(os.environ if environ is None else environ)
    base = base or Settings.from_env()
    root = base.state_dir / "demo"
    if reset and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    prefix = environ.get("JJJ_TOPIC_PREFIX") or _remembered(root / "topic-prefix", lambda: f"demo{secrets.token_hex(4)}")
    settings = replace(
        base, state_dir=root, topic_prefix=prefix, hub_group=f"{prefix}-hub",
        database_url=environ.get("JJJ_DATABASE_URL") or f"sqlite:///{root / 'hub.db'}",
        keys_dir=Path(environ["JJJ_KEYS_DIR"]) if environ.get("JJJ_KEYS_DIR") else root / "keys")
    _remembered(root / "person.key", lambda: secrets.token_hex(32))
    env = {**environ,
           "JJJ_STATE_DIR": str(root), "JJJ_DATABASE_URL": settings.database_url, "JJJ_KEYS_DIR": str(settings.keys),
           "JJJ_TOPIC_PREFIX": prefix, "JJJ_HUB_GROUP": settings.hub_group,
           "JJJ_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "JJJ_WEB_HOST": settings.web_host,
           "JJJ_WEB_PORT": str(settings.web_port), "JJJ_PERSON_KEY_FILE": str(root / "person.key"),
           "JJJ_PERSON_KEY_ID": PERSON_KEY_ID,
           "JJJ_WEB_SECRET": environ.get("JJJ_WEB_SECRET") or _remembered(root / "web.secret", lambda: secrets.token_hex(32))}
    token = _remembered(root / "intake.token", lambda: secrets.token_hex(16))
    for r in REGIONS:
        var = f"JJJ_{r.upper()}_DATABASE_URL"
        env[var] = environ.get(var) or f"sqlite:///{root / f'adapter-{r}.db'}"
        # the adapters' native sides: Beijing's platform pushes over HTTP (token), Tianjin and Hebei drop files
        env.setdefault(f"JJJ_{r.upper()}_INTAKE_PORT", str(_free_port()))
        env.setdefault(f"JJJ_{r.upper()}_INTAKE_TOKEN", token)
        if r != "bj":
            env.setdefault(f"JJJ_{r.upper()}_DROP_DIR", str(root / "drop" / r))
            env.setdefault(f"JJJ_{r.upper()}_DROP_SCAN_S", "0.2")  # the scenario drops a file every moment
    return DemoEnv(settings, root, env)
