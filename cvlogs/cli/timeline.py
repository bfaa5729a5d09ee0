"""``cvlogs timeline``: one account's credential steps, sequence by sequence."""

from typing import Annotated

import typer

from cvlogs.cli import common
from cvlogs.cli.app import app
from cvlogs.errors import CvlogsError
from cvlogs.pipeline import scan as run_scan
from cvlogs.report import format_offset


@app.command()
def timeline(
    paths: common.Paths,
    account: Annotated[
        str,
        typer.Option("--account", "-a", help="The 12-digit AWS account id to follow.", rich_help_panel=common.FILTERS),
    ],
    since: common.Since = None,
    until: common.Until = None,
    host: common.Hosts = None,
    no_redact: common.NoRedact = False,
    host_name: common.HostName = None,
    all_logs: common.AllLogs = False,
    jobs: common.Jobs = None,
) -> None:
    """The ordered credential steps and errors of one account, sequence by sequence.

    Example: cvlogs timeline /var/log/commvault/Log_Files --account 444455556666
    """
    with common.user_errors():
        report = run_scan(paths, common.scan_options(locals()))
        steps = [s for s in report.timeline if s.account_id == account]
        if not steps:
            raise CvlogsError(f"no credential step or error for account {account}")
        current = None
        for step in steps:
            if step.sequence != current:
                current = step.sequence
                typer.echo(f"\nsequence {step.sequence}" if step.sequence else "\nerrors outside any sequence")
            moment = step.time.isoformat() + (format_offset(step.utc_offset) or "") if step.time else "-"
            where = f"{step.host}:" if step.host else ""
            typer.echo(f"  {moment}  {step.kind:<12} {where}{step.path}:{step.line}  {step.text}")
