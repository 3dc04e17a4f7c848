"""Orchestrates a bench run: data once, then per database the hub, adapter, e2e, settlement and API passes; prints
a table and, as its last line, one JSON object with every key (null where a figure could not be measured)."""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jjj.bench.env import BenchEnv

log = logging.getLogger(__name__)

KEYS = ("hub_vs_baseline_ratio", "hub_vs_raw_ratio", "floor_vs_baseline_ratio", "hub_vs_floor_ratio", "stage_us", "adapter_publish_ratio", "e2e_p50_s", "e2e_p99_s",
        "settlement_vs_sql_ratio", "hub_rss_growth_mb", "api_p99_s")
TARGETS = {"hub_vs_baseline_ratio": ">= 0.5", "hub_vs_raw_ratio": "report", "floor_vs_baseline_ratio": "report",
           "hub_vs_floor_ratio": "report", "stage_us": "report",
           "adapter_publish_ratio": ">= 0.5", "e2e_p50_s": "report", "e2e_p99_s": "<= 1", "settlement_vs_sql_ratio": "<= 3",
           "hub_rss_growth_mb": "< 50", "api_p99_s": "< 0.1"}


@dataclass
class Volumes:
    hub_messages: int
    rss_checkpoint: int
    import_rows: int
    claim_lines: int
    e2e_seconds: float
    e2e_rate: int = 500
    stage_messages: int = 20_000
    api_revisions: int = 100_000  # issue 6: the API's p99 at 100,000 disaster revisions and 1,000,000 claim lines
    api_claim_lines: int = 1_000_000
    #: scale-out: a second hub run with this many workers in one group (PostgreSQL only: SQLite has one writer)
    hub_workers: int = 2

    @classmethod
    def for_run(cls, quick: bool, hub_messages: int | None = None, hub_workers: int | None = None) -> Volumes:
        vol = (cls(5_000, 500, 5_000, 50_000, 10.0, stage_messages=2_000, api_revisions=2_000,
                   api_claim_lines=20_000, hub_workers=1) if quick
               else cls(1_000_000, 100_000, 200_000, 1_000_000, 60.0))
        if hub_messages:  # the RSS growth is then measured from 10% to 100% of the run
            vol.hub_messages, vol.rss_checkpoint = hub_messages, max(1, hub_messages // 10)
            vol.stage_messages = min(vol.stage_messages, hub_messages)
        if hub_workers is not None:
            vol.hub_workers = hub_workers
        return vol


@dataclass
class Report:
    figures: dict[str, dict[str, object]] = field(default_factory=lambda: {k: {} for k in KEYS})
    notes: dict[str, list[str]] = field(default_factory=dict)
    detail: dict[str, dict] = field(default_factory=dict)
    hub_urls: dict[str, str] = field(default_factory=dict)  # the hub database after the big pass, for the API pass

    def put(self, key: str, db: str, value: object) -> None:
        self.figures[key][db] = value

    def note(self, db: str, text: str) -> None:
        self.notes.setdefault(db, []).append(text)
        log.warning("[%s] %s", db, text)


def _section(report: Report, db: str, name: str, fn: Callable[[], None]) -> None:
    started = time.monotonic()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - one failed section must not lose the others' figures
        report.note(db, f"{name}: not measured ({type(exc).__name__}: {str(exc)[:300]})")
        log.debug("%s failed:\n%s", name, traceback.format_exc())
    log.info("[%s] %s took %.1fs", db, name, time.monotonic() - started)


SECTIONS = ("hub", "adapter", "e2e", "settlement", "api")


def run(*, bootstrap: str, databases: list[str], pg_url: str | None, quick: bool, hub_messages: int | None = None,
        hub_workers: int | None = None, profile_dir: Path | None = None, echo: Callable[[str], None] = print,
        sections: tuple[str, ...] = SECTIONS) -> Report:
    from jjj.bench import hubpass
    from jjj.bench.data import MessageFactory, produce
    from jjj.bus.clients import make_producer

    vol = Volumes.for_run(quick, hub_messages, hub_workers)
    env = BenchEnv(bootstrap, pg_url)
    report = Report()
    report.detail["volumes"] = vol.__dict__
    try:
        env.create_topics()
        if "hub" in sections:  # the hub pass's records (the other passes make their own data)
            producer = make_producer(bootstrap, client_id="bench-load")
            t0 = time.perf_counter()
            sent = produce(producer, env.signers, MessageFactory(env.prefix, distinct=500).messages(vol.hub_messages))
            producer.close(timeout=30)
            echo(f"loaded {sent} signed messages into {env.prefix}.* in {time.perf_counter() - t0:.1f}s")
        for db in databases:
            if "hub" in sections:
                _section(report, db, "hub", lambda db=db: hubpass.measure(env, db, vol, report, profile_dir, echo))
            for name, module in (("adapter", "adapter"), ("e2e", "e2e"), ("settlement", "settlement"),
                                 ("api", "api")):
                if name not in sections:
                    report.note(db, f"{name}: not run (--sections)")
                    continue
                _section(report, db, name, lambda db=db, module=module: _run_module(module, env, db, vol, report,
                                                                                    echo))
                # a pass's databases go when it ends (the hub pass's stays for the API pass): a later pass must
                # not run beside the autovacuum of an earlier one's million rows
                env.release_all(keep=set(report.hub_urls.values()))
    finally:
        env.close()
    return report


def _run_module(module: str, env: BenchEnv, db: str, vol: Volumes, report: Report, echo) -> None:  # noqa: ANN001
    import importlib

    importlib.import_module(f"jjj.bench.{module}").measure(env, db, vol, report, echo)


def render(report: Report, databases: list[str]) -> list[str]:
    """The table (one row per key, one column per database) and the JSON line, last."""
    lines = [f"{'figure':<26}{'target':>8}  " + "".join(f"{db:>22}" for db in databases), "-" * (36 + 22 * len(databases))]
    for key in KEYS:
        if key == "stage_us":
            continue
        cells = "".join(f"{_fmt(report.figures[key].get(db)):>22}" for db in databases)
        lines.append(f"{key:<26}{TARGETS[key]:>8}  {cells}")
    for db in databases:
        stages = report.figures["stage_us"].get(db)
        if stages:
            lines.append(f"stage_us[{db}]: " + ", ".join(f"{k}={v}" for k, v in stages.items()))
    for db, notes in report.notes.items():
        lines += [f"note[{db}]: {n}" for n in notes]
    for db, detail in report.detail.items():
        if db in databases:
            lines.append(f"detail[{db}]: {json.dumps(detail, ensure_ascii=False, sort_keys=True)}")
    out = {k: {db: report.figures[k].get(db) for db in databases} for k in KEYS}
    out["databases"] = databases
    out["volumes"] = report.detail.get("volumes")
    out["notes"] = report.notes
    lines.append(json.dumps(out, ensure_ascii=False, sort_keys=False))
    return lines


def _fmt(v: object) -> str:
    if v is None:
        return "pending"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)
