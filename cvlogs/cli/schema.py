"""``cvlogs schema``: the JSON Schema of the scan report."""

from importlib.resources import files

import typer

from cvlogs.cli.app import app


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scan report (cvlogs scan --format json)."""
    typer.echo(files("cvlogs").joinpath("data/scan-report.schema.json").read_text(encoding="utf-8"), nl=False)
