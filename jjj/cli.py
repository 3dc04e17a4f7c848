"""`jjj`: the one command line of the platform (see `jjj --help`)."""

from __future__ import annotations

import importlib
import logging
import os

import click

# name -> "module:attribute"; a command whose module is absent in this build is simply not offered.
COMMANDS = {
    "kafka": "jjj.commands.infra:kafka_group",
    "topics": "jjj.commands.infra:topics_group",
    "keys": "jjj.commands.keys_cmd:keys_group",
    "schemas": "jjj.commands.schemas_cmd:schemas_group",
    "hub": "jjj.commands.hub_cmd:hub_group",
    "web": "jjj.commands.web_cmd:web_command",
    "adapter": "jjj.commands.adapter_cmd:adapter_group",
    "scheduler": "jjj.commands.scheduler_cmd:scheduler_group",
    "demo": "jjj.commands.demo_cmd:demo_command",
    "security": "jjj.commands.security_cmd:security_group",
    "audit": "jjj.commands.audit_cmd:audit_group",
    "dlq": "jjj.commands.dlq_cmd:dlq_group",
    "users": "jjj.commands.users_cmd:users_group",
    "bench": "jjj.commands.bench_cmd:bench_command",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when it is used, so `jjj kafka up` does not load Flask."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """京津冀民政协同平台 — Jing-Jin-Ji civil-affairs coordination hub."""
    level = logging.DEBUG if verbose else getattr(logging, os.environ.get("JJJ_LOG_LEVEL", "INFO").upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(max(level, logging.WARNING))


if __name__ == "__main__":
    main()
