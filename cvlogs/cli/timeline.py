"""``cvlogs timeline``: one account's credential steps, sequence by sequence."""

from __future__ import annotations

from typing import Annotated

import typer

from cvlogs.cli.app import app
from cvlogs.cli.common import (
    FILTERS,
    HostName,
    Hosts,
    Jobs,
    NoRedact,
    Paths,
    Since,
    Until,
    filters,
    scan_options,
    user_errors,
)
from cvlogs.errors import CvlogsError
from cvlogs.pipeline import scan as run_scan


@app.command()
def timeline(
    paths: Paths,
    account: Annotated[
        str, typer.Option("--account", "-a", help="The 12-digit AWS account id to follow.", rich_help_panel=FILTERS)
    ],
    since: Since = None,
    until: Until = None,
    host: Hosts = None,
    no_redact: NoRedact = False,
    host_name: HostName = None,
    jobs: Jobs = None,
) -> None:
    """The ordered credential steps and errors of one account, sequence by sequence.

    Example: cvlogs timeline /var/log/commvault/Log_Files --account 444455556666
    """
    with user_errors():
        options = scan_options(
            filters([account], since, until, host), jobs=jobs, host_name=host_name, no_redact=no_redact
        )
        report = run_scan(paths, options)
        steps = [s for s in report.timeline if s.account_id == account]
        if not steps:
            raise CvlogsError(f"no credential step or error for account {account}")
        current = None
        for step in steps:
            if step.sequence != current:
                current = step.sequence
                typer.echo(f"\nsequence {step.sequence}" if step.sequence else "\nerrors outside any sequence")
            moment = step.time.isoformat() if step.time else "-"
            where = f"{step.host}:" if step.host else ""
            typer.echo(f"  {moment}  {step.kind:<12} {where}{step.path}:{step.line}  {step.text}")
