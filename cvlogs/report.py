"""The scan report: everything a renderer shows, filtered, redacted and (optionally) anonymised.

This is the one place that runs the stages in order (parse, correlate, diagnose, summarise) and
applies the user's filters; renderers only format a ``Report``.  Redaction happens here, before
anything is written (report-contract.md).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cvlogs import __version__
from cvlogs.accounts import summarise_accounts
from cvlogs.anonymize import Pseudonyms, host_scrubber
from cvlogs.correlate import Correlation, correlate
from cvlogs.diagnostics import diagnose
from cvlogs.model import (
    AccountId,
    AccountSummary,
    Banner,
    Event,
    FileResult,
    Finding,
    ScanResult,
    SkippedSource,
)
from cvlogs.parsing import Progress, scan_paths
from cvlogs.redact import NAME_FIELDS, printable, redact, redact_lines, scrub

SCHEMA = "cvlogs.scan/2"
"""2: banner lines are a kind of their own (``banner``), families are any module, files say what
dated them (``year_source``), their zone (``utc_offset``) and what their banner says (``environment``)."""
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
    utc_offset: int | None = None
    """Minutes east of UTC of ``time`` (log-local) when the file's banner states the zone."""

    @property
    def utc(self) -> datetime | None:
        """The step's time on UTC where the zone is known (the order across hosts), else its log time."""
        return in_utc(self.time, self.utc_offset)


def in_utc(moment: datetime | None, offset: int | None) -> datetime | None:
    """A log-local time on UTC (naive), when the offset is known; unchanged otherwise."""
    if moment is None or offset is None:
        return moment
    return moment - timedelta(minutes=offset)


@dataclass(frozen=True, slots=True)
class Machine:
    """What the banners of one machine's files say: its Commvault versions, modules and zone."""

    host: str | None
    versions: tuple[str, ...]
    modules: tuple[str, ...]
    utc_offset: int | None
    """Minutes east of UTC (the first banner that states a zone)."""
    zone: str | None
    commserve: str | None


_MODULES_SHOWN = 6


def describe(machine: Machine) -> str:
    """One line for people: ``accessnode3: Commvault 11.2801.20, UTC-05:00 (Eastern ...); cvd, vsbkp``."""
    zone = f"UTC{format_offset(machine.utc_offset)}" if machine.utc_offset is not None else "zone not stated"
    if machine.zone:
        zone += f" ({machine.zone})"
    version = f"Commvault {', '.join(machine.versions)}" if machine.versions else "version not stated"
    shown = ", ".join(machine.modules[:_MODULES_SHOWN])
    more = f" and {len(machine.modules) - _MODULES_SHOWN} more" if len(machine.modules) > _MODULES_SHOWN else ""
    modules = f"; modules {shown}{more}" if machine.modules else ""
    return f"{machine.host or 'unnamed machine'}: {version}, {zone}{modules}"


def format_offset(minutes: int | None) -> str | None:
    """``-480`` as ``-08:00`` (None stays None)."""
    if minutes is None:
        return None
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


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

    @property
    def banner(self) -> int:
        return sum(f.banner for f in self.files)

    @property
    def machines(self) -> tuple[Machine, ...]:
        """Per machine whose files have banners: versions, modules and zone (the environment)."""
        banners: dict[str | None, list[Banner]] = {}
        for f in self.files:
            banners.setdefault(f.host, []).extend(f.banners)
        return tuple(
            Machine(
                host,
                tuple(sorted({b.version for b in found if b.version})),
                tuple(sorted({b.module for b in found if b.module})),
                next((b.utc_offset for b in found if b.utc_offset is not None), None),
                next((b.zone for b in found if b.zone), None),
                next((b.commserve for b in found if b.commserve and b.commserve.strip(":")), None),
            )
            for host, found in sorted(banners.items(), key=lambda item: item[0] or "")
            if found
        )

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
    anonymize_hosts: bool = False,
) -> Report:
    """Scan ``paths`` and build the report the user asked for."""
    scan = scan_paths(paths, jobs=jobs, progress=progress)
    return report_of(
        scan,
        filters=filters,
        redact_secrets=redact_secrets,
        anonymize_accounts=anonymize_accounts,
        anonymize_hosts=anonymize_hosts,
    )


def report_of(
    scan: ScanResult,
    *,
    filters: Filters = Filters(),
    redact_secrets: bool = True,
    anonymize_accounts: bool = False,
    anonymize_hosts: bool = False,
    with_timeline: bool = True,
    pseudonyms: Pseudonyms | None = None,
) -> Report:
    """The report of an existing scan (the stages after parsing).

    ``with_timeline=False`` skips the per-step timeline (one entry per credential event), which
    only the HTML report and ``cvlogs timeline`` show.  ``pseudonyms`` receives the map of the
    anonymisation (``--map FILE``); without it the map is dropped.
    """
    pseudonyms = Pseudonyms() if pseudonyms is None else pseudonyms
    scan = _within(scan, filters)
    if redact_secrets:  # before the rules quote them (CVL902), while they are still consecutive
        scan = dataclasses.replace(scan, files=tuple(map(_samples_redacted, scan.files)))
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
            for s in (timeline(context, _offsets(scan)) if with_timeline else ())
            if not filters.accounts or s.account_id in filters.accounts
        ),
        unrecognized=sum(1 for e in context.events if e.kind == "unrecognized"),
    )
    # Every string of the report is redacted: messages, evidence, paths, member names and hosts.
    report = scrub(report, redact) if redact_secrets else dataclasses.replace(report, redacted=False)
    # Names (files, members, folders, machines) are shown with control characters as \\xNN in
    # every format: an ESC[2J in a member's name must not reach a terminal.
    report = scrub(report, printable, only=NAME_FIELDS)
    if anonymize_accounts:
        report = anonymize(report, pseudonyms)
    if anonymize_hosts:
        report = anonymize_machines(report, pseudonyms)
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


def _offsets(scan: ScanResult) -> dict[tuple[str | None, str], int]:
    """(host, path) -> minutes east of UTC, for the files whose banner states a zone."""
    return {(f.host, f.path): f.utc_offset for f in scan.files if f.utc_offset is not None}


def timeline(context: Correlation, offsets: dict[tuple[str | None, str], int] | None = None) -> list[TimelineStep]:
    """Every step of every sequence and every attributed error, per account, in time order.

    Hosts in different zones are put in order on UTC where their banners state the zone
    (``offsets``); each step keeps its log-local time and offset for display.
    """
    offsets = offsets or {}

    def utc(event: Event) -> datetime:
        return in_utc(event.time, offsets.get((event.host, event.location.path))) or datetime.min

    def step(event: Event, account: AccountId, number: int) -> TimelineStep:
        where = event.location
        offset = offsets.get((event.host, where.path))
        return TimelineStep(
            account, number, event.time, event.kind, where.path, where.line, event.text, event.host, offset
        )

    steps: list[TimelineStep] = []
    numbers: dict[AccountId, int] = {}
    for sequence in sorted(context.sequences, key=lambda s: (utc(s.first), s.first.location.path)):
        account = sequence.account_id
        if account is None:
            continue
        numbers[account] = numbers.get(account, 0) + 1
        activity = sequence.activity.examples if sequence.activity is not None else []
        members = [sequence.connect, *sequence.validates, *activity, *sequence.errors]
        steps.extend(step(e, account, numbers[account]) for e in members if e is not None)
    for event in context.events:
        if event.kind == "error" and context.sequence_of(event) is None and event.account_id is not None:
            steps.append(step(event, event.account_id, 0))
    return sorted(steps, key=lambda s: (s.account_id, s.utc or datetime.min, s.path, s.line))


def _samples_redacted(result: FileResult) -> FileResult:
    """The unparsed lines before a file's first record are consecutive: redacted together."""
    samples = result.unparsed_samples
    if not samples:
        return result
    texts = redact_lines([sample.text for sample in samples])
    return dataclasses.replace(
        result, unparsed_samples=tuple(dataclasses.replace(s, text=t) for s, t in zip(samples, texts, strict=True))
    )


def anonymize(report: Report, pseudonyms: Pseudonyms | None = None) -> Report:
    """Replace every 12-digit account id, in every field and text (paths and hosts too), by a
    stable pseudonym."""
    pseudonym = (pseudonyms or Pseudonyms()).account
    for account in report.accounts:  # numbered in the order of the account table
        pseudonym(account.account_id)
    return scrub(report, lambda text: _ACCOUNT.sub(lambda m: pseudonym(m[0]), text))


def anonymize_machines(report: Report, pseudonyms: Pseudonyms) -> Report:
    """Replace every machine name, instance name and IPv4 address, in every field, path and text."""
    return scrub(report, host_scrubber(report.files, pseudonyms))
