"""The ``cvlogs`` command line (a thin typer shell over the library)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cvlogs import __version__
from cvlogs.errors import CvlogsError
from cvlogs.parsing import scan_paths

app = typer.Typer(
    help="Find why cross-account STS AssumeRole fails, from the logs of a Commvault access node.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cvlogs {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """cvlogs reads cvd.log, vsdiscovery.log, vsbkp.log and vsrst.log (rolled, .gz, .bz2, .zip)."""


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Log directories, log files or archives.", show_default=False)],
    account: Annotated[
        list[str] | None, typer.Option("--account", help="Only this 12-digit AWS account id (repeatable).")
    ] = None,
) -> None:
    """Summarise what the logs hold: files, lines, credential events per account.

    Example: cvlogs scan /var/log/commvault/Log_Files --account 444455556666
    """
    with _user_errors():
        result = scan_paths(paths)
    wanted = set(account or [])
    console = Console()
    files = Table("file", "family", "lines", "records", "continuations", "unparsed", title="Files")
    for f in result.files:
        files.add_row(f.path, f.family, str(f.lines), str(f.records), str(f.continuations), str(f.unparsed))
    console.print(files)
    for skipped in result.skipped:
        console.print(f"skipped {skipped.path}: {skipped.reason}")
    per_account: dict[str, dict[str, int]] = {}
    for event in result.events:
        key = event.account_id or ("redacted" if event.role and event.role.redacted else "(none)")
        if wanted and key not in wanted:
            continue
        counts = per_account.setdefault(key, {})
        counts[event.kind] = counts.get(event.kind, 0) + 1
    accounts = Table("account", "connect", "validate", "error", "activity", "unrecognized", title="Accounts")
    for key in sorted(per_account):
        c = per_account[key]
        kinds = ("connect", "validate", "error", "activity", "unrecognized")
        accounts.add_row(key, *(str(c.get(k, 0)) for k in kinds))
    console.print(accounts)


@contextmanager
def _user_errors() -> Iterator[None]:
    """The one place where a ``CvlogsError`` becomes a line on stderr and exit status 2."""
    try:
        yield
    except CvlogsError as error:
        print(f"cvlogs: {error}", file=sys.stderr)
        raise typer.Exit(2) from None


def main() -> None:
    """Console-script entry point."""
    app()
