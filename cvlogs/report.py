"""The scan report: everything a renderer shows, filtered, redacted and (optionally) anonymised.

This is the one place that runs the stages in order (parse, correlate, diagnose, summarise) and
applies the user's filters; renderers only format a ``Report``.  Redaction happens here, before
anything is written (report-contract.md).
"""

from __future__ import annotations

import dataclasses
import gc
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cvlogs.accounts import EventKey, event_key, judgement, line_key, summarise_accounts
from cvlogs.anonymize import Pseudonyms, host_scrubber
from cvlogs.columns import Attributed
from cvlogs.correlate import Correlation, Sequence, correlate
from cvlogs.diagnostics import Occurrence, group_findings, occurrences, rules
from cvlogs.model import (
    AccountId,
    AccountSummary,
    ActivityRun,
    Banner,
    Event,
    FileResult,
    Finding,
    ScanResult,
    Severity,
    SkippedSource,
)
from cvlogs.parsing import Progress
from cvlogs.redact import NAME_FIELDS, printable, redact, redact_lines, scrub
from cvlogs.version import __version__

SCHEMA = "cvlogs.scan/3"
"""2: banner lines are a kind of their own (``banner``), families are any module, files say what
dated them (``year_source``), their zone (``utc_offset``) and what their banner says (``environment``).
3: account ``status`` is failing, recovered, ok or unknown, with the ``rule`` behind it; the summary
opens with a ``verdict`` and counts accounts by status (``account_status``)."""
_SEVERITY_RANK: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}
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
class SequenceSpan:
    """One credential sequence as the timeline draws it: from its first step to its last."""

    account_id: AccountId
    host: str | None
    start: datetime
    end: datetime
    status: str
    """failed (an error-severity finding on one of its steps), ok (Assume role succeeded), incomplete."""
    steps: int
    activity: int
    """Activity lines after the Assume role step."""
    rule: str | None = None


def spans(context: Correlation, errors: Mapping[EventKey, str]) -> list[SequenceSpan]:
    """A span per timed sequence with an account, in time order."""
    found: list[SequenceSpan] = []
    for sequence in context.sequences:
        if (account := sequence.account_id) is None:
            continue
        status, rule, start, end = judgement(sequence, errors)
        if start is None or end is None:
            continue
        found.append(
            SequenceSpan(
                account, sequence.key[0], start, end, status,
                len(sequence.steps) + sequence.activity_count, sequence.activity_count, rule,
            )
        )  # fmt: skip
    return sorted(found, key=lambda s: (s.start, s.account_id))


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What the events table joins to each event: its sequence's account and id, and its rule."""

    correlation: Correlation
    rule_of: Mapping[EventKey, str]
    """Each event that a finding cites -> the rule of the most severe such finding."""
    severity: Mapping[str, Severity]
    """Each rule's severity, by code."""
    filters: Filters

    def rows(self, files: Iterable[FileResult] | None = None) -> Iterator[list[Attributed]]:
        """The attributed events of each file (by default the diagnosed ones, with each activity
        run as its first and last records), one list per file, in the time range and of the
        accounts asked for.  ``files`` may be a second reading of the same logs with more records
        (``--all``, every activity record among them): an event is known by its host, path and
        line, an activity record by the run of its thread and job that holds its line."""
        ids: dict[int, str] = {}
        runs = _run_sequences(self.correlation)
        chosen = self.filters
        for result in self.correlation.scan.files if files is None else files:
            rows = [
                self.attributed(event, ids, runs) for event in result.listed_events if chosen.keeps_time(event.time)
            ]
            yield [r for r in rows if not chosen.accounts or r.account in chosen.accounts]

    def attributed(self, event: Event, ids: dict[int, str], runs: RunSequences) -> Attributed:
        key = event_key(event)
        rule = self.rule_of.get(key)
        severity = None if rule is None else self.severity[rule]
        sequence = self.correlation.event_sequence.get(key)
        if sequence is None and event.kind == "activity":
            sequence = _run_sequence(runs, event)
        if sequence is None:
            return Attributed(event, event.account_id, None, rule, severity)
        number = ids.get(id(sequence))
        if number is None:
            number = ids[id(sequence)] = sequence_id(sequence)
        return Attributed(event, sequence.account_id or event.account_id, number, rule, severity)


RunKey = tuple[str | None, str, int, str, str]
"""(host, path, pid, thread, job): the activity runs of one thread and job in one file."""
RunSequences = dict[RunKey, tuple[list[int], list[tuple[int, Sequence]]]]
"""Per run key, the runs' first lines in order and, for each, its last line and its sequence."""


def _run_sequences(context: Correlation) -> RunSequences:
    """The sequence of each activity run, by its key and lines (runs of one key never overlap: they
    are cut at that key's credential steps)."""
    runs: RunSequences = {}
    for run, sequence in sorted(context.runs, key=_first_line):
        starts, ends = runs.setdefault((run.host, run.path, run.pid, run.tid, run.job), ([], []))
        starts.append(run.first_line)
        ends.append((run.last_line, sequence))
    return runs


def _first_line(pair: tuple[ActivityRun, Sequence]) -> int:
    return pair[0].first_line


def _run_sequence(runs: RunSequences, event: Event) -> Sequence | None:
    """The sequence of the activity run that holds ``event``'s line, if any."""
    found = runs.get((event.host, event.location.path, event.pid, event.tid, event.job))
    if found is None:
        return None
    starts, ends = found
    at = bisect_right(starts, event.location.line) - 1
    if at < 0:
        return None
    last, sequence = ends[at]
    return sequence if event.location.line <= last else None


def sequence_id(sequence: Sequence) -> str:
    """A sequence's stable id: ``host:path:line`` of its first step (the same on every run)."""
    first = sequence.first
    return f"{first.host or ''}:{first.location.path}:{first.location.line}"


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
    spans: tuple[SequenceSpan, ...] = ()
    """The sequences for the HTML timeline (only when the timeline is asked for)."""
    diagnosis: Diagnosis | None = field(default=None, repr=False, compare=False)
    """The correlation behind the report, for the events table (only when asked for; never anonymised)."""

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

    def status_counts(self) -> dict[str, int]:
        counts = {"failing": 0, "recovered": 0, "ok": 0, "unknown": 0}
        for account in self.accounts:
            counts[account.status] += 1
        return counts

    @property
    def verdict(self) -> str:
        """One line that says what the report found, for the top of every format."""
        counts = self.severity_counts()
        statuses = self.status_counts()
        node_wide = sorted({f.rule for f in self.findings if f.account_id is None and f.severity == "error"})
        tail = f"{counts['error']} error, {counts['warning']} warning, {counts['info']} info findings"
        accounts = f"{statuses['failing']} of {len(self.accounts)} accounts failing" + "".join(
            f", {statuses[status]} {status}" for status in ("recovered", "ok", "unknown") if statuses[status]
        )
        if not counts["error"]:
            return f"OK: no error finding; {accounts}; {tail}"
        wide = f"; node-wide errors: {', '.join(node_wide)}" if node_wide else ""
        return f"FAILING: {accounts}{wide}; {tail}"

    @property
    def exit_status(self) -> int:
        """0 when no error-severity finding remains after filtering, 1 when one does."""
        return 1 if any(f.severity == "error" for f in self.findings) else 0


def build_report(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    filters: Filters = Filters(),
    jobs: int = 1,
    progress: Progress | None = None,
    redact_secrets: bool = True,
    anonymize_accounts: bool = False,
    anonymize_hosts: bool = False,
) -> Report:
    """Scan ``paths`` and build the report the user asked for (``cvlogs.scan`` with these options)."""
    from cvlogs.pipeline import ScanOptions, scan  # noqa: PLC0415  (the pipeline imports this module)

    options = ScanOptions(
        filters=filters,
        jobs=jobs,
        progress=None if progress is None else (lambda _: progress),
        redact_secrets=redact_secrets,
        anonymize_accounts=anonymize_accounts,
        anonymize_hosts=anonymize_hosts,
    )
    return scan(paths, options)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while the report is built.

    Everything the report stage allocates (sequences, occurrences, findings) lives until the
    output is written, so each collection walks the whole heap of events and frees nothing:
    measured on the 5M-line bench corpus, about a tenth of the report stage.  The scan itself
    keeps collecting (its per-chunk garbage must not accumulate).

    What was made meanwhile is then moved to the oldest generation (``freeze`` and ``unfreeze``
    splice the generations' lists, nothing is walked): left in the youngest, all of it would be
    walked by the first collection after, and again by the next older one (0.15-0.28 s on the
    5M-line bench corpus).  It stays collectable, by a full collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def report_of(
    scan: ScanResult,
    *,
    filters: Filters = Filters(),
    redact_secrets: bool = True,
    anonymize_accounts: bool = False,
    anonymize_hosts: bool = False,
    with_timeline: bool = True,
    with_steps: bool = True,
    with_events: bool = False,
    pseudonyms: Pseudonyms | None = None,
    kept: list[object] | None = None,
) -> Report:
    """The report of an existing scan (the stages after parsing).

    ``with_timeline=False`` skips the timeline, which only the HTML report (a span per sequence)
    and ``cvlogs timeline`` (every step, ``with_steps``: one entry per credential event) show;
    ``with_events`` keeps the events with their diagnosis for the events table (they are
    otherwise freed with the correlation).  ``pseudonyms``
    receives the map of the anonymisation (``--map FILE``); without it the map is dropped.
    ``kept`` receives the scan and the correlation the report was built from, for a caller that
    frees them later or never (``cvlogs`` ends with ``os._exit``); without it they are freed as
    this returns, object by object (20-35 ms of the 1M-line bench corpora's report stage).
    """
    pseudonyms = Pseudonyms() if pseudonyms is None else pseudonyms
    with no_cycle_collection():
        scan = _within(scan, filters)
        if redact_secrets:  # before the rules quote them (CVL902), while they are still consecutive
            scan = dataclasses.replace(scan, files=tuple(map(_samples_redacted, scan.files)))
        context = correlate(scan)
        catalogue = rules()
        found = occurrences(context, catalogue)
        findings = group_findings(found, catalogue)
        severity = {code: rule.severity for code, rule in catalogue.items()}
        # The lines that error-severity findings cite (what fails a sequence); the events table
        # wants every rule's lines, only it.
        errors = evidence_rules([o for o in found if severity[o.code] == "error"], severity)
        accounts = summarise_accounts(context, findings, errors)
        report = Report(
            version=__version__,
            filters=filters,
            files=tuple(dataclasses.replace(f, events=(), activity=()) for f in scan.files),
            skipped=scan.skipped,
            accounts=tuple(a for a in accounts if not filters.accounts or a.account_id in filters.accounts),
            findings=tuple(f for f in findings if filters.keeps_account(f.account_id)),
            timeline=tuple(
                s
                for s in (timeline(context, _offsets(scan)) if with_timeline and with_steps else ())
                if not filters.accounts or s.account_id in filters.accounts
            ),
            unrecognized=len(context.unrecognized),
            spans=tuple(
                s
                for s in (spans(context, errors) if with_timeline else ())
                if not filters.accounts or s.account_id in filters.accounts
            ),
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
        # The events' diagnosis joins the report after the scrubbing: the events table redacts its
        # rows itself, and an anonymised report keeps no events.
        anonymised = anonymize_accounts or anonymize_hosts
        diagnosis = (
            Diagnosis(context, evidence_rules(found, severity), severity, filters)
            if with_events and not anonymised
            else None
        )
        if kept is not None:
            kept.append((scan, context, found))
        return dataclasses.replace(report, diagnosis=diagnosis)


def evidence_rules(found: Iterable[Occurrence], severity: Mapping[str, Severity]) -> dict[EventKey, str]:
    """Each line that an occurrence cites -> its rule; the most severe rule wins, then the first."""
    rank = {code: _SEVERITY_RANK[level] for code, level in severity.items()}
    rule_of: dict[EventKey, str] = {}
    for occurrence in found:
        code = occurrence.code
        for line in occurrence.evidence:
            key = line_key(line)
            held = rule_of.setdefault(key, code)
            if rank[held] > rank[code]:
                rule_of[key] = code
    return rule_of


def _within(scan: ScanResult, filters: Filters) -> ScanResult:
    """The scan of the chosen hosts, with only the events (and the activity runs that start)
    inside the time range."""
    if filters.hosts:
        scan = dataclasses.replace(scan, files=tuple(f for f in scan.files if f.host in filters.hosts))
    if filters.since is None and filters.until is None:
        return scan
    keeps = filters.keeps_time
    files = tuple(
        dataclasses.replace(
            f,
            events=tuple(e for e in f.events if keeps(e.time)),
            activity=tuple(r for r in f.activity if keeps(r.first_time)),
        )
        for f in scan.files
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
        activity = summary.examples if (summary := sequence.activity) is not None else []
        members = [sequence.connect, *sequence.validates, *activity, *sequence.errors]
        steps.extend(step(e, account, numbers[account]) for e in members if e is not None)
    for event, owner in zip(context.events, context.owners, strict=True):
        if event.kind == "error" and owner is None and event.account_id is not None:
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
