"""Prometheus config and alert rules pass promtool (Debian's `prometheus` package); the Grafana dashboard queries
only metrics the code defines, and the web's own ones really appear on /metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROM = ROOT / "ops" / "prometheus"
SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def _promtool() -> str:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.fail("promtool missing: apt-get install prometheus (.ci/run does)")
    return tool


@pytest.mark.parametrize("args", [["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"],
                                  ["test", "rules", "alerts_test.yml"]])
def test_promtool(args: list[str]) -> None:
    run = subprocess.run([_promtool(), *args], cwd=PROM, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def _defined_metrics() -> set[str]:
    names = set()
    for pkg in ("jjj", "hub", "adapters"):
        for f in (ROOT / pkg).rglob("*.py"):
            names |= set(re.findall(r"""["'](jjj_[a-z0-9_]+)["']""", f.read_text(encoding="utf-8")))
    return names


def _queried(exprs: list[str]) -> set[str]:
    return {m for e in exprs for m in re.findall(r"\b(jjj_[a-z0-9_]+)\b", e)}


def _base(name: str) -> str:
    for s in SUFFIXES:
        if name.endswith(s):
            return name[: -len(s)]
    return name


def _dashboard_exprs() -> list[str]:
    dash = json.loads((ROOT / "ops" / "grafana" / "jjj-dashboard.json").read_text(encoding="utf-8"))
    return [t["expr"] for p in dash["panels"] for t in p["targets"]]


def test_the_committed_dashboard_is_the_generated_one() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dashboard", ROOT / "ops" / "grafana" / "build_dashboard.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert json.loads((ROOT / "ops" / "grafana" / "jjj-dashboard.json").read_text(encoding="utf-8")) == mod.build()


def test_dashboard_and_alerts_use_only_metrics_the_code_defines() -> None:
    import yaml

    rules = yaml.safe_load((PROM / "alerts.yml").read_text(encoding="utf-8"))
    exprs = _dashboard_exprs() + [r["expr"] for g in rules["groups"] for r in g["rules"]]
    defined = _defined_metrics()
    missing = sorted(m for m in _queried(exprs) if _base(m) not in defined and m not in defined)
    assert missing == []


def test_web_metrics_in_the_dashboard_appear_on_metrics(web) -> None:
    web.api("coord", "/api/v1/disasters")  # one request so the request metrics have samples
    body = web.app.test_client().get("/metrics").data.decode()
    exposed = {_base(m) for m in re.findall(r"^(jjj_[a-z0-9_]+)", body, re.M)}
    from hub.entrypoints.web.health import STATE_METRICS

    web_side = {m for m in _queried(_dashboard_exprs()) if _base(m) in set(STATE_METRICS) | {
        "jjj_web_request_seconds", "jjj_web_requests_total"}} - {"jjj_consumer_lag_records"}  # needs a broker
    assert web_side and {_base(m) for m in web_side} <= exposed
    assert 'jjj_settlement_fen{payee_region="he",status="issued"} 210000.0' in body
    assert 'jjj_verification_overdue{region="bj"} 1.0' in body
    assert 'jjj_region_outbox_depth{region="bj"} 3.0' in body


def test_metrics_carry_no_personal_data(web) -> None:
    body = web.app.test_client().get("/metrics").data.decode()
    assert "k1:" not in body and "abab" not in body and "S-XC-1" not in body
