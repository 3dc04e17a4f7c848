"""`jjj bench`: how close the platform runs to what the broker, the cryptography and the database allow."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click


@click.command("bench")
@click.option("--quick", is_flag=True, help="Scaled-down volumes: finishes in under two minutes (smoke test).")
@click.option("--database-url", default=lambda: os.environ.get("JJJ_BENCH_PG_URL", ""),
              help="PostgreSQL server for the PostgreSQL pass (a fresh database is created and dropped). "
                   "Default: JJJ_BENCH_PG_URL; without it only SQLite is measured.")
@click.option("--db", "dbs", multiple=True, type=click.Choice(["sqlite", "postgresql"]),
              help="Databases to measure (default: sqlite, and postgresql when a URL is given).")
@click.option("--profile-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also profile the hub intake with pyinstrument and write the text profiles here.")
@click.option("--hub-messages", type=int, default=None,
              help="Override the hub volume (RSS growth is then taken from 10% to 100% of it).")
@click.option("--hub-workers", type=int, default=None,
              help="Scale-out pass: after the one-worker run, run this many `jjj hub run` workers in one group over "
                   "the same records on a fresh PostgreSQL database (default 2 for a full run, off for --quick; "
                   "1 turns it off).")
@click.option("--sections", default="hub,adapter,e2e,settlement,api", show_default=True,
              help="Comma-separated passes to run (keys of the others print null).")
def bench_command(quick: bool, database_url: str, dbs: tuple[str, ...], profile_dir: Path | None,
                  hub_messages: int | None, hub_workers: int | None, sections: str) -> None:
    """Run the bench against the local broker and databases; print a table, then one JSON line."""
    from jjj.bench.runner import render, run
    from jjj.config import Settings

    # SIGTERM (and SIGINT in a background job, where it is ignored) must still delete the run's topics and databases
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    databases = list(dbs) or (["sqlite", "postgresql"] if database_url else ["sqlite"])
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
    report = run(bootstrap=Settings.from_env().kafka_bootstrap, databases=databases, pg_url=database_url or None,
                 quick=quick, hub_messages=hub_messages, hub_workers=hub_workers,
                 sections=tuple(sections.split(",")), profile_dir=profile_dir, echo=lambda s: click.echo(s, err=True))
    for line in render(report, databases):
        click.echo(line)
