"""Per-account summaries: roles, sequences, status, first and last seen (report-contract.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics import ErrorExplainer, rules
from cvlogs.model import AccountId, AccountStatus, AccountSummary, Event, Finding


def summarise_accounts(context: Correlation, findings: list[Finding]) -> list[AccountSummary]:
    """One summary per tenant account that a sequence, an event or a finding names, by account id."""
    sequences: dict[AccountId, list[Sequence]] = defaultdict(list)
    times: dict[AccountId, list[datetime]] = defaultdict(list)
    hosts: dict[AccountId, set[str]] = defaultdict(set)
    roles: dict[AccountId, set[str]] = defaultdict(set)
    for sequence in context.sequences:
        if (account := sequence.account_id) is not None:
            sequences[account].append(sequence)
            if sequence.role_arn:
                roles[account].add(sequence.role_arn)
            ends = _activity_ends(sequence)  # activity is counted, not among the events
            times[account] += [e.time for e in ends if e.time is not None]
            hosts[account].update(e.host for e in ends if e.host)
    # An event speaks of its sequence's account when the sequence has one, else of its own.
    step_of = context.event_sequence
    for event in context.events:
        owner = step_of.get((event.host, event.location.path, event.location.line))
        account = owner.account_id if owner is not None else None
        if account is None and (account := event.account_id) is None:
            continue
        if event.time is not None:
            times[account].append(event.time)
        if event.host:
            hosts[account].add(event.host)
    failed_by_finding: set[AccountId] = set()
    for finding in findings:
        if finding.account_id is None:
            continue
        times.setdefault(finding.account_id, [])  # an account that only a finding names still gets a row
        if finding.role_arn:
            roles[finding.account_id].add(finding.role_arn)
        if finding.severity == "error":
            failed_by_finding.add(finding.account_id)
    summaries = []
    explainer = ErrorExplainer()
    for account in sorted(set(times) | set(sequences)):
        mine = sorted(sequences[account], key=lambda s: s.first.time or datetime.min)
        seen = times[account]
        summaries.append(
            AccountSummary(
                account_id=account,
                roles=tuple(sorted(roles[account])),
                status=_status(mine, context, account in failed_by_finding, explainer),
                sequences=len(mine),
                failed_sequences=sum(1 for s in mine if s.status == "failed"),
                first_seen=min(seen, default=None),
                last_seen=max(seen, default=None),
                hosts=tuple(sorted(hosts[account])),
            )
        )
    return summaries


def _activity_ends(sequence: Sequence) -> tuple[Event, ...]:
    """The first and last activity records of a sequence (none without activity)."""
    activity = sequence.activity
    return () if activity is None else (activity.first, activity.last)


def _status(
    sequences: list[Sequence], context: Correlation, has_error_finding: bool, explainer: ErrorExplainer
) -> AccountStatus:
    if sequences and sequences[-1].status == "failed":
        explained = [explainer.explain(error, context) for error in sequences[-1].errors]
        severities = {rules()[found.code].severity for found in explained if found is not None}
        if "error" in severities:
            return "failed"
        if severities:
            return "incomplete"  # the last sequence stopped on a warning: not ok, not a failure either
    if any(s.status == "ok" for s in sequences):
        return "ok"
    if not sequences and has_error_finding:
        return "failed"
    return "incomplete"
