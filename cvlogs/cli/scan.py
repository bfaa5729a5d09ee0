"""``cvlogs scan``: the diagnosis, in the format asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cvlogs.cli.app import app
from cvlogs.cli.common import (
    OUTPUT,
    Accounts,
    HostName,
    Hosts,
    Jobs,
    MaxBytes,
    MaxDepth,
    NoRedact,
    Output,
    Paths,
    Scheduler,
    Since,
    Until,
    filters,
    scan_options,
    user_errors,
    write,
)
from cvlogs.containers import DEFAULT_MAX_DEPTH, DEFAULT_MAX_MEMBER_BYTES
from cvlogs.pipeline import scan as run_scan
from cvlogs.render import Format, RenderOptions, render
from cvlogs.report import Report, no_cycle_collection


@app.command()
def scan(
    paths: Paths,
    account: Accounts = None,
    since: Since = None,
    until: Until = None,
    host: Hosts = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Report format.", rich_help_panel=OUTPUT)
    ] = Format.text,
    output: Output = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details", "-v", help="Add each finding's evidence and remedy (text format).", rich_help_panel=OUTPUT
        ),
    ] = False,
    max_evidence: Annotated[
        int,
        typer.Option(
            "--max-evidence",
            min=0,
            help="Evidence lines shown per finding (at most 5 are kept).",
            rich_help_panel=OUTPUT,
        ),
    ] = 5,
    no_redact: NoRedact = False,
    anonymize_accounts: Annotated[
        bool,
        typer.Option(
            "--anonymize-accounts", help="Replace every account id by a stable pseudonym.", rich_help_panel=OUTPUT
        ),
    ] = False,
    host_name: HostName = None,
    max_member_bytes: MaxBytes = DEFAULT_MAX_MEMBER_BYTES,
    max_depth: MaxDepth = DEFAULT_MAX_DEPTH,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
) -> None:
    """Diagnose failed or missing credential steps, per AWS account: a summary, then each finding.

    Exit status 0: no error finding; 1: at least one error finding; 2: a usage or input error.

    Examples:

      cvlogs scan /var/log/commvault/Log_Files

      cvlogs scan Log_Files --details

      cvlogs scan Log_Files --account 444455556666 --format markdown -o ticket-report.md

      cvlogs scan sendLogFiles_4711_2026_11_20_10_00_00_123_J88.7z --host accessnode2
    """
    with user_errors():
        options = scan_options(
            filters(account, since, until, host),
            jobs=jobs,
            host_name=host_name,
            scheduler=scheduler,
            max_member_bytes=max_member_bytes,
            max_depth=max_depth,
            no_redact=no_redact,
            anonymize_accounts=anonymize_accounts,
            with_timeline=output_format is Format.html,
        )
        report = run_scan(paths, options)
        with no_cycle_collection():
            emit(report, output_format, output, RenderOptions(details=details, max_evidence=max_evidence))
    raise typer.Exit(report.exit_status)


def emit(report: Report, output_format: Format, output: Path | None, options: RenderOptions) -> None:
    """The report on the terminal (rich, with colour) or as text in a file or a pipe."""
    if output is None and output_format is Format.text:
        from rich.console import Console  # noqa: PLC0415

        from cvlogs.render.text import renderable  # noqa: PLC0415

        Console(highlight=False).print(renderable(report, options))
        return
    write(render(report, output_format, options), output)
