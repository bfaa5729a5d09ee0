"""The terminal report (rich): the verdict, findings one line each, accounts; with ``details``, each
finding's evidence and remedy.  Every value reaches rich as plain ``Text``, never as markup."""

from __future__ import annotations

from io import StringIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cvlogs.render import DEFAULT, RenderOptions
from cvlogs.render.json_report import iso, printable
from cvlogs.render.summary import finding_lines
from cvlogs.report import Report

_STYLE = {
    "error": "bold red",
    "warning": "yellow",
    "info": "cyan",
    "ok": "green",
    "failing": "bold red",
    "recovered": "yellow",
    "unknown": "dim",
}


def renderable(report: Report, options: RenderOptions = DEFAULT) -> RenderableType:
    """The report as rich renderables (the CLI prints them with colour on a terminal)."""
    parts = [*_scanned(report), _findings_table(report), _accounts(report)]
    if options.details:
        parts += _panels(report, options.max_evidence)
    parts.append(_coverage(report, options.details))
    return Group(*parts)


def render(report: Report, options: RenderOptions = DEFAULT) -> str:
    """The report as plain text at a fixed width (no colour), as golden files need it."""
    buffer = StringIO()
    console = Console(file=buffer, width=options.width, color_system=None, force_terminal=False, legacy_windows=False)
    console.print(renderable(report, options))
    return buffer.getvalue()


def _scanned(report: Report) -> list[RenderableType]:
    first, last = report.time_range
    hosts = f" from {', '.join(report.hosts)}" if report.hosts else ""
    head = Text.assemble(
        ("cvlogs ", "bold"),
        printable(f"{report.version}: {len(report.files)} files, {report.lines:,} lines{hosts}, "),
        f"{iso(first) or '-'} .. {iso(last) or '-'}\n",
        (report.verdict, _STYLE["error"] if report.exit_status else _STYLE["ok"]),
    )
    parts: list[RenderableType] = [head]
    if report.skipped:
        skipped = "; ".join(f"{s.path} ({s.reason})" for s in report.skipped)
        parts.append(Text(printable(f"skipped: {skipped}"), style="dim"))
    return parts


def _findings_table(report: Report) -> RenderableType:
    if not report.findings:
        return Text("No findings.", style=_STYLE["ok"])
    lines = finding_lines(report)
    table = Table(
        title="Findings", title_justify="left", expand=True, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True
    )
    fixed = ("severity", "rule", "account", "host", "count", "first seen")
    for index, column in enumerate(fixed, 1):  # these keep their width; the message gives way
        widest = max(len(column), *(len(printable(str(line[index]))) for line in lines))
        table.add_column(column, justify="right" if column == "count" else "left", no_wrap=True, min_width=widest)
    table.add_column("message", no_wrap=True, overflow="ellipsis", ratio=1)
    for line in lines:
        table.add_row(
            Text(line.severity, style=_STYLE[line.severity]),
            Text(line.rule),
            Text(line.account),
            Text(printable(line.host)),
            Text(str(line.times)),
            Text(line.first_seen),
            Text(printable(line.message)),
        )
    return table


def _accounts(report: Report) -> RenderableType:
    if not report.accounts:
        return Text("No account was seen.")
    table = Table(title="Accounts", title_justify="left", expand=False)
    for column in ("account", "status", "rule", "sequences", "failed", "last seen", "hosts"):
        table.add_column(column, justify="right" if column in {"sequences", "failed"} else "left")
    for account in report.accounts:
        table.add_row(
            Text(account.account_id),
            Text(account.status, style=_STYLE[account.status]),
            Text(account.rule or "-"),
            Text(str(account.sequences)),
            Text(str(account.failed_sequences)),
            Text(iso(account.last_seen) or "-"),
            Text(printable(", ".join(account.hosts) or "-")),
        )
    return table


def _panels(report: Report, max_evidence: int) -> list[RenderableType]:
    parts: list[RenderableType] = []
    for finding in report.findings:
        title = Text.assemble(
            (f"{finding.severity.upper()} ", _STYLE[finding.severity]),
            (f"{finding.rule} {finding.name}", "bold"),
            f"  {finding.account_id or 'node-wide'}  x{finding.count}",
            printable(f"  on {', '.join(finding.hosts)}") if finding.hosts else "",
        )
        body = Text(printable(finding.message) + "\n")
        for line in finding.evidence[:max_evidence]:
            body.append(printable(f"{line.path}:{line.line}: "), style="dim")
            body.append(printable(line.text) + "\n")
        body.append("Remedy: ", style="bold")
        body.append(finding.remedy)
        parts.append(Panel(body, title=title, title_align="left"))
    return parts


def _coverage(report: Report, details: bool) -> RenderableType:
    hint = "" if details or not report.findings else "; --details shows each finding's evidence and remedy"
    return Text(
        f"coverage: {report.records:,} records, {report.continuations:,} continuation lines, "
        f"{report.unparsed:,} unparsed, {report.unrecognized:,} unrecognised credential lines{hint}",
        style="dim",
    )
