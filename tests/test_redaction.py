"""Secrets never leave cvlogs unless --no-redact is given, in any format."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvlogs.cli import app
from cvlogs.redact import redact

from .conftest import write_log

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
TEMP_KEY_ID = "ASIAY34FZKBOKMUTVV7A"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJGMEQCIDexampleTokenValue1234567890abcdefABCDEF"
TOKEN_URL = "IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJGMEQCIDexample99"
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
IMDS_TOKEN = "AQAEAFTNrA4eEGpQWOk5dOBRJgT8TtVrV6AeaOLiDrUvMrBSnzG0DQ=="
SECRETS = (KEY_ID, TEMP_KEY_ID, SECRET, TOKEN, TOKEN_URL.split("%", 1)[0] + "%2F", SIGNATURE, IMDS_TOKEN)
ROLE = "arn:aws:iam::444455556666:role/R"
CONNECT = "CAmazonInfo::Connect() - Connecting to Url=[default], username"
DENIED = "An error occurred (SignatureDoesNotMatch) when calling the AssumeRole operation"

LOG = f"""copied from a shell: aws_secret_access_key={SECRET} {KEY_ID}
1 a 11/20 10:00:00 7 {CONNECT}[{ROLE}]
1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - {DENIED}: key {KEY_ID} secret_key={SECRET}
    GET https://sts.us-east-1.amazonaws.com/?X-Amz-Security-Token={TOKEN_URL}&X-Amz-Signature={SIGNATURE}
1 b 11/20 10:00:02 ### CvSession::Refresh() - credential refreshed: aws_session_token={TOKEN} for {TEMP_KEY_ID}
1 c 11/20 10:00:03 ### CAmazonInfo::Imds() - Error retrieving metadata: x-aws-ec2-metadata-token: {IMDS_TOKEN} failed
1 d 11/20 10:00:04 8 {CONNECT}[{ROLE} {KEY_ID}]
"""

runner = CliRunner()


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    write_log(tmp_path / "logs", "vsbkp_2026_11_20_23_00_00.log", LOG)
    return tmp_path / "logs"


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize("output_format", ["text", "json", "markdown", "html"])
def test_scan_reports_never_carry_secrets(planted: Path, output_format: str) -> None:
    """Every scan format masks key ids and removes secrets, tokens, signatures and IMDS tokens."""
    result = runner.invoke(app, ["scan", str(planted), "--format", output_format, "--jobs", "1", "--details"])
    assert result.exit_code == 1, result.output
    assert "CVL" in result.stdout
    assert _leaks(result.stdout) == []
    assert "AKIA…MPLE" in result.stdout


@pytest.mark.parametrize("output_format", ["table", "csv", "jsonl"])
def test_event_outputs_never_carry_secrets(planted: Path, output_format: str) -> None:
    """The events table is redacted too, continuation lines included."""
    result = runner.invoke(app, ["events", str(planted), "--all", "--format", output_format, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert _leaks(result.stdout) == []


def test_no_redact_is_an_explicit_opt_in(planted: Path) -> None:
    """With --no-redact the evidence shows what was logged (so the redacted runs had it to hide)."""
    report = runner.invoke(app, ["scan", str(planted), "--format", "json", "--no-redact", "--jobs", "1"])
    assert SECRET in report.stdout  # the unparsed first line, as CVL902's evidence
    assert KEY_ID in report.stdout
    result = runner.invoke(app, ["events", str(planted), "--format", "jsonl", "--no-redact", "--jobs", "1"])
    assert KEY_ID in result.stdout
    assert SECRET in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {KEY_ID}", "key AKIA…MPLE"),
        (f'"SecretAccessKey": "{SECRET}"', '"SecretAccessKey": "[REDACTED]"'),
        (
            f"Credential={TEMP_KEY_ID}/20261120/us-east-1/sts/aws4_request",
            "Credential=ASIA…VV7A/20261120/us-east-1/sts/aws4_request",
        ),
        (f"x-amz-security-token:{TOKEN}", "x-amz-security-token:[REDACTED]"),
        (f"Signature={SIGNATURE}", "Signature=[REDACTED]"),
        ("Signature expired: 20151221T200419Z is now earlier", "Signature expired: 20151221T200419Z is now earlier"),
        ("token length [1024], expires in [3600] s", "token length [1024], expires in [3600] s"),
    ],
)
def test_redaction_patterns(text: str, expected: str) -> None:
    """Each secret shape is masked; ordinary words around secrets are left alone."""
    assert redact(text) == expected
    assert redact(redact(text)) == expected
