"""Per-account summaries: roles, sequences, status and the rule behind it, first and last seen.

An account's status reads its outcomes in time order (report-contract.md): each complete
sequence (one that failed, or reached a successful Assume role) and each error outside any
sequence.  An outcome failed when one of its steps is evidence of an error-severity finding, and
the rule of that finding is what the account's ``rule`` column names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from cvlogs.correlate import Correlation, Sequence
from cvlogs.model import AccountId, AccountStatus, AccountSummary, Event, Evidence, Finding

EventKey = tuple[str | None, str, int]
"""(host, path, line): one event, as the correlation and the rule map name it."""

Outcome = tuple[datetime, bool, str | None]
"""When, whether it failed, and the error-severity rule that says so."""


def event_key(event: Event) -> EventKey:
    return (event.host, event.location.path, event.location.line)


def line_key(line: Event | Evidence) -> EventKey:
    """The key of an event or of a finding's evidence line (the same line gives the same key)."""
    if isinstance(line, Evidence):
        return (line.host, line.path, line.line)
    return event_key(line)


def summarise_accounts(
    context: Correlation, findings: list[Finding], error_rules: Mapping[EventKey, str]
) -> list[AccountSummary]:
    """One summary per tenant account that a sequence, an event or a finding names, by account id.

    ``error_rules`` maps each event that an error-severity finding cites to that finding's rule.
    """
    sequences: dict[AccountId, list[Sequence]] = defaultdict(list)
    outcomes: dict[AccountId, list[Outcome]] = defaultdict(list)
    failed: dict[AccountId, int] = defaultdict(int)
    times: dict[AccountId, list[datetime]] = defaultdict(list)
    hosts: dict[AccountId, set[str]] = defaultdict(set)
    roles: dict[AccountId, set[str]] = defaultdict(set)
    for sequence in context.sequences:
        if (account := sequence.account_id) is None:
            continue
        sequences[account].append(sequence)
        if sequence.role_arn:
            roles[account].add(sequence.role_arn)
        for end in sequence.activity_ends:  # activity is counted in runs, not among the events
            if end.time is not None:
                times[account].append(end.time)
            if end.host:
                hosts[account].add(end.host)
        if (outcome := _outcome(sequence, error_rules)) is not None:
            outcomes[account].append(outcome)
            failed[account] += outcome[1]
    _events(context, error_rules, times, hosts, outcomes)
    named_by_error: dict[AccountId, str] = {}
    for finding in findings:
        if finding.account_id is None:
            continue
        times.setdefault(finding.account_id, [])  # an account that only a finding names still gets a row
        if finding.role_arn:
            roles[finding.account_id].add(finding.role_arn)
        if finding.severity == "error":
            named_by_error.setdefault(finding.account_id, finding.rule)
    summaries = []
    for account in sorted(set(times) | set(sequences)):
        status, rule = _status(outcomes[account], named_by_error.get(account))
        seen = times[account]
        summaries.append(
            AccountSummary(
                account_id=account,
                roles=tuple(sorted(roles[account])),
                status=status,
                sequences=len(sequences[account]),
                failed_sequences=failed[account],
                first_seen=min(seen, default=None),
                last_seen=max(seen, default=None),
                hosts=tuple(sorted(hosts[account])),
                rule=rule,
            )
        )
    return summaries


def _events(
    context: Correlation,
    error_rules: Mapping[EventKey, str],
    times: dict[AccountId, list[datetime]],
    hosts: dict[AccountId, set[str]],
    outcomes: dict[AccountId, list[Outcome]],
) -> None:
    """Times and hosts of each account's events; errors outside any sequence are outcomes too.

    An event speaks of its sequence's account when the sequence has one, else of its own.
    """
    step_of = context.event_sequence
    for event in context.events:
        key = event_key(event)
        owner = step_of.get(key)
        account = owner.account_id if owner is not None else None
        if account is None and (account := event.account_id) is None:
            continue
        if event.time is not None:
            times[account].append(event.time)
        if event.host:
            hosts[account].add(event.host)
        if owner is None and (rule := error_rules.get(key)) is not None:
            outcomes[account].append((event.time or datetime.min, True, rule))


def failure_of(sequence: Sequence, error_rules: Mapping[EventKey, str]) -> tuple[str, str | None]:
    """A sequence's status (failed, ok, incomplete) and, when it failed, the rule of the last of
    its steps that an error-severity finding cites: the failure the sequence ended on."""
    rule = None
    for event in (sequence.connect, *sequence.validates, *sequence.errors):
        if event is not None and (found := error_rules.get(event_key(event))) is not None:
            rule = found
    if rule is not None:
        return "failed", rule
    if sequence.status == "failed":  # it stopped on a warning (throttled): neither ok nor a failure
        return "incomplete", None
    return ("ok" if sequence.validates else "incomplete"), None


def _outcome(sequence: Sequence, error_rules: Mapping[EventKey, str]) -> Outcome | None:
    """The sequence's outcome, or None while it is incomplete (no success, no failure)."""
    status, rule = failure_of(sequence, error_rules)
    moment = sequence.first.time or datetime.min
    return None if status == "incomplete" else (moment, status == "failed", rule)


def _status(outcomes: list[Outcome], error_rule: str | None) -> tuple[AccountStatus, str | None]:
    if not outcomes:
        # Nothing complete to judge by; an error-severity finding on the account still says it fails.
        return ("failing", error_rule) if error_rule is not None else ("unknown", None)
    outcomes.sort(key=lambda o: o[0])
    failures = [rule for _, failed, rule in outcomes if failed]
    if outcomes[-1][1]:
        return "failing", outcomes[-1][2]
    if failures:
        return "recovered", failures[-1]
    return "ok", None
