"""One self-contained HTML file: the Markdown report's content plus an inline SVG timeline.

No script, font or stylesheet is fetched: the file opens the same offline, in a ticket viewer.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from cvlogs.redact import printable
from cvlogs.render.json_report import iso, shown_path
from cvlogs.report import Report, TimelineStep, describe

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d232a;padding:0 1rem}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #d8dee4;padding:.25rem .5rem;text-align:left;vertical-align:top;white-space:nowrap}
th{background:#f3f5f7}.num{text-align:right}pre{background:#f6f8fa;padding:.6rem;white-space:pre-wrap;font-size:12px}
.error{color:#b42318}.warning{color:#9a6700}.info{color:#0969da}.ok{color:#1a7f37}.failed{color:#b42318}
.incomplete{color:#6e7781}.finding{border-left:4px solid #d8dee4;padding:.2rem 1rem;margin:1rem 0}
.finding.error{border-color:#b42318;color:inherit}
.finding.warning{border-color:#bf8700;color:inherit}.finding.info{border-color:#0969da;color:inherit}
.legend span{margin-right:1rem}svg text{font:11px system-ui,sans-serif;fill:#1d232a}
"""
_COLOURS = {"connect": "#6e7781", "validate": "#1a7f37", "activity": "#0969da", "error": "#b42318"}
_ROW = 26
_LABEL = 110
_WIDTH = 1000


def render(report: Report, width: int = 100) -> str:
    """The whole report as one HTML document."""
    counts = report.severity_counts()
    first, last = report.time_range
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>cvlogs report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>cvlogs report: STS AssumeRole on a Commvault access node</h1>",
        f'<p><strong class="error">{counts["error"]} error</strong>, {counts["warning"]} warning, '
        f"{counts['info']} info findings; {len(report.accounts)} accounts; {len(report.files)} files, "
        f"{report.lines:,} lines, {escape(iso(first) or '-')} to {escape(iso(last) or '-')}.</p>",
        *_environment(report),
        *_accounts(report),
        *_timeline(report),
        *_findings(report),
        "<h2>Coverage</h2>",
        f"<p>{report.records:,} records, {report.continuations:,} continuation lines, "
        f"{report.banner:,} banner lines, {report.unparsed:,} unparsed "
        f"lines; {report.unrecognized:,} credential lines no grammar recognised (CVL901).</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _environment(report: Report) -> list[str]:
    rows = "".join(
        f"<tr><td>{escape(shown_path(f))}</td><td>{f.family}</td>"
        f"<td class=num>{f.lines}</td><td class=num>{f.records}</td>"
        f"<td class=num>{f.continuations}</td><td class=num>{f.banner}</td><td class=num>{f.unparsed}</td>"
        f"<td>{escape(iso(f.first_time) or '-')}</td><td>{escape(iso(f.last_time) or '-')}</td></tr>"
        for f in report.files
    )
    skipped = "".join(f"<li><code>{escape(s.path)}</code>: {escape(s.reason)}</li>" for s in report.skipped)
    return [
        "<h2>Environment</h2>",
        f"<p>cvlogs {escape(report.version)}; hosts: {escape(', '.join(report.hosts) or 'not named')}.</p>",
        "".join(f"<p>Machine {escape(describe(machine))}</p>" for machine in report.machines),
        "<table><tr><th>file</th><th>family</th><th>lines</th><th>records</th><th>continuations</th>"
        f"<th>banner</th><th>unparsed</th><th>first</th><th>last</th></tr>{rows}</table>",
        f"<p>Skipped:</p><ul>{skipped}</ul>" if skipped else "",
    ]


def _accounts(report: Report) -> list[str]:
    rows = "".join(
        f"<tr><td>{escape(a.account_id)}</td><td class={a.status}>{a.status}</td><td class=num>{a.sequences}</td>"
        f"<td class=num>{a.failed_sequences}</td><td>{escape(iso(a.first_seen) or '-')}</td>"
        f"<td>{escape(iso(a.last_seen) or '-')}</td><td>{escape(', '.join(a.roles))}</td></tr>"
        for a in report.accounts
    )
    return [
        "<h2>Accounts</h2>",
        "<table><tr><th>account</th><th>status</th><th>sequences</th><th>failed</th><th>first seen</th>"
        f"<th>last seen</th><th>roles</th></tr>{rows}</table>",
    ]


def _timeline(report: Report) -> list[str]:
    steps = [s for s in report.timeline if s.time is not None]
    if not steps:
        return []
    accounts = sorted({s.account_id for s in steps})
    start = min(s.time for s in steps if s.time)
    end = max(s.time for s in steps if s.time)
    span = max((end - start).total_seconds(), 1.0)
    height = _ROW * len(accounts) + 40
    marks = []
    for row, account in enumerate(accounts):
        y = 20 + row * _ROW
        marks.append(f'<text x="4" y="{y + 4}">{escape(account)}</text>')
        marks.append(f'<line x1="{_LABEL}" y1="{y}" x2="{_WIDTH - 10}" y2="{y}" stroke="#d8dee4"/>')
        for step in (s for s in steps if s.account_id == account):
            marks.append(_mark(step, _x(step.time, start, span), y))
    axis = "".join(_tick(start + (end - start) * share, share, height) for share in (0, 0.25, 0.5, 0.75, 1))
    legend = "".join(f'<span style="color:{c}">&#9679; {k}</span>' for k, c in _COLOURS.items())
    return [
        "<h2>Timeline</h2>",
        f'<p class="legend">{legend}</p>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="credential steps and errors per account">{"".join(marks)}{axis}</svg>',
    ]


def _tick(moment: datetime, share: float, height: int) -> str:
    x = _LABEL + share * (_WIDTH - _LABEL - 20)
    anchor = "start" if share == 0 else "end" if share == 1 else "middle"
    label = escape(moment.replace(microsecond=0).isoformat(sep=" "))
    return (
        f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{height - 16}" stroke="#eef1f4"/>'
        f'<text x="{x:.1f}" y="{height - 4}" text-anchor="{anchor}">{label}</text>'
    )


def _x(moment: datetime | None, start: datetime, span: float) -> float:
    assert moment is not None
    return _LABEL + (moment - start).total_seconds() / span * (_WIDTH - _LABEL - 20)


def _mark(step: TimelineStep, x: float, y: int) -> str:
    colour = _COLOURS.get(step.kind, "#6e7781")
    tip = f"<title>{escape(step.kind)} {escape(iso(step.time) or '')} {escape(step.path)}:{step.line}</title>"
    if step.kind == "error":
        return f'<path d="M{x - 5:.1f} {y - 5}l10 10m0 -10l-10 10" stroke="{colour}" stroke-width="2.5">{tip}</path>'
    radius = 3 if step.kind == "activity" else 5
    return f'<circle cx="{x:.1f}" cy="{y}" r="{radius}" fill="{colour}" fill-opacity="0.8">{tip}</circle>'


def _findings(report: Report) -> list[str]:
    parts = ["<h2>Findings</h2>"]
    if not report.findings:
        parts.append('<p class="ok">No findings.</p>')
    for f in report.findings:
        evidence = "\n".join(f"{e.path}:{e.line}: {printable(e.text)}" for e in f.evidence)
        parts.append(
            f'<div class="finding {f.severity}"><h3><span class="{f.severity}">{f.severity.upper()}</span> '
            f"{f.rule} {escape(f.name)}: {escape(f.account_id or 'node-wide')}</h3>"
            f"<p>{escape(f.message)}</p><p>Role: {escape(f.role_arn or '-')}; "
            f"hosts: {escape(', '.join(f.hosts) or '-')}; "
            f"seen {f.count} time(s), first at "
            f"{escape(iso(f.first_seen) or '-')}.</p><pre>{escape(evidence)}</pre>"
            f"<p><strong>Remedy.</strong> {escape(f.remedy)}</p>"
            + (
                "<p><strong>AWS documentation.</strong> "
                + ", ".join(f'<a href="{escape(url)}">{escape(url)}</a>' for url in f.docs)
                + "</p>"
                if f.docs
                else ""
            )
            + "</div>"
        )
    return parts
