"""5xx: tenant API calls after a successful assume (EC2, EBS, RDS, KMS...)."""

from __future__ import annotations

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, Occurrence, register
from cvlogs.diagnostics.facts import (
    TENANT_SERVICES,
    action_service,
    arn_account,
    event_account,
    event_role,
    has_phrase,
    is_assume_call,
    is_denied,
    policy_verdict,
)
from cvlogs.model import Event

NOT_FOUND_CODES = frozenset({"InvalidVolume.NotFound", "InvalidInstanceID.NotFound", "InvalidSnapshot.NotFound"})
KMS_CODES = frozenset(
    {"CustomerKeyHasBeenRevoked", "Client.InvalidKMSKey.InvalidState", "InvalidKMSKey.InvalidState",
     "KMSKeyNotAccessibleFault", "KMSInvalidStateException", "KMS.DisabledException", "DisabledException",
     "KeyUnavailableException", "InvalidKeyUsageException", "KMSAccessDeniedException"}
)  # fmt: skip
KMS_PHRASES = ("kms master key", "customer master key", "kms key provided is in an incorrect state", "kms key")


@register
class KmsDenied(ErrorRule):
    """A KMS key blocks the call: a kms: action denied, a revoked, disabled or inaccessible key.

    Encrypted volumes and snapshots need the role that creates, attaches or reads them to be
    allowed on the key: in the key policy, and in IAM when the key policy delegates.  Across
    accounts the tenant's customer managed key must be shared; the AWS-managed `aws/ebs` key
    cannot be.
    """

    code = "CVL503"
    name = "kms-denied"
    severity = "error"
    remedy = (
        "Let the key policy (and IAM, if the key policy delegates) allow kms:DescribeKey, kms:CreateGrant, "
        "kms:GenerateDataKey*, kms:ReEncrypt* and kms:Decrypt for the tenant role; the key must be Enabled, not "
        "pending deletion. For cross-account copies use a customer managed key shared with the admin account."
    )

    def explain(self, event: Event, sequence: Sequence | None, context: Correlation) -> Occurrence | None:
        error = event.error
        if error is None:
            return None
        denied_on_kms = action_service(error) == "kms" and is_denied(error)
        if not (denied_on_kms or error.code in KMS_CODES or has_phrase(error, *KMS_PHRASES)):
            return None
        what = error.action or error.operation or "a KMS key operation"
        message = f"KMS refused {what}: {error.code or 'key not accessible'}"
        return self.occurrence(event, message, event_account(event, sequence), event_role(event, sequence))


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
    remedy = (
        "Set the tenant hypervisor's authentication to STS Role with the tenant role ARN (Command Center > "
        "Hypervisors > tenant > Authentication), and 'Use admin account resources' as the guide describes; "
        "then re-run the job."
    )

    def explain(self, event: Event, sequence: Sequence | None, context: Correlation) -> Occurrence | None:
        error = event.error
        if error is None or is_assume_call(event):
            return None
        caller = arn_account(error.principal)
        tenant = event_account(event, sequence)
        if caller is None or tenant is None or caller == tenant:
            return None
        if not (is_denied(error) or error.code in NOT_FOUND_CODES):
            return None
        message = f"{error.action or error.operation or 'a call'} for tenant {tenant} ran as {error.principal}"
        return self.occurrence(event, message, tenant, event_role(event, sequence))


@register
class TenantPermissionDenied(ErrorRule):
    """A tenant API call was denied after a successful assume: UnauthorizedOperation / AccessDenied.

    The tenant role lacks an `ec2:`, `ebs:`, `rds:`, `ssm:`, `s3:` or `iam:` permission
    (or a tenant SCP denies it).  The finding names the action and says whether it is in
    Commvault's restricted role policy (`amazon_restricted_role_permissions.json`, printed in
    the guide), and on what tag condition.
    """

    code = "CVL501"
    name = "tenant-permission-denied"
    severity = "error"
    remedy = (
        "Attach Commvault's restricted role policy (amazon_restricted_role_permissions.json) to the tenant role, "
        "or add the missing action; keep Commvault's tags (_GX_BACKUP_, CV_Retain_Snap) on its snapshots and "
        "volumes. For an explicit deny, add an exception for the Commvault role to the tenant's SCP. Decode an "
        "encoded message with aws sts decode-authorization-message."
    )

    def explain(self, event: Event, sequence: Sequence | None, context: Correlation) -> Occurrence | None:
        error = event.error
        if error is None or not is_denied(error) or is_assume_call(event):
            return None
        service = action_service(error)
        if service is not None and service not in TENANT_SERVICES:
            return None
        if error.action is None:
            operation = error.operation or "an operation"
            message = f"{operation} was denied (the log does not name the IAM action)"
        else:
            message = f"{error.action} was denied"
            if error.deny == "explicit":
                message += f" by an explicit deny in a {error.policy_type} policy"
            message += f"; {policy_verdict(error.action)}"
        return self.occurrence(event, message, event_account(event, sequence), event_role(event, sequence))
