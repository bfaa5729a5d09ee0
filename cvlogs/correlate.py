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
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from itertools import chain
from operator import itemgetter
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


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    """The Amazon activity that followed a sequence's steps: counted, with its first and last
    records and the first few as evidence (an access node writes thousands in one backup).
    It keeps runs (``ActivityRun``), whose events are made only when asked for."""

    count: int
    first_run: ActivityRun
    last_run: ActivityRun
    runs: tuple[ActivityRun, ...]
    """The first runs: their first and last records are the examples."""

    @classmethod
    def of(cls, runs: list[ActivityRun]) -> ActivitySummary:
        """The summary of a sequence's activity runs (in order, at least one)."""
        return cls(sum(map(_RECORDS, runs)), runs[0], runs[-1], tuple(runs[:EXAMPLES]))

    @property
    def first(self) -> Event:
        return self.first_run.first

    @property
    def last(self) -> Event:
        return self.last_run.last

    @property
    def examples(self) -> list[Event]:
        """The first ``EXAMPLES`` records of its runs' first and last ones."""
        ends = [end for run in self.runs for end in ((run.first,) if run.records == 1 else (run.first, run.last))]
        return ends[:EXAMPLES]


_RECORDS = itemgetter(ActivityRun._fields.index("records"))


@dataclass(slots=True, init=False)
class Sequence:
    """One credential sequence of one access-node thread (mutable while it is being built)."""

    key: SequenceKey
    connect: Event | None
    validates: list[Event]
    runs: list[ActivityRun]
    """The Amazon activity that followed its steps, as the runs of records it came in; summarised
    only when asked for (``activity``): a report reads the first and last time alone, and keeping a
    summary up to date on each run cost a twelfth of the correlation (431 -> 396 M instructions on
    the 1M-line bench corpus at Amazon share 0.5)."""
    errors: list[Event]
    closed_by_connect: bool
    last_step: Event | ActivityRun
    """Its last step: an event, or the activity run whose last record is (see ``last_event``)."""
    account_id: AccountId | None
    """The tenant account: the Connect role's, else an Assume role's, else what an error names
    (settled by ``correlate`` once the sequence is complete)."""
    role_arn: str | None
    """The role of the Connect step, else of the first Assume role step (settled with the account)."""

    def __init__(self, key: SequenceKey, first: Event) -> None:
        """A sequence opened by its first step: a Connect, or an Assume role step with none before it.

        Written out: the generated one (keywords, a factory call per list) cost 5,400 instructions
        a sequence, twice this."""
        self.key = key
        self.connect, self.validates = (first, []) if first.kind == "connect" else (None, [first])
        self.runs = []
        self.errors = []
        self.closed_by_connect = False
        self.last_step = first
        self.account_id = None
        self.role_arn = None

    @property
    def first(self) -> Event:
        return self.connect or self.validates[0]  # a sequence opens with a Connect or an Assume role

    def account_of_errors(self) -> AccountId | None:
        """The first account that one of its errors names."""
        for event in self.errors:
            if event.error is not None and (account := error_account(event.error)) is not None:
                return account
        return None

    @property
    def last_event(self) -> Event | None:
        """Its last step as an event: an activity run's last record."""
        step = self.last_step
        return step.last if isinstance(step, ActivityRun) else step

    @property
    def steps(self) -> tuple[Event, ...]:
        """Its Connect, Assume role and error steps, in that order (its activity is counted apart)."""
        if self.connect is None:
            return (*self.validates, *self.errors)
        return (self.connect, *self.validates, *self.errors)

    @property
    def activity(self) -> ActivitySummary | None:
        """The activity that followed the sequence's steps, summarised (None for none)."""
        return ActivitySummary.of(self.runs) if self.runs else None

    @property
    def activity_count(self) -> int:
        """How many activity records followed the sequence's steps."""
        return sum(map(_RECORDS, self.runs))

    @property
    def attempted_assume(self) -> bool:
        """An Assume role step happened, successful or not (a failed one is an error on that step)."""
        return bool(self.validates) or any(map(is_assume_step, self.errors))

    @property
    def status(self) -> SequenceStatus:
        """failed: its last step is an error (its last one); ok: it has an Assume role step; else incomplete."""
        if self.errors and self.last_step is self.errors[-1]:
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


@dataclass(frozen=True)
class Correlation:
    """The sequences of every host, and the sequence each event is a step of."""

    scan: ScanResult
    sequences: tuple[Sequence, ...]
    events: tuple[Event, ...]
    """Every event of every host, in merged time order per host."""
    owners: tuple[Sequence | None, ...]
    """The sequence each event of ``events`` (at the same position) is a step of, None for none."""
    assume_times: dict[tuple[str | None, AccountId], list[datetime]]
    """Times of successful Assume role steps per (host, account), sorted."""
    errors: tuple[tuple[Event, Sequence | None], ...] = ()
    """The error events of ``events``, in its order, each with its sequence (None for none)."""
    unrecognized: tuple[Event, ...] = ()
    """The events of ``events`` that speak of credentials in words no grammar knows, in its order."""

    @cached_property
    def runs(self) -> tuple[tuple[ActivityRun, Sequence], ...]:
        """The activity runs that are steps of a sequence, each with its sequence, sequence by
        sequence (made when first asked for: only the events table reads them)."""
        return tuple((run, sequence) for sequence in self.sequences for run in sequence.runs)

    @cached_property
    def event_sequence(self) -> dict[tuple[str | None, str, int], Sequence]:
        """(host, path, line) of each event -> the sequence it is a step of.

        Built when first asked for (the events table, ``cvlogs watch``): a report walks
        ``owners``, and a key per step in a dict cost a tenth of the correlation."""
        steps = zip(self.events, self.owners, strict=True)
        return {(e.host, e.location.path, e.location.line): sequence for e, sequence in steps if sequence is not None}

    def sequence_of(self, event: Event) -> Sequence | None:
        return self.event_sequence.get((event.host, event.location.path, event.location.line))


def merged_events(files: Iterable[FileResult]) -> Iterator[Event]:
    """Each host's events in time order; ties keep file order (older files first, then line)."""
    for step in merged_steps(files, with_activity=False):
        assert isinstance(step, Event)
        yield step


def merged_steps(files: Iterable[FileResult], with_activity: bool = True) -> Iterator[Step]:
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
    return chain.from_iterable(map(_STEP, _merged(by_host[host], with_activity)) for host in sorted(by_host, key=_name))


Step = Event | ActivityRun
_Item = tuple[datetime, int, Step]
"""A step with what orders it: (time, line, step).  Sorted by time alone, which keeps the order
of equal times (sorts are stable): file order, then line order."""
_TIME = itemgetter(0)
_LINE = itemgetter(1)
_STEP = itemgetter(2)


def _name(host: str | None) -> str:
    return host or ""


def _merged(files: list[FileResult], with_activity: bool) -> Iterable[_Item]:
    ordered = sorted(files, key=lambda f: (f.first_time or _NO_TIME, f.path))
    streams = [_stream(f, with_activity) for f in ordered]
    if all(map(_in_order, streams)):
        return sorted(chain.from_iterable(streams), key=_TIME)
    return heapq.merge(*streams, key=_TIME)  # of equal times, the earlier stream's first


def _stream(result: FileResult, with_activity: bool) -> list[_Item]:
    """A file's steps in line order."""
    stream: list[_Item] = [(e.time or _NO_TIME, e.location.line, e) for e in result.events]
    if with_activity and result.activity:
        runs: list[_Item] = [(r.first_time or _NO_TIME, r.first_line, r) for r in result.activity]
        stream = sorted(stream + runs, key=_LINE)
    return stream


def _in_order(stream: list[_Item]) -> bool:
    times = [item[0] for item in stream]
    return times == sorted(times)  # a sorted list is checked in one pass, in C


_KEY_FIELDS = itemgetter(*map(Event._fields.index, ("kind", "host", "pid", "tid", "job")))
"""An event's kind and the fields of its sequence key, in one call (in C: reading a named tuple's
fields by name costs several times more, and correlation reads them for every step)."""
_RUN_KEY_FIELDS = itemgetter(*map(ActivityRun._fields.index, ("host", "pid", "tid", "job")))


def correlate(scan: ScanResult) -> Correlation:  # noqa: PLR0912, PLR0915  (a case per kind of step, inline: a call per step costs)
    """Build every credential sequence of ``scan`` and attribute each error to its sequence."""
    open_by_key: dict[SequenceKey, Sequence] = {}
    job_of_pid: dict[tuple[str | None, int], str] = {}
    sequences: list[Sequence] = []
    events: list[Event] = []
    owners: list[Sequence | None] = []
    errors: list[tuple[Event, Sequence | None]] = []
    unrecognized: list[Event] = []
    placeholders: dict[str, bool] = {}  # is_placeholder_job's answers: its cached call per step cost 3% of this
    for step in merged_steps(scan.files):
        # An activity run stands at its first record and counts all of its records.
        run: ActivityRun | None
        event: Event  # what a step that is not a run is
        if type(step) is ActivityRun:  # (an exact type: half the cost of isinstance for an event)
            run, kind = step, "activity"
            host, pid, tid, job = _RUN_KEY_FIELDS(step)
        else:
            run, event = None, step  # type: ignore[assignment]  # an event (mypy narrows type() only where it is)
            kind, host, pid, tid, job = _KEY_FIELDS(step)
        # The sequence key; a placeholder job takes the last real job of the same process.
        if (placeholder := placeholders.get(job)) is None:
            placeholder = placeholders[job] = is_placeholder_job(job)
        if placeholder:
            job = job_of_pid.get((host, pid), job)
        else:
            job_of_pid[(host, pid)] = job
        current = open_by_key.get(key := (host, pid, tid, job))
        # A Connect opens a sequence (closing the one open on its key), as does an Assume role
        # with none open; activity and errors join the open one; other events are in none.
        if kind == "activity":
            if current is not None:
                current.runs.append(activity := run or ActivityRun.of(event))
                current.last_step = activity
        elif kind == "error":  # an event (a run's records are activity)
            if current is not None:
                current.errors.append(event)
                current.last_step = event
            errors.append((event, current))
        elif kind == "validate":
            if current is None:
                current = open_by_key[key] = Sequence(key, event)
                sequences.append(current)
            else:
                current.validates.append(event)
                current.last_step = event
        elif kind == "connect":
            if current is not None:
                current.closed_by_connect = True
            current = open_by_key[key] = Sequence(key, event)
            sequences.append(current)
        else:
            current = None
            if kind == "unrecognized":
                unrecognized.append(event)
        if run is None:
            events.append(event)
            owners.append(current)
    return Correlation(
        scan, tuple(sequences), tuple(events), tuple(owners), _settle(sequences),
        tuple(errors), tuple(unrecognized),
    )  # fmt: skip


def _settle(sequences: list[Sequence]) -> dict[tuple[str | None, AccountId], list[datetime]]:
    """Settle every sequence's account and role, now that no step will be added; the times of
    successful Assume role steps per (host, account), sorted.

    A sequence's role is the first that its Connect and Assume role steps state; its account, the
    first they state, else the first its errors name (one walk: 40,000 sequences in the 5M-line
    bench corpus)."""
    assume_times: dict[tuple[str | None, AccountId], list[datetime]] = {}
    for sequence in sequences:
        validates = sequence.validates
        role = account = None
        for event in (sequence.connect, *validates) if validates else (sequence.connect,):
            if event is not None and (stated := event.role) is not None:
                if role is None:
                    role = stated.normalized
                if (account := stated.account_id) is not None:
                    break
        sequence.role_arn = role
        sequence.account_id = account = account or sequence.account_of_errors()
        if account is not None and validates:
            times = assume_times.get(where := (sequence.key[0], account)) or assume_times.setdefault(where, [])
            for validate in validates:
                if (moment := validate.time) is not None:
                    times.append(moment)
    for times in assume_times.values():
        times.sort()
    return assume_times
