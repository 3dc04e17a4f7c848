"""Operator packaging: ops/compose.yaml and the systemd units name real `jjj` commands."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import click
import pytest
import yaml

from jjj.cli import main

OPS = Path(__file__).resolve().parents[2] / "ops"
UNITS = sorted((OPS / "systemd").glob("*.service"))


def resolve(argv: list[str]) -> click.Command:
    """Parse `jjj <argv>` with click, group by group, without invoking anything; fails on an unknown command or a
    bad option. systemd's ``%i`` stands for a region."""
    args = [a.replace("%i", "bj") for a in argv]
    ctx = main.make_context("jjj", args)
    cmd: click.Command = main
    while isinstance(cmd, click.Group):
        protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args  # click 8.2 / 8.1
        rest = [*protected, *ctx.args]
        if not rest and cmd.invoke_without_command:
            return cmd  # e.g. `jjj web --port 8000`: the group itself serves
        assert rest, f"`jjj {' '.join(argv)}` stops at a group"
        name, sub, rest = cmd.resolve_command(ctx, rest)
        assert sub is not None, f"`jjj {' '.join(argv)}`: no command {name!r}"
        ctx = sub.make_context(name, rest, parent=ctx)
        cmd = sub
    return cmd


def test_compose_file_is_yaml_with_the_platform_services() -> None:
    doc = yaml.safe_load((OPS / "compose.yaml").read_text(encoding="utf-8"))
    services = doc["services"]
    assert {"kafka", "postgres", "prometheus", "grafana", "hub-1", "scheduler", "web", "adapter-bj", "adapter-tj",
            "adapter-he"} <= set(services)
    assert services["kafka"]["image"] == "apache/kafka:4.3.1"
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert (OPS / "Dockerfile").exists()


@pytest.mark.parametrize("service", ["keys", "topics", "hub-1", "hub-2", "scheduler", "web", "adapter-bj", "adapter-tj",
                                     "adapter-he"])
def test_every_compose_command_is_a_real_jjj_command(service: str) -> None:
    doc = yaml.safe_load((OPS / "compose.yaml").read_text(encoding="utf-8"))
    svc = doc["services"][service]
    assert svc["build"]["dockerfile"] == "ops/Dockerfile"
    resolve(svc["command"])


def test_there_are_the_four_unit_examples() -> None:
    assert [u.name for u in UNITS] == ["jjj-adapter@.service", "jjj-hub@.service", "jjj-scheduler.service",
                                       "jjj-web.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_every_unit_execstart_names_a_real_jjj_command(unit: Path) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(unit, encoding="utf-8")
    argv = shlex.split(parser["Service"]["ExecStart"])
    assert argv[0].endswith("/jjj")
    resolve(argv[1:])


def test_demo_script_runs_jjj_demo() -> None:
    text = (OPS / "demo.sh").read_text(encoding="utf-8")
    assert "exec .venv/bin/jjj demo \"$@\"" in text
    resolve(["demo", "--speed", "0", "--no-browser"])
