"""The local development broker: a real Apache Kafka 4.x (KRaft, single node, 127.0.0.1).

Jars come from Maven Central through `ops/kafka/pom.xml` (the pinned version lives there), copied once into
`<state>/kafka/libs`; config, data and logs live under `<state>/kafka`. Production points `JJJ_KAFKA_BOOTSTRAP` at a
real cluster and never calls this module.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from jjj.config import PROJECT_ROOT, Settings
from jjj.errors import BrokerError, ToolMissingError

OPS_DIR = Path(os.environ.get("JJJ_OPS_DIR", PROJECT_ROOT / "ops"))
KAFKA_OPS = OPS_DIR / "kafka"


@dataclass(frozen=True)
class BrokerPaths:
    root: Path

    @property
    def libs(self) -> Path:
        return self.root / "libs"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def config(self) -> Path:
        return self.root / "server.properties"

    @property
    def pid(self) -> Path:
        return self.root / "broker.pid"

    @property
    def console(self) -> Path:
        return self.logs / "console.log"


def paths(settings: Settings) -> BrokerPaths:
    return BrokerPaths(settings.state_dir / "kafka")


def require_tool(name: str, hint: str, path: str | None = None) -> str:
    """Return the tool's path or raise a message that says what to install."""
    found = shutil.which(name, path=path)
    if not found:
        raise ToolMissingError(f"`{name}` was not found on PATH. {hint}")
    return found


JAVA_HINT = "The local Kafka broker needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless), or set JJJ_KAFKA_BOOTSTRAP to an existing cluster."
MAVEN_HINT = "Fetching the broker jars needs Maven (Debian: apt-get install maven), or set JJJ_KAFKA_BOOTSTRAP to an existing cluster."


def fetch(settings: Settings, *, path: str | None = None, echo=print) -> Path:
    """Copy the pinned broker jars from Maven Central (the local Maven cache is reused); a no-op when current."""
    p = paths(settings)
    pom = KAFKA_OPS / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    marker = p.libs / f".pom-{digest}"
    if marker.exists():
        return p.libs
    mvn = require_tool("mvn", MAVEN_HINT, path)
    if p.libs.exists():
        shutil.rmtree(p.libs)
    p.libs.mkdir(parents=True)
    echo(f"fetching Kafka broker jars with Maven into {p.libs} ...")
    cmd = [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
           "-DincludeScope=runtime", f"-DoutputDirectory={p.libs}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BrokerError("Maven could not fetch the broker jars", output=(done.stdout + done.stderr)[-2000:])
    marker.touch()
    return p.libs


def write_config(settings: Settings) -> Path:
    p = paths(settings)
    p.root.mkdir(parents=True, exist_ok=True)
    template = (KAFKA_OPS / "server.properties.tmpl").read_text(encoding="utf-8")
    text = template.format(port=settings.kafka_port, controller_port=settings.kafka_controller_port, data_dir=p.data)
    p.config.write_text(text, encoding="utf-8")
    return p.config


def _java_cmd(settings: Settings, java: str, main: str, *args: str) -> list[str]:
    p = paths(settings)
    return [java, "-Xms256m", f"-Xmx{settings.kafka_heap}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={p.logs}", f"-Dlog4j2.configurationFile={KAFKA_OPS / 'log4j2.yaml'}",
            "-cp", f"{p.libs}/*", main, *args]


def format_storage(settings: Settings, java: str) -> None:
    """Format the KRaft storage once (a formatted data dir has meta.properties)."""
    p = paths(settings)
    if (p.data / "meta.properties").exists():
        return
    cluster_id = _cluster_id()
    # `--cluster-id=<id>`: a base64 id may start with "-", which a separate argument would turn into an option.
    cmd = _java_cmd(settings, java, "kafka.tools.StorageTool", "format", "--standalone", f"--cluster-id={cluster_id}",
                    "-c", str(p.config))
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BrokerError("formatting the KRaft storage failed", output=(done.stdout + done.stderr)[-2000:])


def _cluster_id() -> str:
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def running_pid(settings: Settings) -> int | None:
    """The broker's pid when our pid file names a live process."""
    pid_file = paths(settings).pid
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def is_ready(bootstrap: str, timeout_s: float = 3.0) -> bool:
    """True when a metadata request to the broker succeeds."""
    from jjj.bus.admin import cluster_ready

    return cluster_ready(bootstrap, timeout_s)


def up(settings: Settings, *, path: str | None = None, echo=print) -> str:
    """Start the broker unless it already runs; wait for a successful metadata request. Returns a status line."""
    pid = running_pid(settings)
    if is_ready(settings.kafka_bootstrap):
        owner = f"pid {pid}" if pid else "not started by this state folder"
        return f"Kafka already running ({owner}) on {settings.kafka_bootstrap}: nothing to do"
    java = require_tool("java", JAVA_HINT, path)
    fetch(settings, path=path, echo=echo)
    write_config(settings)
    p = paths(settings)
    p.logs.mkdir(parents=True, exist_ok=True)
    format_storage(settings, java)
    started = time.monotonic()
    with open(p.console, "ab") as console:
        proc = subprocess.Popen(_java_cmd(settings, java, "kafka.Kafka", str(p.config)), stdout=console,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    p.pid.write_text(str(proc.pid))
    _children[proc.pid] = proc  # keep the Popen alive: the broker outlives this call
    deadline = started + settings.kafka_startup_timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BrokerError("the broker exited during start-up", exit_code=proc.returncode, log=_tail(p))
        if is_ready(settings.kafka_bootstrap, timeout_s=2.0):
            return f"Kafka {kafka_version()} up (pid {proc.pid}) on {settings.kafka_bootstrap} in {time.monotonic() - started:.1f}s"
        time.sleep(0.3)
    _terminate(proc.pid)
    raise BrokerError(f"the broker was not ready within {settings.kafka_startup_timeout_s}s", log=_tail(p))


def down(settings: Settings, timeout_s: float = 30.0) -> str:
    pid = running_pid(settings)
    if pid is None:
        paths(settings).pid.unlink(missing_ok=True)
        return "Kafka is not running"
    _terminate(pid, timeout_s)
    paths(settings).pid.unlink(missing_ok=True)
    return f"Kafka stopped (pid {pid})"


_children: dict[int, subprocess.Popen] = {}


def _terminate(pid: int, timeout_s: float = 30.0) -> None:
    child = _children.pop(pid, None)
    if child is not None:  # started by this process: terminate and reap it
        child.terminate()
        try:
            child.wait(timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # reap if it is our child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def status(settings: Settings) -> tuple[bool, str]:
    pid = running_pid(settings)
    ready = is_ready(settings.kafka_bootstrap, timeout_s=2.0)
    if ready:
        owner = f"local broker pid {pid}" if pid else "external broker"
        return True, f"Kafka ready on {settings.kafka_bootstrap} ({owner})"
    if pid:
        return False, f"Kafka process {pid} is running but not ready on {settings.kafka_bootstrap}"
    return False, f"Kafka not reachable on {settings.kafka_bootstrap}"


def kafka_version() -> str:
    import re

    m = re.search(r"<kafka.version>([^<]+)<", (KAFKA_OPS / "pom.xml").read_text())
    return m.group(1) if m else "?"


def _tail(p: BrokerPaths, lines: int = 30) -> str:
    out = []
    for f in (p.console, p.logs / "server.log"):
        if f.exists():
            out.extend(f.read_text(errors="replace").splitlines()[-lines:])
    return "\n".join(out[-lines:])
