"""2xx: STS AssumeRole authorization and parameters."""

from __future__ import annotations

from collections.abc import Iterator

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, Occurrence, ScanRule, register
from cvlogs.diagnostics.facts import (
    OPT_IN_REGIONS,
    arn_account,
    event_account,
    event_role,
    host_region,
    is_assume_call,
)
from cvlogs.model import AccountId, AwsError, Event

#: The AssumeRole parameters a ValidationError may name (any case), beside RoleArn (CVL202).
ASSUME_PARAMETERS = frozenset({"externalid", "rolesessionname", "durationseconds", "policy", "policyarns", "tags"})


@register
class AssumeRoleDenied(ErrorRule):
    """AssumeRole is refused: AccessDenied / "is not authorized to perform: sts:AssumeRole".

    The finding says whose principal asked (the admin account's instance role, or a tenant
    principal) and the reason AWS gave, if any.  Without a reason, the tenant role's trust policy,
    a missing `sts:AssumeRole` permission on the admin role, a condition such as ExternalId, and a
    typo in the role name all read alike (STS answers the same for a role that does not exist).
    """

    code = "CVL201"
    name = "assume-role-denied"
    severity = "error"
    category = "denied"
    specificity = 45
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
    )
    remedy = (
        "In the tenant account, let the role's trust policy trust the admin principal: "
        '{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::<admin account>:role/<access node role>"},'
        '"Action":"sts:AssumeRole"} (add the sts:ExternalId condition only if the hypervisor sends one). '
        "In the admin account, attach the sts-only policy (Action sts:AssumeRole) to the access node's "
        "instance role. Check the role name's case. For an explicit deny, change the named SCP, permissions "
        "boundary or VPC endpoint policy."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        if not is_assume_call(event):
            return None
        target = self.account_of(event, error, sequence)
        principal = error.principal
        caller = arn_account(principal)
        if caller is None:
            side = "an unnamed principal"
        elif target is not None and caller != target:
            side = f"the admin-account principal {principal}"
        else:
            side = f"the tenant-account principal {principal}"
        message = f"AssumeRole into {target or 'an unknown account'} was denied for {side}"
        if error.deny == "explicit":
            policy = f" ({error.policy_arn})" if error.policy_arn else ""
            return message + f": explicit deny in a {error.policy_type} policy{policy}"
        if error.deny == "implicit":
            return message + f": no {error.policy_type} policy allows {error.action}"
        return (
            message
            + "; AWS gave no reason (trust policy, admin sts:AssumeRole permission, condition or role-name typo)"
        )

    def account_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> AccountId | None:
        return arn_account(error.resource) or event_account(event, sequence)

    def role_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> str | None:
        return error.resource if error.resource and ":role/" in error.resource else event_role(event, sequence)


@register
class MalformedRoleArn(ErrorRule, ScanRule):
    """A role ARN in a Connect / Assume role step is not `arn:<partition>:iam::<12 digits>:role/[path/]<name>`.

    Blanks inside or around it, a single colon before the account, an account id that is not 12
    digits, or a resource that is not a role; or STS itself rejected the ARN (`Request ARN is
    invalid`, a RoleArn length or pattern error).  A redacted account (`xxxxxxxxxxxx`) is not a
    problem in itself.
    """

    code = "CVL202"
    name = "malformed-role-arn"
    severity = "error"
    specificity = 85
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
    )
    remedy = (
        "Re-enter the Role ARN of the hypervisor in Command Center with no blanks, in the form "
        "arn:aws:iam::<12-digit account>:role/<RoleName> (copy it from the IAM console's role summary)."
    )

    def check(self, context: Correlation) -> Iterator[Occurrence]:
        for event in context.events:
            role = event.role  # nearly every role is fine: that ends it first
            if role is None or not role.problems or event.kind not in {"connect", "validate"}:
                continue
            if "arn" not in role.text.lower():
                continue  # a user name for access-key authentication, not a role ARN
            message = f"role ARN {role.text.strip()!r}: {'; '.join(role.problems)}"
            account = role.account_id
            yield self.occurrence(event, message, account, role.normalized)

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        if "validation" in error.categories and (error.parameter or "").lower() == "rolearn":
            return f"STS rejected the role ARN: {error.aws_message or error.code}"
        resource = error.resource or ""
        fields = resource.split(":")
        if ":role/" in resource and len(fields) > 4 and not fields[4].strip():
            return f"the role ARN {resource!r} names no account: STS cannot assume it"
        return None


@register
class RegionDisabled(ErrorRule):
    """STS is not activated in the region for the tenant account, or an opt-in region refuses the token.

    `RegionDisabledException` / "STS is not activated in this region": the tenant (the account
    that owns the role) deactivated the regional STS endpoint the node calls.  In an opt-in region,
    `InvalidClientTokenId` or `AuthFailure` means the region is not enabled in both accounts, or
    a version-1 token from the global endpoint was used.
    """

    code = "CVL203"
    name = "region-disabled"
    severity = "error"
    specificity = 90
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html",
        "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html",
    )
    remedy = (
        "In the tenant account: IAM > Account settings > Security Token Service (STS) > activate the region "
        "the node uses; or point the node at sts.us-east-1.amazonaws.com, which cannot be deactivated. For "
        "opt-in regions, enable the region in both the tenant and the admin account and use the regional STS "
        "endpoint (or set global-endpoint tokens to version 2)."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        region = host_region(error.endpoint) or error.region
        if "region" in error.categories:
            where = f" {region}" if region else ""
            account = self.account_of(event, error, sequence)
            return f"STS is not activated (or not enabled) in the region{where} for account {account}"
        if "invalid-credentials" in error.categories and region in OPT_IN_REGIONS:
            what = error.code or "the token"
            return f"{what} in opt-in region {region}: the region is not enabled, or the token is version 1"
        return None

    def account_of(self, event: Event, error: AwsError, sequence: Sequence | None) -> AccountId | None:
        return AccountId(error.region_account) if error.region_account else event_account(event, sequence)


@register
class InvalidAssumeParameters(ErrorRule):
    """AssumeRole is refused for its ExternalId, RoleSessionName or DurationSeconds.

    A `ValidationError` names the parameter: an empty or malformed ExternalId, a session name
    with characters outside `[\\w+=,.@-]` or over 64 characters, or a DurationSeconds above the
    role's MaxSessionDuration, below 900, or above the 1-hour cap for role chaining.
    """

    code = "CVL204"
    name = "invalid-assume-parameters"
    severity = "error"
    category = "validation"
    specificity = 80
    docs = (
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html",
    )
    remedy = (
        "ExternalId: copy the tenant's exact value, never empty. RoleSessionName: only [A-Za-z0-9+=,.@_-], at "
        "most 64 characters. DurationSeconds: at most the tenant role's MaxSessionDuration (iam update-role "
        "--max-session-duration), at least 900, and at most 3600 when the role is reached by role chaining."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        parameter = error.parameter
        if not is_assume_call(event) and (parameter or "").lower() not in ASSUME_PARAMETERS:
            return None
        return f"AssumeRole refused its {parameter or 'parameters'}: {error.aws_message or error.code or ''}"[:300]


@register
class Throttled(ErrorRule):
    """AWS throttled the node: Throttling, Rate exceeded, RequestLimitExceeded, RequestThrottledException.

    STS throttling usually means credentials are requested per call or per stream instead of
    being cached; EC2 limits are shared with everything else calling in the account and region.
    """

    code = "CVL205"
    name = "throttled"
    severity = "warning"
    category = "throttling"
    specificity = 75
    docs = (
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html",
        "https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html",
    )
    remedy = (
        "Lower the number of parallel streams and discovery threads, stagger schedules across tenants, and "
        "cache AssumeRole credentials until near expiry; for EBS direct reads use fewer readers per snapshot."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        operation = f" on {error.operation}" if error.operation else ""
        return f"throttled{operation}: {error.code or 'rate exceeded'}"
