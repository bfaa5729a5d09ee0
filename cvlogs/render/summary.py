"""What every format shows first: the verdict, the findings one line each, the accounts.

The renderers share these rows so that the summary says the same thing in every format.
"""

from __future__ import annotations

from typing import NamedTuple

from cvlogs.model import Finding
from cvlogs.render.json_report import iso
from cvlogs.report import Report

HEADLINE = 120
"""Characters of a finding's message shown in its summary line."""


class FindingLine(NamedTuple):
    """One finding as the summary table shows it."""

    anchor: str
    """A stable id for links to the finding's details (``cvl201-210987654321-1``)."""
    severity: str
    rule: str
    account: str
    host: str
    times: int
    first_seen: str
    message: str


def headline(finding: Finding, limit: int = HEADLINE) -> str:
    """The first line of the finding's message, cut to ``limit`` characters."""
    line = finding.message.splitlines()[0] if finding.message else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def anchor(finding: Finding, number: int) -> str:
    """The id of a finding: its rule, its account (``node`` when node-wide) and its 1-based number."""
    return f"{finding.rule.lower()}-{finding.account_id or 'node'}-{number}"


def finding_lines(report: Report) -> list[FindingLine]:
    return [
        FindingLine(
            anchor(f, number),
            f.severity,
            f.rule,
            f.account_id or "node-wide",
            ", ".join(f.hosts) or "-",
            f.count,
            iso(f.first_seen) or "-",
            headline(f),
        )
        for number, f in enumerate(report.findings, 1)
    ]


def findings_of_accounts(report: Report, lines: list[FindingLine]) -> dict[str, list[FindingLine]]:
    """Each account's findings (node-wide ones under ``node-wide``), in report order."""
    mine: dict[str, list[FindingLine]] = {}
    for line in lines:
        mine.setdefault(line.account, []).append(line)
    return mine
