"""`jjj web`: serve the REST API, dashboard and metrics; `jjj web openapi` prints the OpenAPI document (YAML)."""

from __future__ import annotations

import click

from jjj.config import Settings


@click.group("web", invoke_without_command=True)
@click.option("--host", default=None, help="Bind address (default JJJ_WEB_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default JJJ_WEB_PORT, 8000).")
@click.option("--threads", default=8, show_default=True)
@click.pass_context
def web_command(ctx: click.Context, host: str | None, port: int | None, threads: int) -> None:
    """Serve the web app with waitress when installed, else Flask's threaded server."""
    if ctx.invoked_subcommand is not None:
        return
    from hub.entrypoints.web import create_app

    settings = Settings.from_env()
    app = create_app(settings)
    host, port = host or settings.web_host, port or settings.web_port
    click.echo(f"web on http://{host}:{port}/")
    try:
        from waitress import serve
    except ImportError:
        app.run(host=host, port=port, threaded=True)
    else:
        serve(app, host=host, port=port, threads=threads)


@web_command.command("openapi")
def openapi_command() -> None:
    """Print the OpenAPI 3.1 document as YAML (the committed copy is schemas/openapi.yaml)."""
    from hub.entrypoints.web.openapi import openapi_yaml

    click.echo(openapi_yaml(), nl=False)
