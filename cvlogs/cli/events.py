"""``cvlogs events``: the events table with the diagnosis joined (table, CSV, JSON lines, Parquet)."""

from typing import Annotated

import typer

from cvlogs.cli import common
from cvlogs.cli.app import app
from cvlogs.containers import DEFAULT_MAX_DEPTH, DEFAULT_MAX_MEMBER_BYTES
from cvlogs.errors import CvlogsError
from cvlogs.events_output import EventFormat, write_events
from cvlogs.output import refuse_inputs
from cvlogs.pipeline import events as attributed_events


@app.command()
def events(
    paths: common.Paths,
    account: common.Accounts = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            help="Keep only this kind: connect, validate, error, activity, unrecognized, other (repeatable).",
            rich_help_panel=common.FILTERS,
        ),
    ] = None,
    since: common.Since = None,
    until: common.Until = None,
    host: common.Hosts = None,
    all_lines: Annotated[
        bool,
        typer.Option("--all", help="Every parsed record, not only credential events.", rich_help_panel=common.FILTERS),
    ] = False,
    output_format: Annotated[
        EventFormat, typer.Option("--format", "-f", help="common.Output format.", rich_help_panel=common.OUTPUT)
    ] = EventFormat.table,
    output: common.Output = None,
    no_redact: common.NoRedact = False,
    host_name: common.HostName = None,
    all_logs: common.AllLogs = False,
    max_member_bytes: common.MaxBytes = DEFAULT_MAX_MEMBER_BYTES,
    max_depth: common.MaxDepth = DEFAULT_MAX_DEPTH,
    max_total_bytes: common.MaxTotal = None,
    follow_symlinks: common.FollowSymlinks = False,
    raw_csv: Annotated[
        bool,
        typer.Option(
            "--raw-csv",
            help="Write CSV cells as logged (no ' before a cell starting like a formula).",
            rich_help_panel=common.OUTPUT,
        ),
    ] = False,
    jobs: common.Jobs = None,
    scheduler: common.Scheduler = None,
) -> None:
    """Print the events table, file by file, each row with its account, sequence and rule.

    The attributed_account, sequence and rule columns are the diagnosis of cvlogs scan.

    Examples:

      cvlogs events Log_Files --kind error --format csv -o errors.csv

      cvlogs events Log_Files --all --format parquet -o events/   (a dataset: host=.../family=.../)
    """
    with common.user_errors():
        if output_format is EventFormat.parquet and output is None:
            raise CvlogsError("--format parquet needs -o DIR (a Parquet dataset, partitioned by host and family)")
        refuse_inputs(output, paths)
        options = common.scan_options(locals(), keep_all=all_lines)
        report, rows = attributed_events(paths, options)
        for item in report.skipped:
            common.say_skipped(item)
        written = write_events(
            rows,
            output_format=output_format,
            output=output,
            kinds=set(kind or ()),
            redacted=report.redacted,
            raw_csv=raw_csv,
        )
        common.stderr().print(f"{written:,} events", highlight=False)
