"""The typer application every command module registers on (``cvlogs.cli`` imports them all)."""

from typing import Annotated

import typer

from cvlogs.version import __version__

app = typer.Typer(
    help=(
        "Find why cross-account STS AssumeRole fails, from the logs of a Commvault access node "
        "(cvd.log, vsdiscovery.log, vsbkp.log, vsrst.log; rolled, .gz, .bz2, .zip)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
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
    """Find why cross-account STS AssumeRole fails, from a Commvault access node's logs."""
