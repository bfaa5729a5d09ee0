"""Per-account summaries: roles, sequences, status and the rule behind it, first and last seen.

An account's status reads its outcomes in time order (report-contract.md): each complete
sequence (one that failed, or reached a successful Assume role) and each error outside any
sequence.  An outcome failed when one of its steps is evidence of an error-severity finding, and
the rule of that finding is what the account's ``rule`` column names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import groupby
from operator import attrgetter, itemgetter

from cvlogs.correlate import Correlation, Sequence
from cvlogs.model import AccountId, AccountStatus, AccountSummary, Event, Evidence, Finding

EventKey = tuple[str | None, str, int]
"""(host, path, line): one event, as the correlation and the rule map name it."""

Outcome = tuple[datetime, bool, str | None]
"""When, whether it failed, and the error-severity rule that says so."""

Judgement = tuple[str, str | None, datetime | None, datetime | None]
"""A sequence's status (failed, ok, incomplete), the rule it failed on, and its first and last time."""


def event_key(event: Event) -> EventKey:
    return (event.host,) + event.location  # noqa: RUF005  (measured: cheaper than unpacking into a new tuple)


def line_key(line: Event | Evidence) -> EventKey:
    """The key of an event or of a finding's evidence line (the same line gives the same key)."""
    if isinstance(line, Evidence):
        return (line.host, line.path, line.line)
    return (line.host,) + line.location  # noqa: RUF005


def summarise_accounts(
    context: Correlation, findings: list[Finding], error_rules: Mapping[EventKey, str]
) -> list[AccountSummary]:
    """One summary per tenant account that a sequence, an event or a finding names, by account id.

    ``error_rules`` maps each event that an error-severity finding cites to that finding's rule.
    """
    tallies: dict[AccountId, _Tally] = {}
    hosts: set[tuple[AccountId, str]] = set()
    roles: set[tuple[AccountId, str]] = set()
    for account, sequences in _by_account(context.sequences).items():
        tally = tallies[account] = _Tally()
        tally.sequences = len(sequences)
        # Each distinct role and host once (read in C), not a pair per sequence.
        roles.update((account, role) for role in set(map(_ROLE, sequences)) if role)
        hosts.update((account, host) for host in set(map(_HOST, map(_KEY, sequences))) if host)
        for sequence in sequences:
            steps = sequence.steps
            add_times(tally.times, sequence, steps)
            status, rule = verdict(sequence, steps, error_rules)
            if status != "incomplete":  # an outcome: it failed, or reached a successful Assume role
                failed = status == "failed"
                tally.judge((steps[0].time or datetime.min, failed, rule))  # its first step
                tally.failed += failed
    _unowned(context, error_rules, tallies, hosts)
    named_by_error: dict[AccountId, str] = {}
    for finding in findings:
        if (named := finding.account_id) is None:
            continue
        tallies.setdefault(named, _Tally())  # an account that only a finding names still gets a row
        if finding.role_arn:
            roles.add((named, finding.role_arn))
        if finding.severity == "error":
            named_by_error.setdefault(named, finding.rule)
    roles_of, hosts_of = _grouped(roles), _grouped(hosts)
    summaries = []
    for account in sorted(tallies):
        tally = tallies[account]
        status, rule = tally.status(named_by_error.get(account))
        first_seen, last_seen = tally.seen()
        summaries.append(
            AccountSummary(
                account_id=account,
                roles=roles_of.get(account, ()),
                status=status,
                sequences=tally.sequences,
                failed_sequences=tally.failed,
                first_seen=first_seen,
                last_seen=last_seen,
                hosts=hosts_of.get(account, ()),
                rule=rule,
            )
        )
    return summaries


class _Tally:
    """What an account's summary needs of its sequences and events, kept as they are read: counts,
    the times seen, its latest outcome and latest failure (100,000 tenants make 100,000 of these,
    where lists of every outcome per account cost several times the memory)."""

    __slots__ = ("failed", "failure", "outcome", "sequences", "times")

    def __init__(self) -> None:
        self.sequences = 0
        self.failed = 0
        self.times: list[datetime | None] = []
        """The times of its steps and events (None for an untimed one): the first and last seen
        are found once, in C, over all of them."""
        self.outcome: Outcome | None = None
        self.failure: Outcome | None = None

    def seen(self) -> tuple[datetime | None, datetime | None]:
        """The first and the last time seen."""
        timed = list(filter(None, self.times))  # a datetime is never false
        return min(timed, default=None), max(timed, default=None)

    def judge(self, outcome: Outcome) -> None:
        """Keep the latest outcome and the latest failure; of two at the same time, the one judged later."""
        if self.outcome is None or outcome[0] >= self.outcome[0]:
            self.outcome = outcome
        if outcome[1] and (self.failure is None or outcome[0] >= self.failure[0]):
            self.failure = outcome

    def status(self, error_rule: str | None) -> tuple[AccountStatus, str | None]:
        if self.outcome is None:
            # Nothing complete to judge by; an error-severity finding on the account still says it fails.
            return ("failing", error_rule) if error_rule is not None else ("unknown", None)
        if self.outcome[1]:
            return "failing", self.outcome[2]
        if self.failure is not None:
            return "recovered", self.failure[2]
        return "ok", None


def _by_account(sequences: Iterable[Sequence]) -> dict[AccountId, list[Sequence]]:
    """The sequences of each tenant account, in their order (a sequence without one is in none)."""
    grouped: dict[AccountId, list[Sequence]] = {}
    for sequence in sequences:
        if (account := sequence.account_id) is not None:
            (grouped.get(account) or grouped.setdefault(account, [])).append(sequence)
    return grouped


_ROLE = attrgetter("role_arn")
_KEY = attrgetter("key")
_HOST = itemgetter(0)  # of a sequence's key: the host of each of its steps


def _grouped(pairs: set[tuple[AccountId, str]]) -> dict[AccountId, tuple[str, ...]]:
    """(account, value) pairs as each account's values, sorted."""
    return {account: tuple(value for _, value in group) for account, group in groupby(sorted(pairs), itemgetter(0))}


def _unowned(
    context: Correlation,
    error_rules: Mapping[EventKey, str],
    tallies: dict[AccountId, _Tally],
    hosts: set[tuple[AccountId, str]],
) -> None:
    """Times and hosts of the events that speak of an account their sequence lacks (or that are
    in none); errors outside any sequence are outcomes too."""
    for event, owner in zip(context.events, context.owners, strict=True):
        if (owner is not None and owner.account_id is not None) or (account := event.account_id) is None:
            continue
        tally = tallies.get(account) or tallies.setdefault(account, _Tally())
        tally.times.append(event.time)
        if event.host:
            hosts.add((account, event.host))
        if owner is None and (rule := error_rules.get(event_key(event))) is not None:
            tally.judge((event.time or datetime.min, True, rule))


def judgement(sequence: Sequence, error_rules: Mapping[EventKey, str]) -> Judgement:
    """A sequence's ``verdict``, and the first and last time of its steps and activity (what the
    timeline draws of every sequence)."""
    steps = sequence.steps
    status, rule = verdict(sequence, steps, error_rules)
    times: list[datetime | None] = []
    add_times(times, sequence, steps)
    timed = list(filter(None, times))  # a datetime is never false
    return status, rule, min(timed, default=None), max(timed, default=None)


def verdict(sequence: Sequence, steps: Steps, error_rules: Mapping[EventKey, str]) -> tuple[str, str | None]:
    """A sequence's status (failed, ok, incomplete), and the rule of the last of its ``steps`` that
    an error-severity finding cites (the failure it ended on)."""
    host = (sequence.key[0],)  # every step of a sequence is on its key's host: its key is that + location
    for event in reversed(steps):
        if (rule := error_rules.get(host + event.location)) is not None:
            return "failed", rule
    status = sequence.status  # failed here: it stopped on a warning (throttled), neither ok nor a failure
    return ("incomplete" if status == "failed" else status), None


Steps = tuple[Event, ...]
"""A sequence's ``steps`` (a tuple made on each reading: read once per sequence)."""


def add_times(times: list[datetime | None], sequence: Sequence, steps: Steps) -> None:
    """Add the times of a sequence's ``steps`` and of the first and last record of its activity."""
    times += map(_TIME, steps)
    if runs := sequence.runs:
        times += (runs[0].first_time, runs[-1].last_time)


_TIME = itemgetter(Event._fields.index("time"))  # by position, in C (by name it costs more)
