"""The scan report: everything a renderer shows, filtered, redacted and (optionally) anonymised.

This is the one place that runs the stages in order (parse, correlate, diagnose, summarise) and
applies the user's filters; renderers only format a ``Report``.  Redaction happens here, before
anything is written (report-contract.md).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from cvlogs import __version__
from cvlogs.accounts import summarise_accounts
from cvlogs.correlate import Correlation, correlate
from cvlogs.diagnostics import diagnose
from cvlogs.model import AccountId, AccountSummary, Event, Evidence, FileResult, Finding, ScanResult, SkippedSource
from cvlogs.parsing import Progress, scan_paths
from cvlogs.redact import redact

SCHEMA = "cvlogs.scan/1"
_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the user asked to see: accounts (empty: all), a time range (inclusive), hosts (empty: all)."""

    accounts: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    hosts: tuple[str, ...] = ()

    def keeps_time(self, moment: datetime | None) -> bool:
        if moment is None:
            return self.since is None and self.until is None
        return (self.since is None or moment >= self.since) and (self.until is None or moment <= self.until)

    def keeps_account(self, account: str | None) -> bool:
        """Node-wide findings (no account) are always kept: they can block every account."""
        return not self.accounts or account is None or account in self.accounts


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """One credential step or error of an account, for timelines and charts."""

    account_id: AccountId
    sequence: int
    """The sequence's number within the account (1-based, in time order); 0 for an error outside any."""
    time: datetime | None
    kind: str
    path: str
    line: int
    text: str
    host: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """A finished scan, ready to render."""

    version: str
    filters: Filters
    files: tuple[FileResult, ...]
    skipped: tuple[SkippedSource, ...]
    accounts: tuple[AccountSummary, ...]
    findings: tuple[Finding, ...]
    timeline: tuple[TimelineStep, ...]
    unrecognized: int
    """Lines that speak of credentials but that no grammar recognised (CVL901's count)."""
    redacted: bool = True

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def continuations(self) -> int:
        return sum(f.continuations for f in self.files)

    @property
    def unparsed(self) -> int:
        return sum(f.unparsed for f in self.files)

    @property
    def time_range(self) -> tuple[datetime | None, datetime | None]:
        moments = [t for f in self.files for t in (f.first_time, f.last_time) if t is not None]
        return min(moments, default=None), max(moments, default=None)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(sorted({f.host for f in self.files if f.host}))

    def severity_counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    @property
    def exit_status(self) -> int:
        """0 when no error-severity finding remains after filtering, 1 when one does."""
        return 1 if any(f.severity == "error" for f in self.findings) else 0


def build_report(
    paths: Iterable[str | os.PathLike[str]],
    *,
    filters: Filters = Filters(),
    jobs: int = 1,
    progress: Progress | None = None,
    redact_secrets: bool = True,
    anonymize_accounts: bool = False,
) -> Report:
    """Scan ``paths`` and build the report the user asked for."""
    scan = scan_paths(paths, jobs=jobs, progress=progress)
    return report_of(scan, filters=filters, redact_secrets=redact_secrets, anonymize_accounts=anonymize_accounts)


def report_of(
    scan: ScanResult,
    *,
    filters: Filters = Filters(),
    redact_secrets: bool = True,
    anonymize_accounts: bool = False,
    with_timeline: bool = True,
) -> Report:
    """The report of an existing scan (the stages after parsing).

    ``with_timeline=False`` skips the per-step timeline (one entry per credential event), which
    only the HTML report and ``cvlogs timeline`` show.
    """
    scan = _within(scan, filters)
    context = correlate(scan)
    findings = diagnose(context)
    accounts = summarise_accounts(context, findings)
    report = Report(
        version=__version__,
        filters=filters,
        files=tuple(dataclasses.replace(f, events=()) for f in scan.files),
        skipped=scan.skipped,
        accounts=tuple(a for a in accounts if not filters.accounts or a.account_id in filters.accounts),
        findings=tuple(f for f in findings if filters.keeps_account(f.account_id)),
        timeline=tuple(
            s
            for s in (timeline(context) if with_timeline else ())
            if not filters.accounts or s.account_id in filters.accounts
        ),
        unrecognized=sum(1 for e in context.events if e.kind == "unrecognized"),
    )
    report = transform_text(report, redact) if redact_secrets else dataclasses.replace(report, redacted=False)
    if anonymize_accounts:
        report = anonymize(report)
    return report


def _within(scan: ScanResult, filters: Filters) -> ScanResult:
    """The scan of the chosen hosts, with only the events inside the time range."""
    if filters.hosts:
        scan = dataclasses.replace(scan, files=tuple(f for f in scan.files if f.host in filters.hosts))
    if filters.since is None and filters.until is None:
        return scan
    files = tuple(
        dataclasses.replace(f, events=tuple(e for e in f.events if filters.keeps_time(e.time))) for f in scan.files
    )
    return dataclasses.replace(scan, files=files)


def timeline(context: Correlation) -> list[TimelineStep]:
    """Every step of every sequence and every attributed error, per account, in time order."""
    steps: list[TimelineStep] = []
    numbers: dict[AccountId, int] = {}
    for sequence in sorted(context.sequences, key=lambda s: (s.first.time or datetime.min, s.first.location.path)):
        account = sequence.account_id
        if account is None:
            continue
        numbers[account] = numbers.get(account, 0) + 1
        activity = sequence.activity.examples if sequence.activity is not None else []
        members = [sequence.connect, *sequence.validates, *activity, *sequence.errors]
        steps.extend(_step(e, account, numbers[account]) for e in members if e is not None)
    for event in context.events:
        if event.kind == "error" and context.sequence_of(event) is None and event.account_id is not None:
            steps.append(_step(event, event.account_id, 0))
    return sorted(steps, key=lambda s: (s.account_id, s.time or datetime.min, s.path, s.line))


def _step(event: Event, account: AccountId, number: int) -> TimelineStep:
    return TimelineStep(
        account, number, event.time, event.kind, event.location.path, event.location.line, event.text, event.host
    )


def transform_text(report: Report, change: Callable[[str], str]) -> Report:
    """Apply ``change`` to every free text of the report (messages, evidence, timeline, samples)."""

    def evidence(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(dataclasses.replace(e, text=change(e.text)) for e in items)

    def maybe(value: str | None) -> str | None:
        return None if value is None else change(value)

    findings = tuple(
        dataclasses.replace(f, message=change(f.message), evidence=evidence(f.evidence), role_arn=maybe(f.role_arn))
        for f in report.findings
    )
    accounts = tuple(dataclasses.replace(a, roles=tuple(map(change, a.roles))) for a in report.accounts)
    steps = tuple(dataclasses.replace(s, text=change(s.text)) for s in report.timeline)
    files = tuple(
        dataclasses.replace(
            f, unparsed_samples=tuple(dataclasses.replace(u, text=change(u.text)) for u in f.unparsed_samples)
        )
        for f in report.files
    )
    return dataclasses.replace(report, findings=findings, accounts=accounts, timeline=steps, files=files)


def anonymize(report: Report) -> Report:
    """Replace every 12-digit account id, in every field and text, by a stable pseudonym."""
    names: dict[str, str] = {}

    def pseudonym(account: str) -> str:
        return names.setdefault(account, f"account-{len(names) + 1:03d}")

    for account in report.accounts:  # numbered in the order of the account table
        pseudonym(account.account_id)

    def change(text: str) -> str:
        return _ACCOUNT.sub(lambda m: pseudonym(m[0]), text)

    def maybe(value: str | None) -> str | None:
        return None if value is None else change(value)

    report = transform_text(report, change)
    accounts = tuple(dataclasses.replace(a, account_id=AccountId(change(a.account_id))) for a in report.accounts)
    findings = tuple(dataclasses.replace(f, account_id=_id(maybe(f.account_id))) for f in report.findings)
    steps = tuple(dataclasses.replace(s, account_id=AccountId(change(s.account_id))) for s in report.timeline)
    filters = dataclasses.replace(report.filters, accounts=tuple(map(change, report.filters.accounts)))
    return dataclasses.replace(report, accounts=accounts, findings=findings, timeline=steps, filters=filters)


def _id(value: str | None) -> AccountId | None:
    return None if value is None else AccountId(value)
