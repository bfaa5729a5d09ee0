"""Other SDKs' wrappers around the same AWS errors reach the same rules (sts-failures.md, section 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvlogs.parsing import scan_paths

from .test_rules import findings_for

ROLE = "arn:aws:iam::444455556666:role/R"
OPEN = (
    f"1 a 11/20 10:00:00 7 CAmazonInfo::Connect() - Connecting to Url=[default], username[{ROLE}]\n"
    f"1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - Assume role [{ROLE}]\n"
)
ADMIN = "arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-1"
DENIED = f"User: {ADMIN} is not authorized to perform: sts:AssumeRole on resource: {ROLE}"

CASES = [
    (
        "java-v2",
        f"software.amazon.awssdk.services.sts.model.StsException: {DENIED} (Service: Sts, Status Code: 403, "
        "Request ID: 5d8f, Extended Request ID: null)",
        "CVL201",
    ),
    (
        "dotnet",
        f"Amazon.SecurityToken.AmazonSecurityTokenServiceException: {DENIED} ---> "
        "Amazon.Runtime.Internal.HttpErrorResponseException: Exception was thrown.",
        "CVL201",
    ),
    (
        "cpp",
        "AWS error: Exception name: ExpiredToken Error message: The security token included in the request is expired",
        "CVL302",
    ),
    ("json-body", '{"__type":"com.amazon.coral.service#ThrottlingException","message":"Rate exceeded"}', "CVL205"),
    ("s3-slowdown", "SlowDown: Please reduce your request rate.", "CVL205"),
    ("node-v3", "ExpiredTokenException: The security token included in the request is expired", "CVL302"),
    (
        "rust",
        'service error: ServiceError { code: Some("AccessDenied"), message: Some("User: arn:aws:sts::444455556666:'
        'assumed-role/R/cv is not authorized to perform: ec2:CreateSnapshot") }',
        "CVL501",
    ),
    (
        "go-v2-dns",
        "operation error STS: AssumeRole, exceeded maximum number of attempts, 3, https response error StatusCode: 0, "
        'RequestID: , request send failed, Post "https://sts.us-east-1.amazonaws.com/": dial tcp: lookup '
        "sts.us-east-1.amazonaws.com: no such host",
        "CVL401",
    ),
    (
        "java-timeout",
        "Unable to execute HTTP request: Connect to sts.amazonaws.com:443 [sts.amazonaws.com/52.94.241.129] failed: "
        "connect timed out",
        "CVL401",
    ),
    ("go-v1-no-credentials", "NoCredentialProviders: no valid providers in chain. Deprecated.", "CVL301"),
    ("java-no-credentials", "Unable to load AWS credentials from any provider in the chain", "CVL301"),
    ("go-imds", "EC2RoleRequestError: no EC2 instance role found", "CVL301"),
    (
        "imds-json",
        '{"Code" : "AssumeRoleUnauthorizedAccess", "Message" : "EC2 cannot assume the role CVAccessNodeRole."}',
        "CVL301",
    ),
]


@pytest.mark.parametrize(("message", "rule"), [(m, r) for _, m, r in CASES], ids=[c[0] for c in CASES])
def test_wrapper_reaches_its_rule(tmp_path: Path, message: str, rule: str) -> None:
    """The error, in another SDK's words, after a successful assume, is explained by the same rule."""
    log = OPEN + f"1 a 11/20 10:00:05 7 CAmazonInfo::Call() - {message}\n"
    explained = {f.rule for f in findings_for(tmp_path, log) if f.severity != "info"}
    assert rule in explained, explained
    assert "CVL103" not in explained


def test_assume_role_worded_without_brackets(tmp_path: Path) -> None:
    """'Assuming role arn:...' is an Assume role step with its ARN."""
    log = (
        f"1 a 11/20 10:00:00 7 CAmazonInfo::Connect() - Connecting to {ROLE}\n"
        f"1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - Assuming role {ROLE} for tenant\n"
    )
    assert [f.rule for f in findings_for(tmp_path, log)] == []
    steps = [(e.kind, e.account_id) for e in scan_paths([tmp_path]).events]
    assert steps == [("connect", "444455556666"), ("validate", "444455556666")]
