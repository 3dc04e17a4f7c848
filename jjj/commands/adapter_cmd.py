"""`jjj adapter <region> convert|import|status|run|formats` (region: beijing/tianjin/hebei or bj/tj/he).

Exit codes of ``convert`` and ``import``: 0 every record accepted; 1 some records rejected (they are listed, and
kept in the rejects table by ``import``) — so a scheduler notices; 2 the file could not be read on (wrong encoding,
broken XML, missing columns); 3 (``import``) this exact file was imported before (``--again`` to repeat).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from jjj.config import Settings


@click.group("adapter")
@click.argument("region")
@click.pass_context
def adapter_group(ctx: click.Context, region: str) -> None:
    """A region's adapter: native formats in, canonical messages out, receipts back."""
    from adapters.core.errors import RegionNotFound
    from adapters.core.spec import region as find

    try:
        ctx.obj = find(region)
    except RegionNotFound as exc:
        raise click.BadParameter(str(exc), param_hint="REGION") from None


def _runtime(spec):  # noqa: ANN001, ANN202
    from adapters.core.runtime import AdapterRuntime

    return AdapterRuntime(spec.code, Settings.from_env(), system_id=spec.system_id)


@adapter_group.command("formats")
@click.pass_obj
def adapter_formats(spec) -> None:  # noqa: ANN001
    """The native formats this region's adapter reads."""
    for f in spec.formats.values():
        click.echo(f"{f.name:22} {', '.join(f.kinds):40} {'HTTP ' if f.http else ''}{' '.join(f.patterns)}  {f.description}")


@adapter_group.command("convert")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt_name", help="Native format (default: from the file name; see `formats`).")
@click.option("--payload-only", is_flag=True, help="Print kind and payload instead of whole messages.")
@click.pass_obj
def adapter_convert(spec, file: Path, fmt_name: str | None, payload_only: bool) -> None:  # noqa: ANN001
    """Dry run: print the canonical messages (JSON lines) and the located errors; no database, no broker."""
    from adapters.core.errors import FormatError
    from adapters.core.pipeline import Ready, read_file, run
    from adapters.core.runtime import AdapterRuntime

    fmt = spec.format_for(file, fmt_name)
    rt = AdapterRuntime(spec.code, Settings.from_env(), system_id=spec.system_id)
    ok = bad = 0
    try:
        for r in run(fmt, read_file(fmt, file), rt.context(spec.config), rt.envelope):
            if isinstance(r, Ready):
                ok += 1
                out = {"kind": r.item.kind, "payload": r.item.payload} if payload_only else json.loads(r.message.value)
                click.echo(json.dumps(out, ensure_ascii=False))
            else:
                bad += len(r.records)
                click.echo(f"REJECTED {r.error}", err=True)
    except FormatError as exc:
        click.echo(f"UNREADABLE {exc}", err=True)
        click.echo(f"{file.name}: {ok} messages, {bad} rejected records, then stopped", err=True)
        sys.exit(2)
    click.echo(f"{file.name}: {ok} messages, {bad} rejected records", err=True)
    sys.exit(1 if bad else 0)


@adapter_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt_name", help="Native format (default: from the file name).")
@click.option("--again", is_flag=True, help="Import a file that was imported before.")
@click.option("--batch", default=1000, show_default=True, help="Messages per outbox transaction.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.pass_obj
def adapter_import(spec, file: Path, fmt_name: str | None, again: bool, batch: int, no_progress: bool) -> None:  # noqa: ANN001
    """Import a batch file into the outbox (streamed; resumes after a crash); summary of accepted and rejected."""
    from adapters.core.importer import AlreadyImported, import_file

    fmt = spec.format_for(file, fmt_name)
    rt = _runtime(spec)
    try:
        s = import_file(rt, fmt, file, rt.context(spec.config), batch=batch, again=again, progress=not no_progress)
    except AlreadyImported as exc:
        click.echo(f"{exc} (use --again to import it once more)", err=True)
        sys.exit(3)
    click.echo(f"import {s.import_id}  {s.source}  format {s.format}")
    click.echo(f"  accepted  {s.accepted_records:>9} records → {s.accepted_messages} messages in the outbox")
    click.echo(f"  rejected  {s.rejected_records:>9} records (kept in the rejects table)")
    if s.skipped_records:
        click.echo(f"  resumed   {s.skipped_records:>9} records were already imported before a restart")
    for reason, n in s.reasons.most_common(10):
        click.echo(f"  {n:>9} × {reason}")
    for example in s.examples[:10]:
        click.echo(f"    e.g. {example}")
    if s.fatal:
        click.echo(f"  STOPPED: {s.fatal}", err=True)
        sys.exit(2)
    sys.exit(1 if s.rejected_records else 0)


@adapter_group.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def adapter_status(spec, as_json: bool) -> None:  # noqa: ANN001
    """Outbox depth, oldest unsent, unreceipted messages, last receipt, pending deliveries."""
    s = _runtime(spec).status()
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False))
        return
    click.echo(f"{spec.name_zh} adapter ({spec.code})")
    click.echo(f"  outbox depth        {s['outbox_depth']}  (oldest unsent {s['oldest_pending_at'] or '—'}, "
               f"{s['oldest_pending_age_s']:.0f}s)")
    click.echo(f"  last published      {s['last_published_at'] or '—'}")
    click.echo(f"  unreceipted         {s['unreceipted']}")
    click.echo(f"  receipts            {s['receipts_accepted']} accepted, {s['receipts_rejected']} rejected; "
               f"last {s['last_receipt_at'] or '—'}")
    click.echo(f"  deliveries pending  {s['deliveries_pending']}")
    click.echo(f"  native rejects      {s['native_rejects']}")


@adapter_group.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Intake port (default from the region's config).")
@click.option("--heartbeat", default=15.0, show_default=True, help="Seconds between heartbeats.")
@click.pass_obj
def adapter_run(spec, host: str, port: int | None, heartbeat: float) -> None:  # noqa: ANN001
    """Intake HTTP + publisher + inbox + deliveries + heartbeat until Ctrl-C."""
    from adapters.core.service import run_adapter
    from jjj.commands.hub_cmd import stop_on_signals

    run_adapter(spec, Settings.from_env(), stop_on_signals(), host=host, port=port, heartbeat_s=heartbeat)
