"""The secure local broker profile (`jjj kafka up --secure`): SASL/SCRAM-SHA-512 client listener, StandardAuthorizer
with deny-by-default, controller listener on loopback. A separate instance from the development broker: its own
state folder `<state>/kafka-secure`, ports `JJJ_KAFKA_SECURE_PORT` (default 9094) and +1 for the controller.

The broker jars are the development broker's (`jjj kafka fetch`), or `JJJ_KAFKA_LIBS_DIR` when set.
The super user `admin` is created at format time (`StorageTool format --add-scram`); region and hub users and all
ACLs are created afterwards through the admin API by `jjj security apply` (idempotent).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jjj import broker as dev
from jjj.config import Settings
from jjj.errors import BrokerError
from jjj.security import secrets as sec

TEMPLATE = dev.KAFKA_OPS / "secure" / "server.properties.tmpl"
#: Brokers started by this process, kept so that `down` can reap them (no zombie, no ResourceWarning).
_CHILDREN: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class SecureBroker:
    """Where one secure broker lives and how to reach it."""

    root: Path
    port: int
    controller_port: int
    libs: Path | None = None
    host: str = "127.0.0.1"
    heap: str = "512m"
    startup_timeout_s: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> SecureBroker:
        port = int(os.environ.get("JJJ_KAFKA_SECURE_PORT", "9094"))
        libs = os.environ.get("JJJ_KAFKA_LIBS_DIR")
        return cls(settings.state_dir / "kafka-secure", port, int(os.environ.get("JJJ_KAFKA_SECURE_CONTROLLER_PORT",
                   str(port + 1))), Path(libs) if libs else None, heap=settings.kafka_heap,
                   startup_timeout_s=settings.kafka_startup_timeout_s)

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def secrets_dir(self) -> Path:
        return self.root / "secrets"

    @property
    def paths(self) -> dev.BrokerPaths:
        return dev.BrokerPaths(self.root)

    def admin_options(self) -> dict[str, object]:
        return sec.client_options(self.secrets_dir, sec.ADMIN)


def _libs(b: SecureBroker, settings: Settings, echo) -> Path:  # noqa: ANN001
    if b.libs is not None:
        if not any(b.libs.glob("kafka_*.jar")):
            raise BrokerError(f"JJJ_KAFKA_LIBS_DIR={b.libs} holds no Kafka jars")
        return b.libs
    return dev.fetch(settings, echo=echo)


def _java(b: SecureBroker, java: str, libs: Path, main: str, *args: str) -> list[str]:
    p = b.paths
    return [java, "-Xms128m", f"-Xmx{b.heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={p.logs}", f"-Dlog4j2.configurationFile={dev.KAFKA_OPS / 'log4j2.yaml'}",
            "-cp", f"{libs}/*", main, *args]


def write_config(b: SecureBroker) -> Path:
    p = b.paths
    p.root.mkdir(parents=True, exist_ok=True)
    admin_pw = sec.password(b.secrets_dir, sec.ADMIN)
    text = TEMPLATE.read_text(encoding="utf-8").format(host=b.host, port=b.port, controller_port=b.controller_port,
                                                       data_dir=p.data, admin_password=admin_pw)
    p.config.write_text(text, encoding="utf-8")
    os.chmod(p.config, 0o600)  # it holds the broker's own SCRAM password
    return p.config


def format_storage(b: SecureBroker, java: str, libs: Path) -> None:
    """Format once, creating the super user's SCRAM credential in the bootstrap metadata."""
    p = b.paths
    if (p.data / "meta.properties").exists():
        return
    admin_pw = sec.password(b.secrets_dir, sec.ADMIN)
    cmd = _java(b, java, libs, "kafka.tools.StorageTool", "format", "--standalone", f"--cluster-id={dev._cluster_id()}",  # may start with "-"
                "-c", str(p.config), "--add-scram", f"SCRAM-SHA-512=[name={sec.ADMIN},password={admin_pw}]")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        out = (done.stdout + done.stderr).replace(admin_pw, "***")
        raise BrokerError("formatting the secure KRaft storage failed", output=out[-2000:])


def running_pid(b: SecureBroker) -> int | None:
    try:
        pid = int(b.paths.pid.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def ready(b: SecureBroker, timeout_s: float = 3.0) -> bool:
    from jjj.bus.admin import cluster_ready

    return cluster_ready(b.bootstrap, timeout_s, **b.admin_options())


def up(settings: Settings, b: SecureBroker | None = None, *, echo=print) -> str:  # noqa: ANN001
    b = b or SecureBroker.from_settings(settings)
    pid = running_pid(b)
    if pid and ready(b):
        return f"secure Kafka already running (pid {pid}) on {b.bootstrap}"
    java = dev.require_tool("java", dev.JAVA_HINT)
    libs = _libs(b, settings, echo)
    write_config(b)
    p = b.paths
    p.logs.mkdir(parents=True, exist_ok=True)
    format_storage(b, java, libs)
    started = time.monotonic()
    with open(p.console, "ab") as console:
        proc = subprocess.Popen(_java(b, java, libs, "kafka.Kafka", str(p.config)), stdout=console,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    p.pid.write_text(str(proc.pid))
    _CHILDREN[proc.pid] = proc
    while time.monotonic() < started + b.startup_timeout_s:
        if proc.poll() is not None:
            _CHILDREN.pop(proc.pid, None)
            raise BrokerError("the secure broker exited during start-up", exit_code=proc.returncode, log=dev._tail(p))
        if ready(b, timeout_s=2.0):
            return (f"secure Kafka up (pid {proc.pid}) on SASL_PLAINTEXT://{b.bootstrap} in "
                    f"{time.monotonic() - started:.1f}s; admin password in {sec.password_file(b.secrets_dir, 'admin')}")
        time.sleep(0.5)
    dev._terminate(proc.pid)
    _CHILDREN.pop(proc.pid, None)
    proc.wait(timeout=30)
    raise BrokerError(f"the secure broker was not ready within {b.startup_timeout_s}s", log=dev._tail(p))


def down(settings: Settings, b: SecureBroker | None = None) -> str:
    b = b or SecureBroker.from_settings(settings)
    pid = running_pid(b)
    b.paths.pid.unlink(missing_ok=True)
    if pid is None:
        return "secure Kafka is not running"
    dev._terminate(pid)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        child.wait(timeout=30)
    return f"secure Kafka stopped (pid {pid})"


def status(settings: Settings, b: SecureBroker | None = None) -> tuple[bool, str]:
    b = b or SecureBroker.from_settings(settings)
    if ready(b, timeout_s=2.0):
        return True, f"secure Kafka ready on SASL_PLAINTEXT://{b.bootstrap} (pid {running_pid(b)})"
    return False, f"secure Kafka not reachable on {b.bootstrap}"
