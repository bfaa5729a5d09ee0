"""The terminal report (rich): the verdict, findings one line each, accounts; with ``details``, each
finding's evidence and remedy.  Every value reaches rich as plain ``Text``, never as markup."""

from __future__ import annotations

from io import StringIO

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from cvlogs.redact import printable
from cvlogs.render import DEFAULT, RenderOptions
from cvlogs.render.json_report import iso
from cvlogs.render.summary import finding_lines
from cvlogs.report import Report, describe

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
    parts.extend(Text(printable(f"machine {describe(machine)}")) for machine in report.machines)
    if report.skipped:
        skipped = "; ".join(f"{s.path} ({s.reason})" for s in report.skipped)
        parts.append(Text(printable(f"skipped: {skipped}"), style="dim"))
    return parts


class Columns:
    """A table as aligned columns of plain ``Text``: a title, a header, a rule, one line per row.

    rich's ``Table`` measures and wraps every cell (about 2 ms a row): 100,000 accounts took
    minutes.  This one takes each column's widest cell and, when ``flexible``, gives the last
    column what the terminal has left, cutting it with an ellipsis.  Linear in the rows.
    """

    def __init__(self, title: str, headers: tuple[str, ...], right: frozenset[str], flexible: bool = False) -> None:
        self.title = title
        self.headers = headers
        self.right = right
        self.flexible = flexible
        self.rows: list[list[Text]] = []

    def add_row(self, *cells: Text) -> None:
        self.rows.append(list(cells))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = [max(len(header), *(len(row[i].plain) for row in self.rows)) for i, header in enumerate(self.headers)]
        if self.flexible:
            widths[-1] = max(10, min(widths[-1], options.max_width - sum(widths[:-1]) - 2 * (len(widths) - 1)))
        bold, dim = console.get_style("bold"), console.get_style("dim")
        yield Segment(self.title, bold)
        yield Segment.line()
        yield from self._line([Text(h, style=bold) for h in self.headers], widths, console)
        yield Segment("─" * (sum(widths) + 2 * (len(widths) - 1)), dim)
        yield Segment.line()
        for row in self.rows:
            yield from self._line(row, widths, console)

    def _line(self, cells: list[Text], widths: list[int], console: Console) -> list[Segment]:
        """One row as segments: plain strings padded and cut, each cell in its style (no wrapping)."""
        line: list[Segment] = []
        last = len(cells) - 1
        for index, (cell, width, header) in enumerate(zip(cells, widths, self.headers, strict=True)):
            value = cell.plain if len(cell.plain) <= width else cell.plain[: width - 1] + "…"
            padding = " " * (width - len(value))
            style = console.get_style(cell.style) if cell.style else None
            if header in self.right:
                line += [Segment(padding), Segment(value, style)]
            else:
                line += [Segment(value, style), Segment("" if index == last else padding)]
            if index != last:
                line.append(Segment("  "))
        line.append(Segment.line())
        return line


def _findings_table(report: Report) -> RenderableType:
    if not report.findings:
        return Text("No findings.", style=_STYLE["ok"])
    headers = ("severity", "rule", "account", "host", "count", "first seen", "message")
    table = Columns("Findings", headers, frozenset({"count"}), flexible=True)
    for line in finding_lines(report):
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
    headers = ("account", "status", "rule", "sequences", "failed", "last seen", "hosts")
    table = Columns("Accounts", headers, frozenset({"sequences", "failed"}))
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
        if finding.docs:
            body.append("\nAWS docs: ", style="bold")
            body.append(" ".join(finding.docs))
        parts.append(Panel(body, title=title, title_align="left"))
    return parts


def _coverage(report: Report, details: bool) -> RenderableType:
    hint = "" if details or not report.findings else "; --details shows each finding's evidence and remedy"
    return Text(
        f"coverage: {report.records:,} records, {report.continuations:,} continuation lines, "
        f"{report.banner:,} banner lines, {report.unparsed:,} unparsed, "
        f"{report.unrecognized:,} unrecognised credential lines{hint}",
        style="dim",
    )
