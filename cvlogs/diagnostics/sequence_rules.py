"""1xx: the credential sequence itself (Connect -> Assume role -> activity or error)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from operator import attrgetter, sub

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, Occurrence, ScanRule, register
from cvlogs.model import AccountId, AwsError, Event

STORM_WINDOW = timedelta(seconds=60)
STORM_LIMIT = 30


@register
class MissingValidate(ScanRule):
    """A Connect for a role ARN is not followed by an Assume role step before its sequence ends.

    The access node started a connection with the tenant role (`CAmazonInfo::Connect()`) but never
    reached `AmazonConnection::ValidateCredentials()` / `Assume role [...]` on that thread and job:
    the next Connect came first, or the job went on to fail.  Something between the two steps broke
    (often the node's own credentials or the network path to STS).
    """

    code = "CVL101"
    name = "missing-validate"
    severity = "error"
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
    )
    remedy = (
        "Look at the lines between the Connect and the next step on that thread for the cause; check that the "
        "access node has an instance profile with the sts-only policy and can reach the regional STS endpoint "
        "(for example https://sts.us-east-1.amazonaws.com)."
    )

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        last_error = _last_error_by_job(context)
        for sequence in context.sequences:
            connect = sequence.connect
            if connect is None or sequence.attempted_assume:
                continue
            if sequence.closed_by_connect:
                ended = "the next Connect on the same thread"
            elif (latest := last_error.get((connect.host, sequence.key[3]))) is not None and (
                connect.time is not None and latest > connect.time
            ):
                ended = "a later error in the same job"
            else:
                continue
            role = sequence.role_arn
            message = f"Connect for {role or 'a role'} had no Assume role step before {ended}"
            yield self.occurrence(connect, message, sequence.account_id, role)


def _last_error_by_job(context: Correlation) -> dict[tuple[str | None, str], datetime]:
    """The time of the last error of each (host, job): a Connect before it was followed by one."""
    last: dict[tuple[str | None, str], datetime] = {}
    for error, sequence in context.errors:
        if sequence is not None and (moment := error.time) is not None:
            key = (error.host, sequence.key[3])
            if (held := last.get(key)) is None or moment > held:
                last[key] = moment
    return last


@register
class MissingConnect(ScanRule):
    """An Assume role step has no Connect before it in its sequence.

    Usually harmless: the Connect is in a log that rolled away or was not collected.  Collect the
    rolled logs (`vsbkp_YYYY_MM_DD_HH_MM_SS.log` and compressed ones) to see the whole sequence.
    """

    code = "CVL102"
    name = "missing-connect"
    severity = "info"
    docs = ("https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",)
    remedy = "Include the rolled-over logs (<name>_YYYY_MM_DD_HH_MM_SS.log, also .gz/.bz2/.zip) in the scan."

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        for sequence in context.sequences:
            if sequence.connect is None and sequence.validates:
                first = sequence.validates[0]
                message = f"Assume role for {sequence.role_arn or 'a role'} with no Connect before it"
                yield self.occurrence(first, message, sequence.account_id, sequence.role_arn)


@register
class SequenceFailed(ErrorRule):
    """A sequence ends in an AWS error that no more specific rule explains.

    The evidence is the error line itself: read its code and message.  cvlogs knows the common
    failure modes (rules CVL2xx to CVL5xx); this one is outside them.  A line that only says
    something failed (an exception, an HTTP error status, "failed"/"unable" near an AWS word)
    counts when the sequence stops there; if the sequence goes on, it is CVL901.
    """

    code = "CVL103"
    name = "sequence-failed"
    severity = "error"
    specificity = 0
    docs = (
        "https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
    )
    remedy = (
        "Read the AWS error code and message on the evidence line; search it in the AWS documentation for "
        "the service named, and in CloudTrail of the tenant account for the same time."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        if is_vague(error) and not stops_unexplained(sequence, event):
            return None  # CVL901's: the sequence goes on, or an error before it names the cause
        where = "the credential sequence" if sequence is not None else "a credential step"
        what = error.code or error.exception or "an AWS error"
        return f"{where} failed with {what}: {error.aws_message or event.message}"[:300]


def stops_unexplained(sequence: Sequence | None, event: Event) -> bool:
    """The sequence stops at ``event`` and no error before it named a cause."""
    if sequence is None or sequence.last_step is not event:
        return False
    return not any(e.error is not None and not is_vague(e.error) for e in sequence.errors if e is not event)


def is_vague(error: AwsError) -> bool:
    """The line says something failed but names no AWS code and no known kind of failure."""
    return error.code is None and not error.categories - {"not-found"}


@register
class AccountMismatch(ScanRule):
    """The account in the Connect role ARN differs from the one in the Assume role step of the same sequence.

    The hypervisor's role ARN and the role that the node actually assumes point at different
    accounts: a copy-paste slip in the hypervisor or VM group settings.
    """

    code = "CVL104"
    name = "account-mismatch"
    severity = "warning"
    docs = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",)
    remedy = (
        "Compare the Role ARN of the tenant hypervisor in Command Center with the tenant account id; "
        "correct the ARN so both steps name the same account."
    )

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        for sequence in context.sequences:
            connect = sequence.connect
            if connect is None or (stated := connect.role) is None or (named := stated.account_id) is None:
                continue
            for validate in sequence.validates:
                other = role.account_id if (role := validate.role) is not None else None
                if other is not None and other != named:
                    message = f"Connect names account {named} but Assume role names {other}"
                    yield self.occurrence(validate, message, named, sequence.role_arn, connect)


@register
class AssumeStorm(ScanRule):
    """One account is assumed more than 30 times in a 60-second window on one host.

    Temporary credentials are not being cached: each stream or call asks STS again, which risks
    STS throttling (`Rate exceeded`) and slows every job.
    """

    code = "CVL105"
    name = "assume-storm"
    severity = "warning"
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html",
    )
    remedy = (
        "Reduce parallel streams or discovery threads for this tenant; reuse credentials until near expiry "
        "(ask Commvault support about credential caching for the hypervisor)."
    )

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        assumes: dict[tuple[str | None, AccountId], list[Event]] = defaultdict(list)
        for sequence in context.sequences:
            host = sequence.key[0]  # every step's host
            for validate in sequence.validates:
                account = validate.account_id or sequence.account_id
                if account is not None and validate.time is not None:
                    assumes[(host, account)].append(validate)
        for (_, account), events in sorted(assumes.items(), key=lambda item: (item[0][0] or "", item[0][1])):
            window = _storm(sorted(events, key=_TIME))
            if window:
                message = f"{len(window)} Assume role steps for {account} within 60 s on one host"
                yield self.occurrence(window[0], message, account, window[0].role_arn, window[-1])


_TIME = attrgetter("time")


def _storm(events: list[Event]) -> list[Event]:
    """The densest window of ``events`` (timed, in time order) when it holds more than
    ``STORM_LIMIT`` of them within ``STORM_WINDOW``, else none.  Most accounts have no storm,
    which one pass over the times ``STORM_LIMIT`` steps apart shows without walking windows."""
    times = list(map(_TIME, events))  # all timed: only timed steps are collected
    if min(map(sub, times[STORM_LIMIT:], times), default=STORM_WINDOW + STORM_WINDOW) > STORM_WINDOW:
        return []
    best_start, best_size = 0, 0
    start = 0
    for end, event in enumerate(events):
        assert event.time is not None
        while (first := events[start].time) is not None and event.time - first > STORM_WINDOW:
            start += 1
        if end - start + 1 > best_size:
            best_start, best_size = start, end - start + 1
    return events[best_start : best_start + best_size]
