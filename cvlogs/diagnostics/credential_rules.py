"""3xx: credentials on the access node, their lifetime and signing."""

from __future__ import annotations

import bisect
from datetime import datetime

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, register
from cvlogs.diagnostics.facts import event_account
from cvlogs.model import AccountId, AwsError, Event


@register
class NoInstanceCredentials(ErrorRule):
    """The access node could not get its own credentials from its EC2 instance profile.

    "Unable to locate credentials", instance-metadata (169.254.169.254) errors, IMDSv2 token
    failures, no instance profile or a profile without a role.  The guide requires access nodes to
    run in EC2 with an IAM role for STS AssumeRole; every tenant fails while this lasts.
    """

    code = "CVL301"
    name = "no-instance-credentials"
    severity = "error"
    category = "instance-credentials"
    specificity = 100
    docs = (
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html",
        "https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html",
    )
    remedy = (
        "Associate an instance profile with the access node (aws ec2 associate-iam-instance-profile) whose role "
        "trusts ec2.amazonaws.com and carries the sts-only policy; check with "
        "curl http://169.254.169.254/latest/meta-data/iam/info. If IMDSv2 is required, update the agent or "
        "raise the hop limit (modify-instance-metadata-options --http-put-response-hop-limit 2), and exempt "
        "169.254.169.254 from any proxy (NO_PROXY)."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        what = error.code or error.exception or next(iter(sorted(error.phrases)), "instance metadata failure")
        return f"the node has no instance credentials: {what}"

    def account_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> AccountId | None:
        return None  # the node's own credentials: every tenant fails alike

    def role_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> str | None:
        return None


@register
class ClockSkew(ErrorRule):
    """The access node's clock is off: "Signature expired", "Signature not yet current", RequestTimeTooSkewed.

    AWS refuses requests signed more than 5 (or 15) minutes away from its own time.  The finding
    gives the skew in seconds, from the request and server timestamps in the message.
    """

    code = "CVL304"
    name = "clock-skew"
    severity = "error"
    category = "skew"
    specificity = 95
    docs = (
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/set-time.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html",
    )
    remedy = (
        "Synchronise the access node's clock: chrony (Linux) or w32time (Windows) against the Amazon Time Sync "
        "Service at 169.254.169.123; check again after a VM resume or snapshot restore."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        skew = skew_seconds(error)
        if skew is None:
            return "the node's clock is too far from AWS time"
        direction = "behind" if skew < 0 else "ahead of"
        return f"the node's clock is {abs(skew):.0f} s {direction} AWS time"


def skew_seconds(error: AwsError) -> float | None:
    """Request time minus server time, in seconds (negative: the node is behind)."""
    request, server = _aws_time(error.request_time), _aws_time(error.server_time)
    return None if request is None or server is None else (request - server).total_seconds()


def _aws_time(text: str | None) -> datetime | None:
    if not text:
        return None
    for layout in ("%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    return None


@register
class CredentialsExpired(ErrorRule):
    """Temporary credentials expired: ExpiredToken, "security token ... is expired", RequestExpired.

    The finding gives the time since the last successful Assume role for the account on that
    node.  About an hour means the job outlived the default credential lifetime and the
    credentials were not refreshed.
    """

    code = "CVL302"
    name = "credentials-expired"
    severity = "error"
    category = "expired"
    specificity = 70
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html",
    )
    remedy = (
        "Credentials from AssumeRole last one hour by default. Refresh them before expiry (ask Commvault support "
        "for the fix that re-assumes during long jobs), or raise the tenant role's MaxSessionDuration "
        "(iam update-role --max-session-duration) where no role chaining is involved; split very long jobs."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        last = _last_assume(context, event.host, event_account(event, sequence), event.time)
        message = "temporary credentials expired"
        if last is not None and event.time is not None:
            minutes = (event.time - last).total_seconds() / 60
            message += f" {minutes:.0f} minutes after the last successful Assume role"
        return message


def _last_assume(
    context: Correlation, host: str | None, account: AccountId | None, before: datetime | None
) -> datetime | None:
    if account is None or before is None:
        return None
    times = context.assume_times.get((host, account), [])
    index = bisect.bisect_right(times, before)
    return times[index - 1] if index else None


@register
class InvalidCredentials(ErrorRule):
    """AWS does not accept the credentials: InvalidClientTokenId, SignatureDoesNotMatch, AuthFailure.

    The session token was dropped or cut, an ASIA key was sent without its token, a static key
    was deleted, or a TLS-inspecting proxy rewrote signed headers.  With instance roles this
    should not happen, so suspect a proxy or a truncated token.
    """

    code = "CVL303"
    name = "invalid-credentials"
    severity = "error"
    category = "invalid-credentials"
    specificity = 65
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html",
        "https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html",
    )
    remedy = (
        "With STS role authentication the node should use its instance role only: remove stale access keys from "
        "the hypervisor, exempt *.amazonaws.com from TLS inspection, and make sure nothing truncates the session "
        "token (they have no fixed length)."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        return f"AWS refused the credentials: {error.code or error.exception or 'invalid token'}"
