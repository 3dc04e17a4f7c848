"""The hub pass: bare consumers (raw, and read + parse + verify) then `jjj hub run` over the same records, then the
per-stage cost and the profile from an in-process pass over a sample of them."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from jjj.bench.consume import bare_consume, floor_consume, hub_workers
from jjj.signing import KeyRegistry


def measure(env, db: str, vol, report, profile_dir: Path | None, echo) -> None:  # noqa: ANN001
    n = vol.hub_messages
    url = env.database(db, "hub")
    group = f"{env.prefix}-hub-{db}"
    settings = env.settings(url, group=group)
    keys = KeyRegistry.load(env.keys)
    raw = bare_consume(env.bootstrap, env.prefix, n)
    base = bare_consume(env.bootstrap, env.prefix, n, verify_keys=keys)
    echo(f"[{db}] bare consumer: raw {raw.rate:,.0f} msg/s, read+json+verify {base.rate:,.0f} msg/s")
    floor_url = env.database(db, "floor")
    floor = floor_consume(env.bootstrap, env.prefix, n, verify_keys=keys, signer=env.signers["hub"],
                          database_url=floor_url, receipt_prefix=env.create_topics(f"{env.prefix}f{db[:2]}"))
    env.release(floor_url)
    echo(f"[{db}] contract floor (read+json+verify, processed ids, one acknowledged signed receipt each): "
         f"{floor.rate:,.0f} msg/s")
    # RSS at every tenth of the run (the detail shows the curve); the figure is the end minus the checkpoint, each
    # reading taken right after the hub processes trimmed their heaps (the untrimmed sums are in the detail)
    tenths = tuple(sorted({vol.rss_checkpoint, *(n * i // 10 for i in range(1, 10))} - {0}))
    hub = hub_workers(env.env_vars(settings), n, group, env.bootstrap, checkpoints=tenths, on_progress=None,
                      database_url=url)
    echo(f"[{db}] hub worker: {hub.rate:,.0f} msg/s over {hub.count} messages in {hub.seconds:.1f}s")
    report.put("hub_vs_baseline_ratio", db, round(hub.rate / base.rate, 3))
    report.put("hub_vs_raw_ratio", db, round(hub.rate / raw.rate, 3))
    report.put("floor_vs_baseline_ratio", db, round(floor.rate / base.rate, 3))
    report.put("hub_vs_floor_ratio", db, round(hub.rate / floor.rate, 3))
    # the readings as the detail prints them, so that the figure is their difference to the digit
    rss = {k: round(v, 1) for k, v in hub.extra["rss_mb"].items()}
    if str(vol.rss_checkpoint) in rss:
        report.put("hub_rss_growth_mb", db, round(rss["end"] - rss[str(vol.rss_checkpoint)], 1))
    report.hub_urls[db] = url
    detail = report.detail.setdefault(db, {})
    detail.update({"raw_msg_s": round(raw.rate), "baseline_msg_s": round(base.rate), "floor_msg_s": round(floor.rate),
                   "floor_cpu_us_per_msg": round(floor.extra["cpu_s"] * 1e6 / max(1, floor.count), 1),
                   "baseline_cpu_us_per_msg": round(base.extra["cpu_s"] * 1e6 / max(1, base.count), 1), "hub_msg_s": round(hub.rate),
                   "hub_cpu_us_per_msg": round(hub.extra["cpu_s"] * 1e6 / max(1, hub.count), 1),
                   "hub_rss_mb": rss, "hub_log_warnings": hub.extra["log_warnings"],
                   "hub_rss_by_role_mb": hub.extra["rss_by_role_mb"],
                   "hub_rss_untrimmed_mb": {k: round(v, 1) for k, v in hub.extra["rss_untrimmed_mb"].items()},
                   "hub_rss_trimmed_procs": hub.extra["rss_trimmed_procs"],
                   "hub_relay": _mode(env, settings, "JJJ_HUB_RELAY", "process"),
                   "hub_apply": _mode(env, settings, "JJJ_HUB_APPLY", "process")})
    detail["hub_codes"] = _codes(settings)
    env.settle(url)  # kept for the API pass; vacuumed now rather than by autovacuum during the passes between
    if db == "postgresql" and vol.hub_workers > 1:
        scale_out(env, db, vol, base.rate, hub, detail, echo)
    # stage costs and profile: in-process over a sample of the same records, each on a fresh database
    from hub.bootstrap import HubServices
    from jjj.bench.stages import fetch_records, profile_pass, stage_pass

    records = fetch_records(env.bootstrap, env.prefix, min(n, vol.stage_messages))
    services = HubServices(env.settings(env.database(db, "stages"), group=f"{group}-stages"))
    report.put("stage_us", db, stage_pass(services, records))
    services.engine.dispose()
    env.release(services.settings.database_url)
    if profile_dir is not None:
        services = HubServices(env.settings(env.database(db, "profile"), group=f"{group}-profile"))
        path = Path(profile_dir) / f"hub-intake-{db}.txt"
        us = profile_pass(services, records, path)
        services.engine.dispose()
        env.release(services.settings.database_url)
        echo(f"[{db}] profile of {len(records)} messages ({us:.0f} µs/message in-process) written to {path}")


#: the scale-out pass reads at most this many of the records (a rate, not a growth figure: no need for all of them)
SCALE_OUT_MAX = 200_000


def scale_out(env, db: str, vol, baseline_rate: float, one, detail: dict, echo) -> None:  # noqa: ANN001
    """The same records through `vol.hub_workers` workers in one consumer group on a fresh database (the topics
    have 6 partitions each). Reported beside the one-worker figure: the baseline is one Python process, and the hub
    scales out over partitions (docs/scaling.md); on a 2-core machine two workers are the most that can help."""
    n, workers = min(vol.hub_messages, SCALE_OUT_MAX), vol.hub_workers
    group = f"{env.prefix}-hub-{db}-x{workers}"
    settings = env.settings(env.database(db, f"hubx{workers}"), group=group)
    many = hub_workers(env.env_vars(settings), n, group, env.bootstrap, workers=workers, on_progress=None,
                       database_url=settings.database_url)
    codes = _codes(settings)
    env.release(settings.database_url)
    echo(f"[{db}] hub x{workers} workers: {many.rate:,.0f} msg/s over {many.count} messages in {many.seconds:.1f}s "
         f"({many.rate / one.rate:.2f}x one worker), codes {codes}")
    detail[f"hub_x{workers}"] = {"msg_s": round(many.rate), "vs_baseline_ratio": round(many.rate / baseline_rate, 3),
                                 "vs_one_worker": round(many.rate / one.rate, 2), "codes": codes,
                                 "cpu_us_per_msg": round(many.extra["cpu_s"] * 1e6 / max(1, many.count), 1),
                                 "log_warnings": many.extra["log_warnings"],
                                 "log_rebalance_lines": many.extra["log_rebalance_lines"]}


def _codes(settings) -> dict:  # noqa: ANN001
    from hub.infrastructure import tables as t
    from jjj.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return {str(code): count for code, count in
                    conn.execute(select(t.processed.c.code, func.count()).group_by(t.processed.c.code))}
    finally:
        engine.dispose()


def _mode(env, settings, name: str, default: str) -> str:  # noqa: ANN001
    """How the bench's hub workers run (their environment, else this one's, else the default)."""
    return env.env_vars(settings).get(name, os.environ.get(name, default))
