"""The immutable records that every stage passes forward: sources, role ARNs, events, file results.

All are frozen slots dataclasses except ``Event`` and its ``Location``, named tuples: a scan
builds one per credential line in worker processes and ships it to the main one, and a named
tuple was measured about five times cheaper to build and to unpickle than a frozen dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Literal, NamedTuple, NewType

AccountId = NewType("AccountId", str)
"""A 12-digit AWS account id, kept as a string so that leading zeros survive."""

Family = str
"""``cvd``, ``vsdiscovery``, ``vsbkp``, ``vsrst``; with ``--all-logs`` or a named file, any module
(the banner's, lower-cased), ``other`` when unknown."""


class Compact:
    """Pickled as its class and its field values in order (for what worker processes send back).

    A frozen slots dataclass otherwise pickles through ``__getstate__``/``__setstate__`` and one
    ``object.__setattr__`` per field; measured on the bench corpus, this halves the time to move
    a file's events between processes.
    """

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]]

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple([getattr(self, name) for name in self.__match_args__])


EventKind = Literal["connect", "validate", "error", "activity", "unrecognized", "other"]


@dataclass(frozen=True, slots=True)
class SkippedSource(Compact):
    """A file met under a scanned path that was not read, and why (a person reads the reason)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class RoleArn(Compact):
    """A role ARN as logged, with what is wrong with it for STS (``problems`` empty when fine)."""

    text: str
    """The ARN as it stands between the brackets of the log line, blanks included."""
    normalized: str
    """The ARN with every blank removed: what the user most likely meant."""
    partition: str | None
    account_id: AccountId | None
    """None when the account field is absent or not 12 digits; see ``problems``."""
    redacted: bool
    """The account id was written as ``xxxxxxxxxxxx`` (guides, scrubbed logs)."""
    resource_type: str | None
    name: str | None
    """The role name; ``path`` holds what stands between ``role/`` and the name."""
    path: str
    problems: tuple[str, ...]

    @property
    def is_valid(self) -> bool:
        return not self.problems


Category = Literal[
    "denied", "expired", "invalid-credentials", "skew", "network", "instance-credentials", "validation",
    "throttling", "kms", "region", "not-found",
]  # fmt: skip
"""What kind of failure a piece of AWS error vocabulary names (``grammars/vocabulary.py`` tags each entry)."""


@dataclass(frozen=True, slots=True)
class AwsError(Compact):
    """The facts found in one AWS error message, whatever SDK wrapped it."""

    code: str | None = None
    operation: str | None = None
    service: str | None = None
    status: int | None = None
    aws_message: str | None = None
    principal: str | None = None
    action: str | None = None
    resource: str | None = None
    policy_type: str | None = None
    deny: str | None = None
    """``implicit`` (no policy allows) or ``explicit`` (a policy denies), when AWS said which."""
    policy_arn: str | None = None
    endpoint: str | None = None
    """The ``*.amazonaws.com`` host named by the message or its URL."""
    url: str | None = None
    connection_error: str | None = None
    curl_code: int | None = None
    request_time: str | None = None
    server_time: str | None = None
    skew_direction: str | None = None
    region_account: str | None = None
    parameter: str | None = None
    bad_value: str | None = None
    reason: str | None = None
    phrases: frozenset[str] = frozenset()
    """Lower-case key phrases (``rate exceeded``, ``unable to locate credentials``...)."""
    encoded_message: bool = False
    region: str | None = None
    """A region the text names (``region:ap-east-1``), when it names one."""
    categories: frozenset[Category] = frozenset()
    """The kinds of failure the message names (codes, exception names, phrases and facts together)."""
    exception: str | None = None
    """The SDK's exception class (``Amazon.EC2.AmazonEC2Exception``), never taken for the AWS code."""
    aws_context: bool = True
    """The line itself says it is about AWS (a code, an AWS host or ARN, an SDK or AWS service name);
    without it, its words count only inside an open credential sequence."""


class Location(NamedTuple):
    """Where a line stands: the path as reported (relative to the scanned PATH) and its 1-based number."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Event(NamedTuple):
    """One log record that a grammar recognised (or, with ``--all``, any record)."""

    kind: EventKind
    location: Location
    time: datetime | None
    host: str | None
    family: Family
    pid: int
    tid: str
    job: str
    function: str
    message: str
    """The message after the header, continuation lines joined with newlines."""
    text: str
    """The header line as it stands in the file (without its line ending)."""
    role: RoleArn | None = None
    url: str | None = None
    error: AwsError | None = None

    @property
    def account_id(self) -> AccountId | None:
        """The account this event speaks of: the role's, else the one an error names."""
        if self.role is not None and self.role.account_id is not None:
            return self.role.account_id
        return None if self.error is None else error_account(self.error)

    @property
    def role_arn(self) -> str | None:
        return None if self.role is None else self.role.normalized


def error_account(error: AwsError) -> AccountId | None:
    """The tenant account an error names: a role resource first, then the region account, then the principal."""
    for arn in (error.resource, error.region_account and f"arn:aws:iam::{error.region_account}:", error.principal):
        if arn:
            parts = arn.split(":")
            if len(parts) > 4 and len(parts[4]) == 12 and parts[4].isdigit():
                return AccountId(parts[4])
    return None


@dataclass(frozen=True, slots=True)
class LineSample(Compact):
    """A line kept as an example (unparsed lines): where it is and its text."""

    location: Location
    text: str


class ActivityRun(NamedTuple):
    """Amazon-activity records of one thread and job in one file, counted rather than kept.

    The scanner cuts a run wherever a credential step or error of the same pid, thread and job
    stands between two of them, so a run belongs to one credential sequence.  Of its records it
    keeps how many there are and the line, time and bytes of the first and the last: what the
    correlation and the report read.  Their events (``first``, ``last``: evidence, the events
    table) are made from the bytes when asked for, so a scan that only counts activity never makes
    them (``cvlogs events --all`` lists every record).
    """

    records: int
    first_line: int
    last_line: int
    first_time: datetime | None
    last_time: datetime | None
    host: str | None
    path: str
    family: Family
    pid: int
    tid: str
    job: str
    first_text: bytes | Event
    """The first record's bytes as the file has them (its lines, each with its line ending), or its event."""
    last_text: bytes | Event

    @classmethod
    def of(cls, event: Event) -> ActivityRun:
        """An activity event (``--all``, a live watch) as a run of one record."""
        line = event.location.line
        return cls(
            1, line, line, event.time, event.time, event.host, event.location.path, event.family,
            event.pid, event.tid, event.job, event, event,
        )  # fmt: skip

    @property
    def kind(self) -> EventKind:
        """What a sequence's last step is when this run is (``Event.kind``'s value for it)."""
        return "activity"

    @property
    def first(self) -> Event:
        return self._event(self.first_text, self.first_line, self.first_time)

    @property
    def last(self) -> Event:
        return self._event(self.last_text, self.last_line, self.last_time)

    def _event(self, text: bytes | Event, line: int, time: datetime | None) -> Event:
        if isinstance(text, Event):
            return text
        from cvlogs.parsing.lines import activity_event  # noqa: PLC0415  (the parsing layer reads the text)

        return activity_event(text, Location(self.path, line), time, self.host, self.family)


@dataclass(frozen=True, slots=True)
class Banner(Compact):
    """What the ``*****`` banner of a Commvault log says (``grammars/banner.py``); None when absent."""

    machine: str | None
    """The machine's host name, lower-cased (``Machine``'s host part, else ``Hostname``, else the client)."""
    client: str | None = None
    display_name: str | None = None
    instance: str | None = None
    ip_addresses: tuple[str, ...] = ()
    module: str | None = None
    commserve: str | None = None
    version: str | None = None
    date: date | None = None
    """The banner's date: the year of the lines below it."""
    zone: str | None = None
    utc_offset: int | None = None
    """Minutes east of UTC, as the banner states it (Windows writes the zone's standard offset)."""
    os: str | None = None
    line: int = 0
    """The 1-based line number of its first border."""


YearSource = Literal["line", "banner", "rolled name", "bundle name", "modification time"]


@dataclass(frozen=True, slots=True)
class FileResult(Compact):
    """Everything one log file yields; ``lines == records + continuations + banner + unparsed`` always."""

    path: str
    family: Family
    host: str | None
    lines: int
    records: int
    continuations: int
    unparsed: int
    first_time: datetime | None
    last_time: datetime | None
    events: tuple[Event, ...] = ()
    unparsed_samples: tuple[LineSample, ...] = ()
    year: int | None = None
    """The year of the file's last line (see ``year_source``)."""
    encoding: str = "utf-8"
    banner: int = 0
    """Lines that belong to banners (their borders, entries and the blank line after one)."""
    banners: tuple[Banner, ...] = ()
    year_source: YearSource | None = None
    """What dated the file: a year in its lines, its banner, its rolled name, its bundle's name or its mtime."""
    activity: tuple[ActivityRun, ...] = ()
    """The Amazon activity that is summarised rather than kept (see ``ActivityRun``)."""

    @property
    def listed_events(self) -> tuple[Event, ...]:
        """The events with each activity run's first and last record, in line order (the events table)."""
        if not self.activity:
            return self.events
        ends = [e for run in self.activity for e in ((run.first,) if run.records == 1 else (run.first, run.last))]
        return tuple(sorted((*self.events, *ends), key=lambda e: e.location.line))

    @property
    def environment(self) -> Banner | None:
        """The file's first banner (machine, module, version, zone), if it has one."""
        return self.banners[0] if self.banners else None

    @property
    def utc_offset(self) -> int | None:
        """Minutes east of UTC of the file's lines, when a banner states the zone."""
        return next((b.utc_offset for b in self.banners if b.utc_offset is not None), None)

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        """Pickled with its events and its activity runs as columns (what a worker process sends
        back): one list per field pickles and unpickles about twice as fast as one tuple per
        event (measured)."""
        values = [getattr(self, name) for name in self.__match_args__]
        events, runs = values[_EVENTS], values[_ACTIVITY]
        values[_EVENTS] = values[_ACTIVITY] = ()
        columns = [list(column) for column in zip(*events, strict=True)]
        if columns:  # the locations as two columns of their own: paths, line numbers
            locations = columns[_LOCATION]
            columns[_LOCATION : _LOCATION + 1] = [[at.path for at in locations], [at.line for at in locations]]
        return _file_result, (tuple(values), columns, [list(column) for column in zip(*runs, strict=True)])


def _file_result(values: tuple[Any, ...], columns: list[list[Any]], runs: list[list[Any]]) -> FileResult:
    fields = list(values)
    # tuple's own constructor (no Python frame per row, as ``Event(...)`` or ``_make`` have):
    # this runs in the main process for every event while the workers are still reading.
    if columns:
        columns[_LOCATION : _LOCATION + 2] = [
            [_new(Location, at) for at in zip(*columns[_LOCATION : _LOCATION + 2], strict=True)]
        ]
        fields[_EVENTS] = tuple([_new(Event, row) for row in zip(*columns, strict=True)])
    if runs:
        fields[_ACTIVITY] = tuple([_new(ActivityRun, row) for row in zip(*runs, strict=True)])
    return FileResult(*fields)


_new = tuple.__new__
_EVENTS = FileResult.__match_args__.index("events")
_ACTIVITY = FileResult.__match_args__.index("activity")
_LOCATION = Event._fields.index("location")


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The parse stage over every PATH: files read, files skipped, in a stable order."""

    files: tuple[FileResult, ...]
    skipped: tuple[SkippedSource, ...] = field(default=())

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(event for result in self.files for event in result.events)

    @property
    def listed_events(self) -> tuple[Event, ...]:
        """The events of every file as the events table lists them (see ``FileResult.listed_events``)."""
        return tuple(event for result in self.files for event in result.listed_events)


Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One line that shows a finding: where it is and what it says (redacted only when reported)."""

    path: str
    line: int
    text: str
    host: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule for one account and role: how often, since when, and the lines that show it."""

    rule: str
    name: str
    severity: Severity
    account_id: AccountId | None
    role_arn: str | None
    message: str
    first_seen: datetime | None
    count: int
    evidence: tuple[Evidence, ...]
    remedy: str
    hosts: tuple[str, ...] = ()
    """The machines whose lines show the finding (empty when no host is known)."""
    docs: tuple[str, ...] = ()
    """The AWS documentation pages of the rule (links, never fetched)."""


AccountStatus = Literal["failing", "recovered", "ok", "unknown"]


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """One AWS account as the logs show it (report-contract.md, ``accounts``)."""

    account_id: AccountId
    roles: tuple[str, ...]
    status: AccountStatus
    """failing: its last complete sequence failed (an error-severity finding on one of its steps);
    recovered: one failed earlier, the last one succeeded; ok: none failed; unknown: no complete
    sequence (and no error-severity finding) to judge by.  A sequence that stopped on a warning
    (throttled) is not complete: never ok while its last sequence failed."""
    sequences: int
    failed_sequences: int
    first_seen: datetime | None
    last_seen: datetime | None
    hosts: tuple[str, ...] = ()
    """The machines that spoke of the account."""
    rule: str | None = None
    """The rule code that explains the account's last failure (failing, recovered), else None."""
