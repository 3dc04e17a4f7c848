"""What `jjj demo` does: broker → topics → keys → hub workers, scheduler, web, adapters → users → scenario →
wait for every receipt → summary, dashboard URL and logins → run until Ctrl-C (or exit, for tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from jjj import broker
from jjj.bus.admin import apply_topics, cluster_ready
from jjj.bus.topics import declared_topics
from jjj.config import REGION_NAMES_ZH, Settings
from jjj.demo import scenario
from jjj.demo.delivery import Delivery
from jjj.demo.ledger import Ledger
from jjj.demo.setup import DemoEnv, prepare
from jjj.demo.supervisor import ChildFailed, Supervisor
from jjj.errors import JJJError
from schemas import ContractError

#: at --speed 1 one scenario day takes this many seconds (the whole scenario about 8 minutes)
DAY_SECONDS = 5.0
#: a long quiet stretch of the scenario (between eldercare months) is never slept for more than this, real time
MAX_GAP_S = 6.0
PASSWORD = "jjj-demo-2026"
USERS = (("coordinator", "coordinator", None, None, "京津冀协同办 协调员"),
         ("bj-operator", "region_operator", "bj", None, "北京 地区操作员"),
         ("tj-operator", "region_operator", "tj", None, "天津 地区操作员"),
         ("he-operator", "region_operator", "he", None, "河北 地区操作员"),
         ("xicheng-officer", "district_officer", None, "110102", "西城区 结算专员"),
         ("chaoyang-officer", "district_officer", None, "110105", "朝阳区 结算专员"),
         ("admin", "admin", None, None, "系统管理员"))


class DemoError(JJJError):
    """The demo cannot run (broker unreachable, a child failed, receipts missing)."""


@dataclass
class Options:
    speed: float = 1.0
    reset: bool = False
    browser: bool = True
    exit_when_done: bool = False
    workers: int = 2
    settle_timeout_s: float = 180.0


@dataclass
class Outcome:
    played: int
    skipped: int
    receipt_codes: dict[int, int]
    url: str
    refused: list[str]


def run(opts: Options, stop: threading.Event, echo: Callable[[str], None] = print) -> Outcome:
    demo = prepare(reset=opts.reset)
    os.environ.update(demo.env)  # the demo process's own adapter runtimes use the same databases as the children
    started_broker = _broker(demo, echo)
    sup = Supervisor(demo.env, demo.root / "logs")
    try:
        _bootstrap(demo, echo)
        _start(sup, demo, opts, echo)
        _users(demo, echo)
        outcome = _play(demo, sup, opts, stop, echo)
        if stop.is_set():
            echo(f"中断 interrupted after {outcome.played} steps; `jjj demo` again continues where this run stopped")
            return outcome
        _summary(demo, outcome, echo)
        if opts.browser and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or sys.platform == "darwin"):
            import webbrowser

            webbrowser.open(outcome.url)
        while not (opts.exit_when_done or stop.is_set()):
            sup.check()
            stop.wait(1.0)
        return outcome
    except ChildFailed as exc:
        raise DemoError(str(exc)) from None
    finally:
        echo("停止演示进程 stopping the demo processes …")
        sup.stop()
        if started_broker:
            echo(broker.down(Settings.from_env()))


def _broker(demo: DemoEnv, echo: Callable[[str], None]) -> bool:
    s = demo.settings
    if cluster_ready(s.kafka_bootstrap, timeout_s=5):
        echo(f"Kafka: {s.kafka_bootstrap} (already running)")
        return False
    if "JJJ_KAFKA_BOOTSTRAP" in os.environ and os.environ.get("JJJ_DEMO_STARTED_BROKER") != "1":
        raise DemoError(f"JJJ_KAFKA_BOOTSTRAP={s.kafka_bootstrap} does not answer")
    echo("Kafka: starting the local broker (jjj kafka up) …")
    echo(broker.up(Settings.from_env(), echo=echo))
    return True


def _bootstrap(demo: DemoEnv, echo: Callable[[str], None]) -> None:
    from jjj.signing import init_keys

    s = demo.settings
    echo(f"topics: {apply_topics(s.kafka_bootstrap, declared_topics(s.topic_prefix)).summary()} (prefix {s.topic_prefix})")
    if not (s.keys / "registry.json").exists():
        init_keys(s.keys)
        echo(f"keys: new Ed25519 keys for bj, tj, he and the hub in {s.keys}")


def _start(sup: Supervisor, demo: DemoEnv, opts: Options, echo: Callable[[str], None]) -> None:
    from jjj.cli import COMMANDS, LazyGroup

    s = demo.settings
    web = sup.start("web", "web")
    sup.wait_http(web, f"http://{s.web_host}:{s.web_port}/readyz", timeout_s=90)  # creates the hub tables first
    for i in range(1, opts.workers + 1):
        # /metrics ports match ops/prometheus/prometheus.yml (a busy port only disables that exporter)
        sup.start(f"hub-{i}", "hub", "run", "--worker-id", f"hub-{i}", "--metrics-port", str(9100 + i))
    if "scheduler" in COMMANDS and LazyGroup._load("scheduler") is not None:
        sup.start("scheduler", "scheduler", "run", "--metrics-port", "9103")
    else:
        echo("warning: `jjj scheduler` is not in this build; deadlines and statements will not be computed")
    for r in ("bj", "tj", "he"):
        sup.start(f"adapter-{r}", "adapter", r, "run")
    time.sleep(1.5)
    sup.check()
    echo(f"started: {', '.join(c.name for c in sup.children)} (logs in {sup.log_dir})")


def _users(demo: DemoEnv, echo: Callable[[str], None]) -> None:
    for name, role, region, district, _ in USERS:
        argv = [sys.executable, "-m", "jjj.cli", "users", "add", name, "--role", role, "--password", PASSWORD]
        argv += ["--region", region] if region else []
        argv += ["--district", district] if district else []
        res = subprocess.run(argv, env=demo.env, capture_output=True, text=True, timeout=60, check=False)
        if res.returncode != 0 and "exist" not in (res.stderr + res.stdout):
            echo(f"warning: could not add demo user {name}: {(res.stderr or res.stdout).strip()[-300:]}")


def _sleep_for(gap_days: float, speed: float) -> float:
    return 0.0 if speed <= 0 else min(gap_days * DAY_SECONDS / speed, MAX_GAP_S)


def _play(demo: DemoEnv, sup: Supervisor, opts: Options, stop: threading.Event, echo: Callable[[str], None]) -> Outcome:
    from tqdm import tqdm

    ledger = Ledger(demo.root / "played.db")
    ref = scenario.RecordingRef(scenario.person_hasher(demo.person_key))
    steps = scenario.build(ref)
    delivery = Delivery(demo.settings, ledger, {s.step_id: s for s in steps}, ref.ids, demo.env)
    done = ledger.played()
    todo = [s for s in steps if s.step_id not in done]
    if not todo:
        echo(f"scenario: all {len(steps)} steps were played before (use --reset to start fresh)")
    bar = tqdm(total=len(steps), initial=len(steps) - len(todo), unit="msg", desc="场景 scenario",
               disable=not sys.stderr.isatty())
    prev = todo[0].when if todo else None
    played, refused = 0, []
    try:
        for step in todo:
            if stop.wait(_sleep_for((step.when - prev).total_seconds() / 86400, opts.speed)):
                break
            sup.check()
            prev = step.when
            try:
                delivery.play(step)
            except (ContractError, JJJError) as exc:
                # the adapter refused it (not recorded: a rerun retries it); the demo goes on
                refused.append(step.step_id)
                tqdm.write(f"  ✗ {step.step_id} refused: {str(exc)[:300]}")
                continue
            played += 1
            tag = (" ⚠ 预期适配器拒收" if step.fault == "native" else f" ⚠ 预期拒收 {step.expect_code}") if step.fault else ""
            tqdm.write(f"  {step.when:%m-%d %H:%M}  {REGION_NAMES_ZH[step.region]}  [{delivery.last_intake}]  "
                       f"{step.title}{tag}")
            bar.update(1)
        bar.close()
        # a message the hub cannot read (400/410/420 before decoding) is receipted by its bus position, not its id:
        # wait for those by code, for the rest by message id
        by_position = {s.step_id: s.expect_code for s in steps if s.fault and s.expect_code in (400, 410, 420)}
        ids = [m for sid, mids in ledger.message_ids().items() if sid not in by_position for m in mids]
        codes = _settle(delivery, sup, ids, Counter(by_position.values()), opts, stop)
    finally:
        delivery.close()
        ledger.close()
    s = demo.settings
    return Outcome(played, len(steps) - len(todo), codes, f"http://{s.web_host}:{s.web_port}/", refused)


def _settle(delivery: Delivery, sup: Supervisor, ids: list[str], by_code: Counter, opts: Options,
            stop: threading.Event) -> dict[int, int]:
    """Wait until every played message has its receipt (adapters publish, hub answers, inboxes take it in)."""
    from tqdm import tqdm

    bar = tqdm(total=len(ids), unit="receipt", desc="回执 receipts", disable=not sys.stderr.isatty())
    deadline = time.monotonic() + opts.settle_timeout_s
    got: dict[str, dict] = {}
    while not stop.is_set():
        sup.check()
        missing = [m for m in ids if m not in got]
        got.update({m: r for m, r in delivery.receipts(missing).items() if r})
        bar.update(len(got) - bar.n)
        unread = delivery.receipt_codes()
        if (len(got) == len(ids) and all(unread.get(c, 0) >= n for c, n in by_code.items())) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    bar.close()
    if len(got) < len(ids) and not stop.is_set():
        raise DemoError(f"{len(ids) - len(got)} of {len(ids)} messages have no receipt after "
                        f"{opts.settle_timeout_s:.0f}s (see the logs in state/demo/logs)")
    return dict(delivery.receipt_codes())


def _summary(demo: DemoEnv, out: Outcome, echo: Callable[[str], None]) -> None:
    echo("")
    echo(f"场景完成 scenario done: {out.played} steps played now, {out.skipped} played before")
    if out.refused:
        echo(f"warning: {len(out.refused)} steps were refused and will be retried by the next run: "
             + ", ".join(out.refused[:10]))
    echo("回执 receipts by code: " + ", ".join(f"{c}×{n}" for c, n in sorted(out.receipt_codes.items())))
    echo(f"仪表盘 dashboard: {out.url}   (API docs: {out.url}docs, OpenAPI: {out.url}openapi.json)")
    echo(f"演示账号 demo logins (password {PASSWORD}):")
    for name, role, region, district, zh in USERS:
        scope = region or district or ""
        echo(f"  {name:17} {role:17} {scope:7} {zh}")
    echo("Ctrl-C 停止 stops everything.")
