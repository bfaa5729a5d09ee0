"""The terminal summary (rich): what was scanned, accounts, findings by severity, coverage."""

from __future__ import annotations

from io import StringIO

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cvlogs.redact import printable
from cvlogs.render.json_report import iso
from cvlogs.report import Report, describe

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "ok": "green", "failed": "bold red"}


def renderable(report: Report) -> RenderableType:
    """The report as rich renderables (the CLI prints them with colour on a terminal)."""
    return Group(*_scanned(report), _accounts(report), *_findings(report), _coverage(report))


def render(report: Report, width: int = 100) -> str:
    """The report as plain text at a fixed width (no colour), as golden files need it."""
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False)
    console.print(renderable(report))
    return buffer.getvalue()


def _scanned(report: Report) -> list[RenderableType]:
    first, last = report.time_range
    counts = report.severity_counts()
    head = Text.assemble(
        ("cvlogs ", "bold"),
        f"{report.version}: {len(report.files)} files, {report.lines:,} lines, ",
        f"{iso(first) or '-'} .. {iso(last) or '-'}\n",
        ("findings: ", "bold"),
        (f"{counts['error']} error", _STYLE["error"] if counts["error"] else ""),
        f", {counts['warning']} warning, {counts['info']} info",
    )
    parts: list[RenderableType] = [head]
    parts.extend(Text(f"machine {describe(machine)}") for machine in report.machines)
    if report.skipped:
        skipped = "; ".join(f"{s.path} ({s.reason})" for s in report.skipped)
        parts.append(Text(f"skipped: {skipped}", style="dim"))
    return parts


def _accounts(report: Report) -> RenderableType:
    table = Table(title="Accounts", title_justify="left", expand=False)
    with_hosts = bool(report.hosts)
    for column in ("account", "status", "sequences", "failed", "last seen", *(("hosts",) if with_hosts else ())):
        table.add_column(column, justify="right" if column in {"sequences", "failed"} else "left")
    for account in report.accounts:
        table.add_row(
            account.account_id,
            Text(account.status, style=_STYLE.get(account.status, "")),
            str(account.sequences),
            str(account.failed_sequences),
            iso(account.last_seen) or "-",
            *((", ".join(account.hosts),) if with_hosts else ()),
        )
    return table


def _findings(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = []
    for finding in report.findings:
        title = Text.assemble(
            (f"{finding.severity.upper()} ", _STYLE[finding.severity]),
            (f"{finding.rule} {finding.name}", "bold"),
            f"  {finding.account_id or 'node-wide'}  x{finding.count}",
            f"  on {', '.join(finding.hosts)}" if finding.hosts else "",
        )
        body = Text(printable(finding.message) + "\n")
        if finding.evidence:
            first = finding.evidence[0]
            body.append(f"{first.path}:{first.line}: ", style="dim")
            body.append(printable(first.text) + "\n")
        body.append("Remedy: ", style="bold")
        body.append(finding.remedy)
        if finding.docs:
            body.append("\nAWS docs: ", style="bold")
            body.append(" ".join(finding.docs))
        parts.append(Panel(body, title=title, title_align="left"))
    if not report.findings:
        parts.append(Text("No findings.", style=_STYLE["ok"]))
    return parts


def _coverage(report: Report) -> RenderableType:
    return Text(
        f"coverage: {report.records:,} records, {report.continuations:,} continuation lines, "
        f"{report.banner:,} banner lines, {report.unparsed:,} unparsed, "
        f"{report.unrecognized:,} unrecognised credential lines",
        style="dim",
    )
