"""`jjj demo`: the whole platform on one machine, playing the Haihe-basin flood scenario (docs/demo.md)."""

from __future__ import annotations

import sys

import click


@click.command("demo")
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Scenario time compression: at 1 a scenario day takes 5 s; 10 is ten times faster; 0 = no pauses.")
@click.option("--reset", is_flag=True, help="Forget the previous demo (databases, keys, ledger, topic prefix) first.")
@click.option("--browser/--no-browser", default=True, help="Open the dashboard when the scenario is done (needs a display).")
@click.option("--exit-when-done", is_flag=True, help="Stop everything once every receipt is in (tests, CI).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 8), help="Hub consumer workers.")
def demo_command(speed: float, reset: bool, browser: bool, exit_when_done: bool, workers: int) -> None:
    """Start broker, topics, hub workers, scheduler, web and the three adapters, then play the scenario.

    Running it again plays nothing twice (a ledger of played steps lives in <state>/demo); Ctrl-C stops every
    process it started, and the broker too if it started it.
    """
    from jjj.commands.hub_cmd import stop_on_signals
    from jjj.demo.orchestrate import DemoError, Options, run

    stop = stop_on_signals()
    try:
        outcome = run(Options(speed=speed, reset=reset, browser=browser, exit_when_done=exit_when_done,
                              workers=workers), stop, echo=click.echo)
    except DemoError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if outcome.refused:
        sys.exit(2)  # the demo ran, but some steps were refused (listed above); a rerun retries them
