"""``cvlogs scan``: the diagnosis, in the format asked for."""

from contextlib import nullcontext
from typing import Annotated

import typer

from cvlogs.anonymize import Pseudonyms
from cvlogs.cli import common
from cvlogs.cli.app import app
from cvlogs.containers import DEFAULT_MAX_DEPTH, DEFAULT_MAX_MEMBER_BYTES
from cvlogs.output import refuse_inputs, text_output, write_text
from cvlogs.pipeline import scan as run_scan
from cvlogs.render import Format, RenderOptions, write
from cvlogs.report import Report, no_cycle_collection


@app.command()
def scan(
    ctx: typer.Context,
    paths: common.Paths,
    account: common.Accounts = None,
    since: common.Since = None,
    until: common.Until = None,
    host: common.Hosts = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Report format.", rich_help_panel=common.OUTPUT)
    ] = Format.text,
    output: common.Output = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            "-v",
            help="Add each finding's evidence and remedy (text format).",
            rich_help_panel=common.OUTPUT,
        ),
    ] = False,
    max_evidence: Annotated[
        int,
        typer.Option(
            "--max-evidence",
            min=0,
            help="Evidence lines shown per finding (at most 5 are kept).",
            rich_help_panel=common.OUTPUT,
        ),
    ] = 5,
    no_redact: common.NoRedact = False,
    anonymize_accounts: Annotated[
        bool,
        typer.Option(
            "--anonymize-accounts",
            help="Replace every account id by a stable pseudonym.",
            rich_help_panel=common.OUTPUT,
        ),
    ] = False,
    anonymize_hosts: Annotated[
        bool,
        typer.Option(
            "--anonymize-hosts",
            help="Replace machine names, IP addresses and instance names by stable pseudonyms.",
            rich_help_panel=common.OUTPUT,
        ),
    ] = False,
    pseudonym_map: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Keep the private map of the pseudonyms in this file (never in the report).",
            rich_help_panel=common.OUTPUT,
        ),
    ] = None,
    host_name: common.HostName = None,
    all_logs: common.AllLogs = False,
    max_member_bytes: common.MaxBytes = DEFAULT_MAX_MEMBER_BYTES,
    max_depth: common.MaxDepth = DEFAULT_MAX_DEPTH,
    max_total_bytes: common.MaxTotal = None,
    follow_symlinks: common.FollowSymlinks = False,
    jobs: common.Jobs = None,
    scheduler: common.Scheduler = None,
) -> None:
    """Diagnose failed or missing credential steps, per AWS account: a summary, then each finding.

    Exit status 0: no error finding; 1: at least one error finding; 2: a usage or input error;
    3: a dependency failed (Dask, fsspec/S3, Arrow, a full disk).

    Examples:

      cvlogs scan /var/log/commvault/Log_Files

      cvlogs scan Log_Files --details

      cvlogs scan Log_Files --account 444455556666 --format markdown -o ticket-report.md

      cvlogs scan sendLogFiles_4711_2026_11_20_10_00_00_123_J88.7z --host accessnode2
    """
    with common.user_errors():
        refuse_inputs(output, paths)
        refuse_inputs(pseudonym_map, paths)
        pseudonyms = Pseudonyms()
        options = common.scan_options(
            locals(), pseudonyms, ctx.obj, with_timeline=output_format is Format.html, with_steps=False
        )
        report = run_scan(paths, options)
        # The report's objects sit in the oldest generation (see no_cycle_collection), so young
        # collections are cheap, and the JSON and HTML writers need them: they leave cyclic garbage
        # per entry (the JSON encoder's closures, 100 MB at 100,000 accounts).  rich builds the text
        # report's table from many long-lived objects, which collections would walk again and again
        # (twice the time at 100,000 accounts).
        with no_cycle_collection() if output_format is Format.text else nullcontext():
            emit(report, output_format, output, RenderOptions(details=details, max_evidence=max_evidence))
        if pseudonym_map is not None:
            write_text(pseudonyms.as_json(), pseudonym_map)
    raise typer.Exit(report.exit_status)


def emit(report: Report, output_format: Format, output: str | None, options: RenderOptions) -> None:
    """The report on the terminal (rich, with colour) or as text in a file or a pipe."""
    if output is None and output_format is Format.text:
        from rich.console import Console  # noqa: PLC0415

        from cvlogs.render.text import renderable  # noqa: PLC0415

        Console(highlight=False).print(renderable(report, options))
        return
    with text_output(output) as stream:
        write(report, output_format, stream, options)
