"""Incremental analysis: the scan's parser, correlation and rules over records as they are appended.

Nothing here parses, correlates or diagnoses on its own.  Each batch of complete records is read
by the scanner (``scan_source`` over the batch's bytes), its events join a *window* (the events
of every sequence still open, and of the last closed ones), and the window goes through the same
``correlate`` and rule occurrences as a scan.  An occurrence is reported once, when its evidence
is complete:

- an AWS error explained by an error rule at once (its evidence is the error line);
- an occurrence of a scan rule (CVL101 missing-validate, CVL104, CVL902...) once every sequence
  it speaks of is final: closed by the next Connect on its thread, quiet for ``idle`` seconds,
  or at the end of the watch.

Final sequences leave the window once their occurrences are out (the last ``keep_closed`` stay,
as context for the rules that look across sequences), so memory does not grow with time.  The
times of successful Assume role steps are kept apart (the last few per account), for the
"expired N minutes after the last Assume role" of CVL302.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

from cvlogs.accounts import EventKey, line_key
from cvlogs.correlate import Correlation, Sequence, correlate
from cvlogs.diagnostics import occurrences, rules
from cvlogs.diagnostics.base import Occurrence
from cvlogs.diagnostics.facts import event_account
from cvlogs.diagnostics.findings import group_findings
from cvlogs.intake import LogSource
from cvlogs.model import (
    AccountId,
    Banner,
    Event,
    Evidence,
    Family,
    FileResult,
    Finding,
    LineSample,
    Location,
    ScanResult,
)
from cvlogs.parsing import scan_source
from cvlogs.redact import redact, scrub
from cvlogs.report import Filters

_ASSUME_HISTORY = 64
"""Successful Assume role times kept per (host, account) once their sequences left the window."""
_UNPARSED_SAMPLES = 5
_BANNERS = 4

NO_FILTERS = Filters()
LineKey = EventKey
"""host, path, line: one line, wherever it is reported."""
Outcome = Literal["running", "ok", "failed"]


@dataclass(frozen=True, slots=True)
class Batch:
    """Complete records appended to one file: whole lines, cut where a record starts."""

    path: str
    """The file as reported (relative to the watched folder)."""
    family: Family
    data: bytes
    lines_before: int
    """Lines of the file before this batch: the batch's first line is ``lines_before + 1``."""
    at_start: bool
    """The batch begins at the file's first byte (headerless lines there are unparsed, not continuations)."""
    year_hint: datetime | None = None


@dataclass(frozen=True, slots=True)
class _BatchSource(LogSource):
    """A batch read as a log source: the scanner reads its bytes as it reads a file."""

    data: bytes = b""

    def open(self) -> IO[bytes]:
        return io.BytesIO(self.data)


@dataclass(frozen=True, slots=True)
class Step:
    """A credential event of the window, as it arrived, with the account it belongs to."""

    event: Event
    account_id: AccountId | None
    role_arn: str | None
    outcome: Outcome
    """The sequence's outcome after this step."""


@dataclass(slots=True)
class AccountState:
    """One account as the watch has seen it so far."""

    account_id: AccountId
    outcome: Outcome = "running"
    last_step: str = ""
    last_time: datetime | None = None
    last_arrival: float = 0.0
    """When the last step arrived (monotonic clock): the view shows the time since."""
    last_finding: str | None = None
    succeeded: int = 0
    failed: int = 0


@dataclass(slots=True)
class _File:
    """The line accounting of one followed file (``lines == records + continuations + banner + unparsed``)."""

    path: str
    family: Family
    lines: int = 0
    records: int = 0
    continuations: int = 0
    unparsed: int = 0
    banner: int = 0
    banners: list[Banner] = field(default_factory=list)
    """The first banners of the file (a restart writes one mid-file; a few are kept)."""
    samples: list[LineSample] = field(default_factory=list)
    first_time: datetime | None = None
    last_time: datetime | None = None
    seen_header: bool = False

    def add(self, result: FileResult, batch: Batch) -> None:
        self.lines += result.lines
        self.records += result.records
        self.banner += result.banner
        self.banners.extend(result.banners[: _BANNERS - len(self.banners)])
        if batch.at_start and not self.seen_header:
            self.unparsed += result.unparsed
            room = _UNPARSED_SAMPLES - len(self.samples)
            self.samples.extend(_moved(s, self.path, batch.lines_before) for s in result.unparsed_samples[:room])
            self.continuations += result.continuations
        else:  # headerless lines at the head of a later batch continue the record before it
            self.continuations += result.continuations + result.unparsed
        self.seen_header = self.seen_header or result.records > 0
        self.first_time = self.first_time or result.first_time
        self.last_time = result.last_time or self.last_time

    def result(self, host: str | None, events: tuple[Event, ...]) -> FileResult:
        return FileResult(
            self.path, self.family, host, self.lines, self.records, self.continuations, self.unparsed,
            self.first_time, self.last_time, events, tuple(self.samples),
            banner=self.banner, banners=tuple(self.banners),
        )  # fmt: skip


def _moved(sample: LineSample, path: str, lines_before: int) -> LineSample:
    return LineSample(Location(path, lines_before + sample.location.line), sample.text)


@dataclass(slots=True)
class Update:
    """What one call to the engine found: new steps, findings fired, accounts whose outcome changed."""

    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


class Engine:
    """Feeds batches through the scan's stages and reports each finding once."""

    def __init__(
        self,
        host: str | None,
        *,
        filters: Filters = NO_FILTERS,
        idle: float = 600.0,
        keep_closed: int = 64,
        redact_secrets: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.filters = filters
        self.idle = idle
        self.keep_closed = keep_closed
        self.redact_secrets = redact_secrets
        self.clock = clock
        self.instances = rules()
        self.files: dict[str, _File] = {}
        self.window: dict[LineKey, Event] = {}
        self.arrived: dict[LineKey, float] = {}
        self.emitted: set[tuple[str, tuple[LineKey, ...], bool]] = set()
        """Occurrences reported: rule, evidence lines, whether they are lines of events (not samples)."""
        self.assume_history: dict[tuple[str | None, AccountId], list[datetime]] = {}
        self.accounts: dict[AccountId, AccountState] = {}
        self.decided: dict[LineKey, Outcome] = {}
        """The outcome of each sequence in the window, by its first line."""
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self.expiry: float | None = None
        """When the next open sequence goes quiet for ``idle`` seconds (monotonic), if one is open."""
        self.open_accounts: set[AccountId] = set()
        """Accounts with a sequence still open (not closed by a Connect, not quiet for ``idle``)."""
        self.lines = 0

    # -- input ---------------------------------------------------------------------------------

    def feed(self, batch: Batch) -> Update:
        """Read one batch of complete records and report what it completes."""
        return self.feed_result(self.read(batch), batch)

    def read(self, batch: Batch) -> FileResult:
        """The scanner's result for the batch's bytes (line numbers still relative to the batch)."""
        path, family = batch.path, batch.family
        source = _BatchSource(path, family, Path(path), batch.year_hint, host=self.host, data=batch.data)
        result = scan_source(source)
        if not isinstance(result, FileResult):  # pragma: no cover  (bytes in memory do not break)
            raise AssertionError(result.reason)
        return result

    def feed_result(self, result: FileResult, batch: Batch) -> Update:
        """Take in a file result read from ``batch`` (or a whole rolled file, ``lines_before`` 0)."""
        self.files.setdefault(batch.path, _File(batch.path, batch.family)).add(result, batch)
        self.lines += result.lines
        now = self.clock()
        fresh: list[LineKey] = []
        for read in result.listed_events:  # an activity run as its first and last records
            event = read._replace(location=Location(batch.path, batch.lines_before + read.location.line))
            key = line_key(event)
            self.window[key] = event
            self.arrived[key] = now
            fresh.append(key)
        if not fresh and not result.unparsed:
            return Update()
        return self._analyse(fresh, final_all=False)

    def tick(self) -> Update:
        """Let sequences that have been quiet for ``idle`` seconds end (call it now and then)."""
        return self._analyse([], final_all=False)

    def finish(self) -> Update:
        """The end of the watch: every sequence is final, what it completes is reported."""
        return self._analyse([], final_all=True)

    def rename(self, old: str, new: str) -> None:
        """A followed file was rolled over: its lines are now reported under its new name."""
        if old not in self.files or new in self.files:
            return
        self.files[new] = self.files.pop(old)
        self.files[new].path = new

        def moved(key: LineKey) -> LineKey:
            return (key[0], new, key[2]) if key[1] == old else key

        self.window = {moved(k): (e._replace(location=Location(new, e.location.line)) if k[1] == old else e)
                       for k, e in self.window.items()}  # fmt: skip
        self.arrived = {moved(k): t for k, t in self.arrived.items()}
        self.decided = {moved(k): o for k, o in self.decided.items()}
        self.emitted = {(code, tuple(map(moved, keys)), lines) for code, keys, lines in self.emitted}
        self.files[new].samples = [
            LineSample(Location(new, s.location.line), s.text) if s.location.path == old else s
            for s in self.files[new].samples
        ]

    def set_aside(self, path: str, why: str) -> str:
        """A file that starts over under the same name (truncated, or rolled to a name no longer
        there): what was read of it is reported as ``path (why N)`` from now on; the label."""
        number = 1
        while (label := f"{path} ({why} {number})") in self.files:
            number += 1
        self.rename(path, label)
        return label

    # -- analysis ------------------------------------------------------------------------------

    def correlation(self) -> Correlation:
        """The window correlated as a scan correlates files, with the Assume role history added."""
        by_file: dict[str, list[Event]] = {}
        for event in self.window.values():
            by_file.setdefault(event.location.path, []).append(event)
        results = tuple(
            state.result(self.host, tuple(sorted(by_file.get(path, ()), key=lambda e: e.location.line)))
            for path, state in self.files.items()
        )
        context = correlate(ScanResult(results))
        if self.assume_history:
            merged = {key: list(times) for key, times in self.assume_history.items()}
            for key, times in context.assume_times.items():
                merged[key] = sorted({*merged.get(key, ()), *times})
            context = dataclasses.replace(context, assume_times=merged)
        return context

    def _analyse(self, fresh: list[LineKey], final_all: bool) -> Update:
        context = self.correlation()
        now = self.clock()
        final = {id(s) for s in context.sequences if final_all or self._final(s, now)}
        update = Update()
        # Findings first, so that a step's outcome already counts the finding its line fired.
        found = [o for o in occurrences(context, self.instances) if self._complete(o, context, final, final_all)]
        for occurrence in sorted(found, key=_order):
            self.emitted.add(_identity(occurrence))
            finding = self._finding(occurrence)
            if self.filters.keeps_account(finding.account_id):
                self.counts[finding.severity] += 1
                update.findings.append(finding)
            self._note_finding(occurrence, finding, context)
        fresh_set = set(fresh)
        for event in context.events:  # in the scan's order: time, then file and line
            if line_key(event) in fresh_set:
                update.steps.append(self._step(event, context))
        self._prune(context, final)
        running = [s for s in context.sequences if id(s) not in final]
        self.open_accounts = {a for s in running if (a := s.account_id) is not None}
        arrivals = [self.arrived[line_key(last)] for s in running if (last := s.last_event) is not None]
        self.expiry = min(arrivals) + self.idle if arrivals else None
        return update

    def _final(self, sequence: Sequence, now: float) -> bool:
        if sequence.closed_by_connect:
            return True
        last = sequence.last_event
        return last is not None and now - self.arrived.get(line_key(last), now) >= self.idle

    def _complete(self, occurrence: Occurrence, context: Correlation, final: set[int], final_all: bool) -> bool:
        if _identity(occurrence) in self.emitted:
            return False
        first = occurrence.evidence[0] if occurrence.evidence else None
        if isinstance(first, Event) and first.kind == "error" and first.error is not None:
            return True  # an error rule: the error line is the whole evidence
        if final_all:
            return True
        for line in occurrence.evidence:
            if isinstance(line, Evidence):  # unparsed lines: complete once the file's first record came
                state = self.files.get(line.path)
                if state is None or not state.seen_header:
                    return False
                continue
            sequence = context.sequence_of(line)
            if sequence is not None and id(sequence) not in final:
                return False
        return True

    def _finding(self, occurrence: Occurrence) -> Finding:
        """The finding a scan makes of this one occurrence (the same grouping code), redacted."""
        finding = group_findings([occurrence], self.instances)[0]
        if not self.redact_secrets:
            return finding
        return scrub(finding, redact)

    def _step(self, event: Event, context: Correlation) -> Step:
        sequence = context.sequence_of(event)
        account = event_account(event, sequence)
        outcome: Outcome = "running"
        if sequence is not None:
            first = line_key(sequence.first)
            outcome = self.decided.get(first, "running")
            if (
                outcome == "running"
                and event.kind == "activity"
                and sequence.validates
                and not sequence.errors
                and sequence.account_id is not None
            ):
                outcome = self.decided[first] = "ok"
                self._account(sequence.account_id).succeeded += 1
        if account is not None:
            state = self._account(account)
            state.last_step, state.last_time, state.last_arrival = event.kind, event.time, self.clock()
            if sequence is not None:
                state.outcome = outcome
        role = sequence.role_arn if sequence is not None else event.role_arn
        return Step(event, account, role, outcome)

    def _note_finding(self, occurrence: Occurrence, finding: Finding, context: Correlation) -> None:
        """An error-severity finding fails its sequence and its account."""
        if finding.account_id is None:
            return
        state = self._account(finding.account_id)
        state.last_finding = finding.rule
        if finding.severity != "error":
            return
        first = occurrence.evidence[0] if occurrence.evidence else None
        sequence = context.sequence_of(first) if isinstance(first, Event) else None
        if sequence is not None:
            if self.decided.get(line_key(sequence.first)) == "failed":
                return
            self.decided[line_key(sequence.first)] = "failed"
        state.failed += 1
        state.outcome = "failed"

    def _account(self, account: AccountId) -> AccountState:
        state = self.accounts.get(account)
        if state is None:
            state = self.accounts[account] = AccountState(account)
        return state

    def _prune(self, context: Correlation, final: set[int]) -> None:
        """Drop the events of final sequences (all but the last ``keep_closed``) and of events in none."""
        keep: set[LineKey] = set()
        finished = [s for s in context.sequences if id(s) in final]
        finished.sort(key=lambda s: last.time if (last := s.last_event) and last.time else datetime.min)
        for sequence in context.sequences:
            if id(sequence) not in final:
                keep.update(line_key(e) for e in _steps(sequence))
        for sequence in finished[-self.keep_closed :] if self.keep_closed else ():
            keep.update(line_key(e) for e in _steps(sequence))
        for sequence in finished[: max(0, len(finished) - self.keep_closed)]:
            self._remember_assumes(sequence)
            self.decided.pop(line_key(sequence.first), None)
        for key in [k for k in self.window if k not in keep]:
            del self.window[key]
            self.arrived.pop(key, None)
        # Keys of lines that left the window cannot come back; unparsed samples (CVL902) never enter it.
        self.emitted = {item for item in self.emitted if item[1] and (item[1][0] in self.window or not item[2])}

    def _remember_assumes(self, sequence: Sequence) -> None:
        account = sequence.account_id
        if account is None:
            return
        for validate in sequence.validates:
            if validate.time is not None:
                times = self.assume_history.setdefault((validate.host, account), [])
                times.append(validate.time)
                del times[:-_ASSUME_HISTORY]

    # -- the state people and scripts ask about -------------------------------------------------

    def watched(self) -> list[AccountState]:
        """The accounts the user watches (``--account``), else every account seen, by id."""
        if self.filters.accounts:
            return [self.accounts.get(AccountId(a)) or AccountState(AccountId(a)) for a in self.filters.accounts]
        return [self.accounts[a] for a in sorted(self.accounts)]

    def shown(self) -> list[AccountState]:
        """Every account seen, and the watched ones not seen yet, by id (the live view's rows)."""
        shown = {state.account_id: state for state in self.watched()}
        shown.update(self.accounts)
        return [shown[a] for a in sorted(shown)]

    def all_ok(self) -> bool:
        watched = self.watched()
        return bool(watched) and all(state.succeeded > 0 for state in watched)

    def all_done(self) -> bool:
        """Every watched account was seen and none has a sequence running any more."""
        watched = self.watched()
        running = self.open_accounts
        return bool(watched) and all(s.last_time is not None and s.account_id not in running for s in watched)

    def any_failed(self) -> bool:
        return any(state.failed > 0 for state in self.watched())


def _order(occurrence: Occurrence) -> tuple[datetime, str, int]:
    _, path, line = line_key(occurrence.evidence[0]) if occurrence.evidence else (None, "", 0)
    return occurrence.time or datetime.min, path, line


def _identity(occurrence: Occurrence) -> tuple[str, tuple[LineKey, ...], bool]:
    evidence = occurrence.evidence
    return occurrence.code, tuple(map(line_key, evidence)), any(isinstance(e, Event) for e in evidence)


def _steps(sequence: Sequence) -> Iterable[Event]:
    if sequence.connect is not None:
        yield sequence.connect
    yield from sequence.validates
    if (activity := sequence.activity) is not None:  # summarised on each reading
        yield from activity.examples
        yield activity.last
    yield from sequence.errors
