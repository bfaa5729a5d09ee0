"""A Markdown report to paste into a ticket or a GitHub comment, that survives any renderer.

Every interpolated value goes through one of three functions: ``text`` (Markdown's special
characters escaped, so a log line can neither format nor inject HTML), ``code`` (a code span whose
fence is longer than any backtick run inside) and ``fenced`` (a block that no content can close).
Remedy placeholders such as ``<admin account>`` become code spans, which every renderer shows.
"""

from __future__ import annotations

import re

from cvlogs.model import Finding
from cvlogs.redact import printable
from cvlogs.render import DEFAULT, RenderOptions
from cvlogs.render.json_report import iso, shown_path
from cvlogs.render.summary import finding_lines
from cvlogs.report import Report, describe

_SPECIAL = re.compile(r"[\\`*_\[\]<>|~&#!]")
_LIST_NUMBER = re.compile(r"(\d{1,9})([.)])")
_PLACEHOLDER = re.compile(r"(<[^<>\n]{1,80}>)")
_BACKTICKS = re.compile(r"`+")


def text(value: object, strip: bool = True) -> str:
    """``value`` as inline Markdown text: one line, every character shown as it is."""
    shown = printable(str(value)).replace("\n", " ").replace("\r", " ")
    shown = _SPECIAL.sub(r"\\\g<0>", shown.strip() if strip else shown)
    if shown[:1] in {"-", "+", "="}:  # would open a list or underline a heading
        return "\\" + shown
    return _LIST_NUMBER.sub(r"\1\\\2", shown, count=1) if _LIST_NUMBER.match(shown) else shown


def code(value: object) -> str:
    """``value`` as a code span that nothing inside can close."""
    shown = printable(str(value)).replace("\n", " ")
    fence = "`" * (max(map(len, _BACKTICKS.findall(shown)), default=0) + 1)
    pad = " " if shown.startswith(("`", " ")) or shown.endswith(("`", " ")) else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def prose(value: str) -> str:
    """Text whose ``<placeholders>`` are code spans (remedies, messages)."""
    parts = _PLACEHOLDER.split(value.strip())
    return "".join(code(part) if index % 2 else text(part, strip=False) for index, part in enumerate(parts))


_WEB = re.compile(r"https?://[^\s<>`]+")


def link(url: str, label: str | None = None) -> str:
    """A link to a web page (documentation): only an http(s) URL becomes one, anything else is text."""
    if _WEB.fullmatch(url) is None:
        return text(url)
    return f"[{text(label or url)}](<{url}>)"


def fenced(lines: list[str]) -> list[str]:
    """A fenced code block longer than any backtick run in ``lines``."""
    shown = [printable(line) for line in lines]
    longest = max((len(run) for line in shown for run in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *shown, fence]


def row(*cells: object) -> str:
    """A table row: each cell escaped (``|`` included), so there are always as many cells as headers."""
    return "| " + " | ".join(text(cell) if cell not in (None, "") else "-" for cell in cells) + " |"


def render(report: Report, options: RenderOptions = DEFAULT) -> str:
    """The whole report as Markdown: verdict and findings table first, then accounts and details."""
    out = [
        "# cvlogs report: STS AssumeRole on a Commvault access node",
        "",
        f"**{text(report.verdict)}**",
        "",
        *_summary(report),
        "## Accounts",
        "",
        *_accounts(report),
        "## Findings",
        "",
    ]
    if not report.findings:
        out += ["No findings.", ""]
    for number, finding in enumerate(report.findings, 1):
        out += _finding(number, finding, options.max_evidence)
    out += [*_environment(report), *_coverage(report)]
    return "\n".join(out)


def _summary(report: Report) -> list[str]:
    if not report.findings:
        return ["No findings.", ""]
    out = [
        "| # | severity | rule | account | host | count | first seen | message |",
        "|---:|---|---|---|---|---:|---|---|",
    ]
    for number, line in enumerate(finding_lines(report), 1):
        out.append(
            row(
                number,
                line.severity.upper(),
                line.rule,
                line.account,
                line.host,
                line.times,
                line.first_seen,
                line.message,
            )
        )
    return [*out, ""]


def _accounts(report: Report) -> list[str]:
    if not report.accounts:
        return ["No account was seen.", ""]
    out = [
        "Status: failing = the last complete sequence failed; recovered = one failed earlier, the last succeeded; "
        "unknown = no complete sequence.",
        "",
        "| account | status | rule | sequences | failed | first seen | last seen | hosts | roles |",
        "|---|---|---|---:|---:|---|---|---|---|",
    ]
    for a in report.accounts:
        out.append(
            row(
                a.account_id,
                a.status,
                a.rule,
                a.sequences,
                a.failed_sequences,
                iso(a.first_seen),
                iso(a.last_seen),
                ", ".join(a.hosts),
                ", ".join(a.roles),
            )
        )
    return [*out, ""]


def _finding(number: int, finding: Finding, max_evidence: int) -> list[str]:
    where = f" on {text(', '.join(finding.hosts))}" if finding.hosts else ""
    evidence = [f"{e.path}:{e.line}: {e.text}" for e in finding.evidence[:max_evidence]]
    left_out = len(finding.evidence) - len(evidence)
    return [
        f"### {number}. {finding.severity.upper()} {finding.rule} {text(finding.name)}: "
        f"{text(finding.account_id or 'node-wide')}",
        "",
        prose(finding.message),
        "",
        f"- Role: {code(finding.role_arn) if finding.role_arn else '-'}",
        f"- Seen {finding.count} time(s), first at {text(iso(finding.first_seen) or '-')}{where}",
        "",
        *(fenced(evidence) if evidence else []),
        *([f"({left_out} more evidence line(s) left out: --max-evidence)"] if left_out > 0 else []),
        "",
        f"**Remedy.** {prose(finding.remedy)}",
        "",
        *([f"**AWS documentation.** {', '.join(link(url) for url in finding.docs)}", ""] if finding.docs else []),
    ]


def _environment(report: Report) -> list[str]:
    out = [
        "## Environment",
        "",
        f"- Tool: cvlogs {text(report.version)}",
        f"- Hosts: {text(', '.join(report.hosts) or 'not named')}",
        *(f"- Machine {text(describe(machine))}" for machine in report.machines),
        f"- Files: {len(report.files)} read, {len(report.skipped)} skipped; {report.lines:,} lines",
        f"- Filters: {text(_filters(report))}",
        "",
        "| file | family | lines | records | continuations | banner | unparsed | first | last | dated by |",
        "|---|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for f in report.files:
        out.append(
            row(
                shown_path(f),
                f.family,
                f.lines,
                f.records,
                f.continuations,
                f.banner,
                f.unparsed,
                iso(f.first_time),
                iso(f.last_time),
                f.year_source,
            )
        )
    if report.skipped:
        out += ["", "Skipped:", ""] + [f"- {code(s.path)}: {text(s.reason)}" for s in report.skipped]
    return [*out, ""]


def _filters(report: Report) -> str:
    chosen = report.filters
    parts = [
        *(f"account {a}" for a in chosen.accounts),
        *(f"host {h}" for h in chosen.hosts),
        *([f"since {iso(chosen.since)}"] if chosen.since else []),
        *([f"until {iso(chosen.until)}"] if chosen.until else []),
    ]
    return ", ".join(parts) or "none"


def _coverage(report: Report) -> list[str]:
    return [
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
