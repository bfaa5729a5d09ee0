"""A self-contained Markdown report to attach to a support ticket."""

from __future__ import annotations

from cvlogs.redact import printable
from cvlogs.render.json_report import iso, shown_path
from cvlogs.report import Report, describe

_ICON = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def _cell(value: object) -> str:
    return str(value if value is not None else "-").replace("|", "\\|").replace("\n", " ")


def _fence(lines: list[str]) -> list[str]:
    fence = "```"
    while any(fence in line for line in lines):
        fence += "`"
    return [fence + "text", *lines, fence]


def render(report: Report, width: int = 100) -> str:
    """The whole report as Markdown: summary, environment, accounts, findings, coverage."""
    first, last = report.time_range
    counts = report.severity_counts()
    out = [
        "# cvlogs report: STS AssumeRole on a Commvault access node",
        "",
        "## Summary",
        "",
        f"- Findings: **{counts['error']} error**, {counts['warning']} warning, {counts['info']} info",
        f"- Accounts: {len(report.accounts)}"
        + (f" (filtered to {', '.join(report.filters.accounts)})" if report.filters.accounts else ""),
        f"- Time range: {iso(first) or '-'} to {iso(last) or '-'}" + _range_filter(report),
        "",
        "## Environment",
        "",
        f"- Tool: cvlogs {report.version}",
        f"- Hosts: {', '.join(report.hosts) or 'not named (a plain directory)'}",
        *(f"- Machine {describe(machine)}" for machine in report.machines),
        f"- Files: {len(report.files)} read, {len(report.skipped)} skipped; {report.lines:,} lines",
        "",
        "| file | family | lines | records | continuations | banner | unparsed | first | last | dated by |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for f in report.files:
        out.append(
            f"| {_cell(shown_path(f))} | {f.family} | {f.lines} | {f.records} | {f.continuations} | {f.banner} "
            f"| {f.unparsed} | {iso(f.first_time) or '-'} | {iso(f.last_time) or '-'} | {f.year_source or '-'} |"
        )
    if report.skipped:
        out += ["", "Skipped:", ""] + [f"- `{s.path}`: {s.reason}" for s in report.skipped]
    out += ["", "## Accounts", ""]
    if report.accounts:
        out += [
            "| account | status | sequences | failed | first seen | last seen | roles |",
            "|---|---|---:|---:|---|---|---|",
        ]
        for a in report.accounts:
            out.append(
                f"| {a.account_id} | {a.status} | {a.sequences} | {a.failed_sequences} | {iso(a.first_seen) or '-'} "
                f"| {iso(a.last_seen) or '-'} | {_cell(', '.join(a.roles))} |"
                + (f" hosts: {_cell(', '.join(a.hosts))}" if a.hosts else "")
            )
    else:
        out.append("No account was seen.")
    out += ["", "## Findings", ""]
    if not report.findings:
        out.append("No findings.")
    for finding in report.findings:
        role = f"`{finding.role_arn}`" if finding.role_arn else "-"
        out += [
            f"### {_ICON[finding.severity]} {finding.rule} {finding.name}: {finding.account_id or 'node-wide'}",
            "",
            printable(finding.message),
            "",
            f"- Role: {role}",
            f"- Seen {finding.count} time(s), first at {iso(finding.first_seen) or '-'}"
            + (f" on {', '.join(finding.hosts)}" if finding.hosts else ""),
            "",
            *_fence([f"{e.path}:{e.line}: {printable(e.text)}" for e in finding.evidence]),
            "",
            f"**Remedy.** {finding.remedy}",
            "",
            *([f"**AWS documentation.** {', '.join(f'<{url}>' for url in finding.docs)}", ""] if finding.docs else []),
        ]
    out += [
        "## Coverage",
        "",
        f"- {report.records:,} records, {report.continuations:,} continuation lines, "
        f"{report.banner:,} banner lines, {report.unparsed:,} unparsed lines",
        f"- {report.unrecognized:,} credential lines no grammar recognised (CVL901)",
        "- Secrets (access keys, secret keys, session tokens, signatures, IMDS tokens) are redacted."
        if report.redacted
        else "- **Not redacted** (--no-redact): this report may contain secrets. Do not attach it.",
        "",
    ]
    return "\n".join(out)


def _range_filter(report: Report) -> str:
    since, until = report.filters.since, report.filters.until
    if since is None and until is None:
        return ""
    return f" (findings limited to {iso(since) or 'the start'} .. {iso(until) or 'the end'})"
