"""Credential sequences: Connect -> Assume role -> activity or error, per thread and job, per account.

Events of all files of one host (current and rolled, compressed or not) are merged by time, so a
sequence that crosses a roll-over is one sequence.  A sequence lives on one key (host, pid, tid,
job); a placeholder job (``###``, ``N/A``...) takes the job of the previous event of the same
process, as Commvault's own log-line prediction does.  A Connect closes the sequence open on its
key and opens a new one; an Assume role with nothing open opens one that lacks its Connect.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Literal

from cvlogs.model import AccountId, ActivityRun, Event, FileResult, ScanResult, error_account

SequenceStatus = Literal["ok", "failed", "incomplete"]
SequenceKey = tuple[str | None, int, str, str]
"""host, pid, tid, job."""

_NO_TIME = datetime.min


@lru_cache(maxsize=4096)
def is_placeholder_job(job: str) -> bool:
    """A job column that names no job: empty, ``###``, ``N/A``, ``0``... (anything but a job number)."""
    return not job.isdigit() or int(job) == 0


EXAMPLES = 3
"""Activity records a sequence keeps as evidence (the first ones)."""


@dataclass(slots=True)
class ActivitySummary:
    """The Amazon activity that followed a sequence's steps: counted, with its first and last
    records and the first few as evidence (an access node writes thousands in one backup)."""

    count: int
    first: Event
    last: Event
    examples: list[Event]

    def add(self, first: Event, last: Event, count: int) -> None:
        self.count += count
        self.last = last
        for event in (first, last) if count > 1 else (first,):
            if len(self.examples) < EXAMPLES and event is not self.examples[-1]:
                self.examples.append(event)


@dataclass(slots=True)
class Sequence:
    """One credential sequence of one access-node thread (mutable while it is being built)."""

    key: SequenceKey
    connect: Event | None = None
    validates: list[Event] = field(default_factory=list)
    activity: ActivitySummary | None = None
    errors: list[Event] = field(default_factory=list)
    closed_by_connect: bool = False
    last_step: Event | None = None
    account: AccountId | None = None
    """The tenant account, settled once the sequence is complete (see ``account_id``)."""
    role: str | None = None
    """The role ARN, settled with the account (see ``role_arn``)."""
    settled: bool = False

    @property
    def first(self) -> Event:
        return self.connect or self.validates[0]  # a sequence opens with a Connect or an Assume role

    @property
    def role_arn(self) -> str | None:
        """The role of the Connect step, else of the first Assume role step."""
        if self.settled:
            return self.role
        return self._stated()[0]

    @property
    def account_id(self) -> AccountId | None:
        """The tenant account: the Connect role's, else an Assume role's, else what an error names."""
        if self.settled:
            return self.account
        return self._stated()[1] or self._account_of_errors()

    def settle(self) -> None:
        """Remember the account and role once no step will be added any more."""
        self.role, account = self._stated()
        self.account = account or self._account_of_errors()
        self.settled = True

    def _stated(self) -> tuple[str | None, AccountId | None]:
        """The first role and the first account that the Connect and Assume role steps state (one
        walk: it runs for every sequence, 40,000 in the 5M-line bench corpus)."""
        role: str | None = None
        for event in (self.connect, *self.validates) if self.validates else (self.connect,):
            if event is not None and (stated := event.role) is not None:
                if role is None:
                    role = stated.normalized
                if stated.account_id is not None:
                    return role, stated.account_id
        return role, None

    def _account_of_errors(self) -> AccountId | None:
        for event in self.errors:
            if event.error is not None and (account := error_account(event.error)) is not None:
                return account
        return None

    def add_activity(self, first: Event, last: Event, count: int) -> None:
        if self.activity is None:
            self.activity = ActivitySummary(count, first, last, [first] if count == 1 else [first, last][:EXAMPLES])
        else:
            self.activity.add(first, last, count)

    @property
    def activity_ends(self) -> tuple[Event, ...]:
        """The first and last activity records (none without activity): the rest are only counted."""
        activity = self.activity
        return () if activity is None else (activity.first, activity.last)

    @property
    def activity_count(self) -> int:
        """How many activity records followed the sequence's steps."""
        return 0 if self.activity is None else self.activity.count

    @property
    def attempted_assume(self) -> bool:
        """An Assume role step happened, successful or not (a failed one is an error on that step)."""
        return bool(self.validates) or any(is_assume_step(e) for e in self.errors)

    @property
    def status(self) -> SequenceStatus:
        if self.last_step is not None and self.last_step.kind == "error":
            return "failed"
        if self.validates:
            return "ok"
        return "incomplete"


def is_assume_step(event: Event) -> bool:
    """An event on the Assume role step: a ValidateCredentials / AssumeRole line, or an AssumeRole error."""
    method = event.function.rpartition("::")[2].removesuffix("()")
    if method in {"ValidateCredentials", "AssumeRole"}:
        return True
    return event.error is not None and event.error.operation == "AssumeRole"


@dataclass(frozen=True, slots=True)
class Correlation:
    """The sequences of every host, and where each error event belongs."""

    scan: ScanResult
    sequences: tuple[Sequence, ...]
    events: tuple[Event, ...]
    """Every event of every host, in merged time order per host."""
    event_sequence: dict[tuple[str | None, str, int], Sequence]
    """(host, path, line) of an event -> the sequence it is a step of."""
    assume_times: dict[tuple[str | None, AccountId], list[datetime]]
    """Times of successful Assume role steps per (host, account), sorted."""

    def sequence_of(self, event: Event) -> Sequence | None:
        return self.event_sequence.get((event.host, event.location.path, event.location.line))


def merged_events(files: Iterable[FileResult]) -> Iterator[Event]:
    """Each host's events in time order; ties keep file order (older files first, then line)."""
    for step in merged_steps(files, with_activity=False):
        assert isinstance(step, Event)
        yield step


def merged_steps(files: Iterable[FileResult], with_activity: bool = True) -> Iterator[Event | ActivityRun]:
    """Each host's events (and activity runs, at their first record) in time order; ties keep
    file order (older files first, then line).

    Each file's events are merged as they stand (a file whose clock goes back stays in its own
    order).  When every file is in time order, as files nearly always are, one sort of all of
    them gives the same order faster than ``heapq.merge``: sorting runs that are sorted already
    is a merge in C.
    """
    by_host: dict[str | None, list[FileResult]] = {}
    for result in files:
        by_host.setdefault(result.host, []).append(result)
    for host in sorted(by_host, key=lambda h: h or ""):
        ordered = sorted(by_host[host], key=lambda f: (f.first_time or _NO_TIME, f.path))
        # (time, file, line) is unique, so the step itself is never compared.
        streams = [_stream(f, index, with_activity) for index, f in enumerate(ordered)]
        if all(_in_order(stream) for stream in streams):
            merged: Iterable[tuple[datetime, int, int, Event | ActivityRun]] = sorted(
                [item for stream in streams for item in stream]
            )
        else:
            merged = heapq.merge(*streams)
        for _, _, _, step in merged:
            yield step


def _stream(
    result: FileResult, index: int, with_activity: bool
) -> list[tuple[datetime, int, int, Event | ActivityRun]]:
    stream: list[tuple[datetime, int, int, Event | ActivityRun]] = [
        (e.time or _NO_TIME, index, e.location.line, e) for e in result.events
    ]
    if with_activity and result.activity:
        runs: list[tuple[datetime, int, int, Event | ActivityRun]] = [
            (r.first.time or _NO_TIME, index, r.first.location.line, r) for r in result.activity
        ]
        stream = sorted(stream + runs, key=lambda item: item[2])  # file order
    return stream


def _in_order(stream: list[tuple[datetime, int, int, Event | ActivityRun]]) -> bool:
    times = [item[0] for item in stream]
    return times == sorted(times)  # a sorted list is checked in one pass, in C


def correlate(scan: ScanResult) -> Correlation:
    """Build every credential sequence of ``scan`` and attribute each error to its sequence."""
    open_by_key: dict[SequenceKey, Sequence] = {}
    job_of_pid: dict[tuple[str | None, int], str] = {}
    sequences: list[Sequence] = []
    event_sequence: dict[tuple[str | None, str, int], Sequence] = {}
    events: list[Event] = []
    for step in merged_steps(scan.files):
        # An activity run stands at its first record and counts all of its records.
        if isinstance(step, ActivityRun):
            event, last, records = step.first, step.last, step.records
        else:
            event = last = step
            records = 1
            events.append(step)
        # The sequence key; a placeholder job takes the last real job of the same process.
        host, pid, job = event.host, event.pid, event.job
        if is_placeholder_job(job):
            job = job_of_pid.get((host, pid), job)
        else:
            job_of_pid[(host, pid)] = job
        key = (host, pid, event.tid, job)
        current = open_by_key.get(key)
        if event.kind == "connect":
            if current is not None:
                current.closed_by_connect = True
            current = open_by_key[key] = Sequence(key, connect=event)
            sequences.append(current)
        elif event.kind == "validate":
            if current is None:
                current = open_by_key[key] = Sequence(key)
                sequences.append(current)
            current.validates.append(event)
        elif event.kind == "activity" and current is not None:
            current.add_activity(event, last, records)
        elif event.kind == "error" and current is not None:
            current.errors.append(event)
        else:
            continue
        current.last_step = last
        event_sequence[(event.host, event.location.path, event.location.line)] = current
    return Correlation(scan, tuple(sequences), tuple(events), event_sequence, _settle(sequences))


def _settle(sequences: list[Sequence]) -> dict[tuple[str | None, AccountId], list[datetime]]:
    """Settle every sequence; the times of successful Assume role steps per (host, account), sorted."""
    assume_times: dict[tuple[str | None, AccountId], list[datetime]] = {}
    for sequence in sequences:
        sequence.settle()
        if (account := sequence.account) is not None:
            for validate in sequence.validates:
                if validate.time is not None:
                    assume_times.setdefault((validate.host, account), []).append(validate.time)
    for times in assume_times.values():
        times.sort()
    return assume_times
