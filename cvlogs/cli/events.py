"""``cvlogs events``: the events table with the diagnosis joined (table, CSV, JSON lines, Parquet)."""

from __future__ import annotations

from typing import Annotated

import typer

from cvlogs.cli.app import app
from cvlogs.cli.common import (
    FILTERS,
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
    say_skipped,
    scan_options,
    stderr,
    user_errors,
)
from cvlogs.containers import DEFAULT_MAX_DEPTH, DEFAULT_MAX_MEMBER_BYTES
from cvlogs.errors import CvlogsError
from cvlogs.events_output import EventFormat, write_events
from cvlogs.pipeline import scan as run_scan


@app.command()
def events(
    paths: Paths,
    account: Accounts = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            help="Keep only this kind: connect, validate, error, activity, unrecognized, other (repeatable).",
            rich_help_panel=FILTERS,
        ),
    ] = None,
    since: Since = None,
    until: Until = None,
    host: Hosts = None,
    all_lines: Annotated[
        bool, typer.Option("--all", help="Every parsed record, not only credential events.", rich_help_panel=FILTERS)
    ] = False,
    output_format: Annotated[
        EventFormat, typer.Option("--format", "-f", help="Output format.", rich_help_panel=OUTPUT)
    ] = EventFormat.table,
    output: Output = None,
    no_redact: NoRedact = False,
    host_name: HostName = None,
    max_member_bytes: MaxBytes = DEFAULT_MAX_MEMBER_BYTES,
    max_depth: MaxDepth = DEFAULT_MAX_DEPTH,
    jobs: Jobs = None,
    scheduler: Scheduler = None,
) -> None:
    """Print the events table, file by file, each row with its account, sequence and rule.

    The attributed_account, sequence and rule columns are the diagnosis of cvlogs scan.

    Examples:

      cvlogs events Log_Files --kind error --format csv -o errors.csv

      cvlogs events Log_Files --all --format parquet -o events/   (a dataset: host=.../family=.../)
    """
    with user_errors():
        if output_format is EventFormat.parquet and output is None:
            raise CvlogsError("--format parquet needs -o DIR (a Parquet dataset, partitioned by host and family)")
        options = scan_options(
            filters(account, since, until, host),
            jobs=jobs,
            host_name=host_name,
            scheduler=scheduler,
            max_member_bytes=max_member_bytes,
            max_depth=max_depth,
            no_redact=no_redact,
            keep_all=all_lines,
            with_timeline=False,
        )
        report = run_scan(paths, options)
        for item in report.skipped:
            say_skipped(item)
        written = write_events(report, output_format=output_format, output=output, kinds=set(kind or ()))
        stderr().print(f"{written:,} events", highlight=False)
