"""`jjj kafka up|down|status|fetch` and `jjj topics apply|list`."""

from __future__ import annotations

import sys
import time

import click

from jjj import broker
from jjj.config import Settings
from jjj.errors import JJJError


@click.group("kafka")
def kafka_group() -> None:
    """The local Kafka broker (KRaft, single node on 127.0.0.1) for development, the demo and tests."""


_SECURE = click.option("--secure", is_flag=True, help="The secure profile (SASL/SCRAM + ACLs, jjj.security.broker): a "
                       "separate broker on JJJ_KAFKA_SECURE_PORT (default 9094), state in <state>/kafka-secure.")


@kafka_group.command("up")
@_SECURE
def kafka_up(secure: bool) -> None:
    """Start the broker (fetching its jars with Maven on first use) and wait until it answers metadata requests."""
    settings = Settings.from_env()
    try:
        if secure:
            from jjj.security import broker as secure_broker

            click.echo(secure_broker.up(settings, echo=lambda m: click.echo(m, err=True)))
            return
        click.echo(broker.up(settings, echo=lambda m: click.echo(m, err=True)))
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@kafka_group.command("down")
@_SECURE
def kafka_down(secure: bool) -> None:
    """Stop the local broker cleanly (SIGTERM, then SIGKILL after 30 s)."""
    if secure:
        from jjj.security import broker as secure_broker

        click.echo(secure_broker.down(Settings.from_env()))
        return
    click.echo(broker.down(Settings.from_env()))


@kafka_group.command("status")
@_SECURE
def kafka_status(secure: bool) -> None:
    """Exit 0 when the broker answers, 1 otherwise."""
    if secure:
        from jjj.security import broker as secure_broker

        ok, line = secure_broker.status(Settings.from_env())
    else:
        ok, line = broker.status(Settings.from_env())
    click.echo(line)
    sys.exit(0 if ok else 1)


@kafka_group.command("fetch")
def kafka_fetch() -> None:
    """Only fetch the pinned broker jars (CI warms the Maven cache with this)."""
    try:
        click.echo(f"broker jars in {broker.fetch(Settings.from_env(), echo=lambda m: click.echo(m, err=True))}")
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@click.group("topics")
def topics_group() -> None:
    """Topics as code: the layout of contracts.md."""


@topics_group.command("apply")
def topics_apply() -> None:
    """Create or update every declared topic; running it twice changes nothing the second time."""
    from jjj.bus.admin import apply_topics
    from jjj.bus.topics import declared_topics

    settings = Settings.from_env()
    started = time.monotonic()
    try:
        result = apply_topics(settings.kafka_bootstrap, declared_topics(settings.topic_prefix))
    except JJJError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(result.summary())
    click.echo(f"({len(declared_topics(settings.topic_prefix))} topics declared, {time.monotonic() - started:.1f}s)")


@topics_group.command("list")
def topics_list() -> None:
    """Print the declared topics with partitions and configs."""
    from jjj.bus.topics import declared_topics

    for spec in declared_topics(Settings.from_env().topic_prefix):
        click.echo(f"{spec.name:28} p={spec.partitions} {spec.configs['cleanup.policy']:7} "
                   f"retention.ms={spec.configs['retention.ms']:>12}  {spec.purpose}")
