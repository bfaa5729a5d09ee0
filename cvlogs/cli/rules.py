"""``cvlogs rules``: the catalogue, or one rule explained (its documentation is Markdown)."""

import inspect
import sys
from typing import Annotated

import typer

from cvlogs.cli.app import app
from cvlogs.cli.common import user_errors
from cvlogs.errors import CvlogsError


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code to explain, e.g. CVL201.", show_default=False)] = None,
) -> None:
    """List the diagnostic rules, or explain one.

    Examples: cvlogs rules; cvlogs rules CVL201
    """
    from cvlogs.diagnostics import rules as all_rules  # noqa: PLC0415  (rules load only when asked for)

    catalogue = all_rules()
    if code is None:
        rows = [(r.code, r.name, r.severity, (inspect.getdoc(r) or "").splitlines()[0]) for r in catalogue.values()]
        if sys.stdout.isatty():
            from rich.console import Console  # noqa: PLC0415
            from rich.table import Table  # noqa: PLC0415
            from rich.text import Text  # noqa: PLC0415

            table = Table("code", "name", "severity", "what it finds")
            for row in rows:
                table.add_row(*map(Text, row))
            Console().print(table)
        else:  # a pipe or a file: one rule a line, nothing wrapped or cut
            widths = [max(len(row[i]) for row in rows) for i in range(3)]
            for row in rows:
                typer.echo(
                    "  ".join([*(value.ljust(width) for value, width in zip(row, widths, strict=False)), row[3]])
                )
        return
    with user_errors():
        chosen = catalogue.get(code.upper())
        if chosen is None:
            raise CvlogsError(f"no rule {code}; `cvlogs rules` lists them")
        heading = f"# {chosen.code} {chosen.name} ({chosen.severity})"
        docs = "".join(f"\n- <{url}>" for url in chosen.docs)
        text = f"{heading}\n\n{inspect.getdoc(chosen)}\n\n**Remedy.** {chosen.remedy}"
        text += f"\n\nAWS documentation:\n{docs}" if docs else ""
        if sys.stdout.isatty():
            from rich.console import Console  # noqa: PLC0415
            from rich.markdown import Markdown  # noqa: PLC0415

            Console().print(Markdown(text))
        else:
            typer.echo(text)
