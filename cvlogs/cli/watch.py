"""``cvlogs watch``: follow a live Log Files folder (the loop lives in ``cvlogs.watch``)."""

import socket
from pathlib import Path
from typing import Annotated

import typer

from cvlogs.cli import common
from cvlogs.cli.app import app


@app.command()
def watch(
    path: Annotated[Path, typer.Argument(help="A Log Files folder, or one log file in it.", show_default=False)],
    account: common.Accounts = None,
    host_name: common.HostName = None,
    until_ok: Annotated[
        bool,
        typer.Option(
            "--until-ok",
            help="Exit 0 once every watched account succeeds, 1 once one fails.",
            rich_help_panel=common.FILTERS,
        ),
    ] = False,
    until_done: Annotated[
        bool,
        typer.Option(
            "--until-done",
            help="Exit once no watched account has a sequence running (see --idle).",
            rich_help_panel=common.FILTERS,
        ),
    ] = False,
    timeout: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help="Stop after this long (90s, 5m, 1h): exit status 3.",
            rich_help_panel=common.FILTERS,
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="text|jsonl",
            help="A live view, or one JSON object per line.",
            rich_help_panel=common.OUTPUT,
        ),
    ] = "text",
    from_start: Annotated[
        bool,
        typer.Option(
            "--from-start",
            help="Replay what the folder holds (rolled files too), then follow.",
            rich_help_panel=common.INPUT,
        ),
    ] = False,
    idle: Annotated[
        str,
        typer.Option(
            metavar="DURATION",
            help="A sequence with no new step for this long has ended.",
            rich_help_panel=common.INPUT,
        ),
    ] = "10m",
    poll: Annotated[
        bool,
        typer.Option(
            "--poll", help="Poll the folder instead of the OS's change events.", rich_help_panel=common.PERFORMANCE
        ),
    ] = False,
    all_logs: Annotated[
        bool,
        typer.Option(
            "--all-logs",
            help="Follow every <Name>.log of the folder, not only the four families.",
            rich_help_panel=common.INPUT,
        ),
    ] = False,
    no_redact: common.NoRedact = False,
) -> None:
    """Follow a live Log Files folder: per account, as it happens, did Connect -> Assume role -> activity work?

    Exit status with --until-ok: 0 once every watched account completed a successful sequence, 1 once
    one failed; with --until-done: 1 if a watched account failed, else 0; 3 when --timeout ran out
    first; 2 for a usage error.  Ctrl-C (or SIGTERM) ends with a summary (1 if an error finding fired, else 0).

    Examples:

      cvlogs watch /var/log/commvault/Log_Files --account 444455556666 --until-ok --timeout 30m

      cvlogs watch Log_Files --format jsonl | jq -c 'select(.type == "finding")'
    """
    from cvlogs.watch.command import run_watch  # noqa: PLC0415  (watchdog loads only for this command)

    with common.user_errors():
        status = run_watch(
            path, tuple(account or ()), host_name or socket.gethostname(), until_ok=until_ok, until_done=until_done,
            timeout=timeout, output_format=output_format, from_start=from_start, idle=idle, poll=poll,
            all_logs=all_logs, redact_secrets=not no_redact,
        )  # fmt: skip
    raise typer.Exit(status)
