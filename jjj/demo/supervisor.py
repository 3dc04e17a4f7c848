"""Child processes of the demo: each in its own process group, logging to <state>/logs/<name>.log.

Stopping is SIGTERM to the group, then SIGKILL after ``grace_s``: every `jjj` process stops cleanly on SIGTERM
(after its current batch), so the kill is only for a hung child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


class ChildFailed(RuntimeError):
    """A child exited while the demo needed it; the message names it and the tail of its log."""


@dataclass
class Child:
    name: str
    argv: list[str]
    log: Path
    proc: subprocess.Popen | None = None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Supervisor:
    env: dict[str, str]
    log_dir: Path
    grace_s: float = 15.0
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, *args: str) -> Child:
        """Start `jjj <args>` as ``name`` (the interpreter running the demo, so the same install is used)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        child = Child(name, [sys.executable, "-m", "jjj.cli", *args], self.log_dir / f"{name}.log")
        fh = child.log.open("ab")
        child.proc = subprocess.Popen(child.argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      env=self.env, start_new_session=True)
        fh.close()
        self.children.append(child)
        return child

    def check(self) -> None:
        for c in self.children:
            if c.proc is not None and c.proc.poll() is not None:
                raise ChildFailed(f"{c.name} exited with code {c.proc.returncode}; last log lines:\n{c.tail()}")

    def wait_http(self, child: Child, url: str, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check()
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (a local URL we built)
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise ChildFailed(f"{child.name} not ready at {url} within {timeout_s:.0f}s; log:\n{child.tail()}")

    def stop(self) -> None:
        """SIGTERM every group (in reverse start order), then SIGKILL what is left after the grace period."""
        live = [c for c in reversed(self.children) if c.proc is not None and c.proc.poll() is None]
        for c in live:
            _signal_group(c.proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for c in live:
            try:
                c.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(c.proc, signal.SIGKILL)
                c.proc.wait(timeout=5)
        self.children.clear()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session made the child the leader of its own group
    except ProcessLookupError:
        pass
