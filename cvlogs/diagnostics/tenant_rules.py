"""5xx: tenant API calls after a successful assume (EC2, EBS, RDS, KMS...)."""

from __future__ import annotations

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, register
from cvlogs.diagnostics.facts import (
    TENANT_SERVICES,
    action_service,
    arn_account,
    event_account,
    is_assume_call,
    policy_verdict,
)
from cvlogs.model import AwsError, Event


@register
class KmsDenied(ErrorRule):
    """A KMS key blocks the call: a kms: action denied, a revoked, disabled or inaccessible key.

    Encrypted volumes and snapshots need the role that creates, attaches or reads them to be
    allowed on the key: in the key policy, and in IAM when the key policy delegates.  Across
    accounts the tenant's customer managed key must be shared; the AWS-managed ``aws/ebs`` key
    cannot be.
    """

    code = "CVL503"
    name = "kms-denied"
    severity = "error"
    category = "kms"
    specificity = 55
    docs = (
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html",
    )
    remedy = (
        "Let the key policy (and IAM, if the key policy delegates) allow kms:DescribeKey, kms:CreateGrant, "
        "kms:GenerateDataKey*, kms:ReEncrypt* and kms:Decrypt for the tenant role; the key must be Enabled, not "
        "pending deletion. For cross-account copies use a customer managed key shared with the admin account."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        what = error.action or error.operation or "a KMS key operation"
        return f"KMS refused {what}: {error.code or error.exception or 'key not accessible'}"


@register
class AdminCredentialsUsed(ErrorRule):
    """A tenant-resource call was made with the admin account's credentials: AssumeRole was skipped.

    The principal in the denial (or NotFound) is the access node's own role in the admin
    account, not the tenant role: the hypervisor is set to "IAM role" instead of "STS assume
    role", or the assumed credentials were not used for the call.
    """

    code = "CVL502"
    name = "admin-credentials-used"
    severity = "error"
    specificity = 50
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
    )
    remedy = (
        "Set the tenant hypervisor's authentication to STS Role with the tenant role ARN (Command Center > "
        "Hypervisors > tenant > Authentication), and 'Use admin account resources' as the guide describes; "
        "then re-run the job."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        if is_assume_call(event) or not error.categories & {"denied", "not-found"}:
            return None
        caller = arn_account(error.principal)
        tenant = event_account(event, sequence)
        if caller is None or tenant is None or caller == tenant:
            return None
        return f"{error.action or error.operation or 'a call'} for tenant {tenant} ran as {error.principal}"


@register
class TenantPermissionDenied(ErrorRule):
    """A tenant API call was denied after a successful assume: UnauthorizedOperation / AccessDenied.

    The tenant role lacks an ``ec2:``, ``ebs:``, ``rds:``, ``ssm:``, ``s3:`` or ``iam:`` permission
    (or a tenant SCP denies it).  The finding names the action and says whether it is in
    Commvault's restricted role policy (``amazon_restricted_role_permissions.json``, printed in
    the guide), and on what tag condition.
    """

    code = "CVL501"
    name = "tenant-permission-denied"
    severity = "error"
    category = "denied"
    specificity = 40
    docs = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html",
    )
    remedy = (
        "Attach Commvault's restricted role policy (amazon_restricted_role_permissions.json) to the tenant role, "
        "or add the missing action; keep Commvault's tags (_GX_BACKUP_, CV_Retain_Snap) on its snapshots and "
        "volumes. For an explicit deny, add an exception for the Commvault role to the tenant's SCP. Decode an "
        "encoded message with aws sts decode-authorization-message."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        if is_assume_call(event):
            return None
        service = action_service(error)
        if service is not None and service not in TENANT_SERVICES:
            return None
        if error.action is None:
            return f"{error.operation or 'an operation'} was denied (the log does not name the IAM action)"
        message = f"{error.action} was denied"
        if error.deny == "explicit":
            message += f" by an explicit deny in a {error.policy_type} policy"
        return message + f"; {policy_verdict(error.action)}"
