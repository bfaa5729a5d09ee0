"""Redaction: what a support ticket must never carry (report-contract.md, "Secrets").

Access key ids keep their prefix and last four characters (``AKIA…WXYZ``), which is enough to
match them against IAM without leaking them; secret keys, session tokens (plain and
URL-encoded), SigV4 signatures and IMDS tokens become ``[REDACTED]``.  Patterns are anchored
on key names where possible, with fallbacks for bare token prefixes, and are linear-time.
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"
# No leading word boundary: a key id glued to a role name (blanks removed from an ARN) is still one.
# The possessive repeat never backtracks, which keeps long runs of capitals linear.
_KEY_ID = re.compile(
    r"(?P<prefix>AKIA|ASIA|A3T[A-Z0-9]|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)(?P<rest>[A-Z0-9]{16,128}+)"
)
_VALUE = r"[\"']?\s*[:=]\s*[\"']?"
_BY_NAME = re.compile(
    r"(?i)(?P<name>aws_?secret_?access_?key|secret_?access_?key|secretkey|secret_key|aws_?session_?token"
    r"|session_?token|security_?token|x-amz-security-token|\"?token\"?|x-aws-ec2-metadata-token"
    r"|x-amz-signature|signature|client_?secret|password|passwd|external_?id)"
    + _VALUE
    + r"(?P<value>[A-Za-z0-9/+=%._\-]{8,})"
)
_IMDS_HEADER = re.compile(r"(?i)(?P<name>x-aws-ec2-metadata-token(?:-ttl-seconds)?:\s*)(?P<value>\S+)")
# v2 session tokens start IQoJb3JpZ2luX2Vj ('!\n\torigin_ec'); older ones FwoGZXIvYXdz / FQoGZXIvYXdz.
_TOKEN_PREFIX = re.compile(r"(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=%]{16,}")
_SIGV4 = re.compile(r"(?i)(?P<name>signature=)(?P<value>[0-9a-f]{64})\b|\b[0-9a-f]{64}\b")
_SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")


def _mask_key_id(found: re.Match[str]) -> str:
    return f"{found['prefix']}…{found['rest'][-4:]}"


def _named(found: re.Match[str]) -> str:
    value = found["value"]
    if value.lower() in {"null", "none", "true", "false"} or value.isdigit():
        return found[0]  # a flag or a number, not a secret
    return found[0][: found.start("value") - found.start()] + REDACTED


def redact(text: str) -> str:
    """``text`` with every AWS secret masked; idempotent."""
    if not text:
        return text
    text = _IMDS_HEADER.sub(lambda m: m["name"] + REDACTED, text)
    text = _BY_NAME.sub(_named, text)
    text = _TOKEN_PREFIX.sub(REDACTED, text)
    text = _SIGV4.sub(lambda m: (m["name"] + REDACTED) if m["name"] else REDACTED, text)
    text = _KEY_ID.sub(_mask_key_id, text)
    return _SECRET_SHAPE.sub(_secret_shape, text)


def _secret_shape(found: re.Match[str]) -> str:
    """A bare 40-character base64 word is a secret access key when it mixes cases and digits."""
    word = found[0]
    mixed = any(c.islower() for c in word) and any(c.isupper() for c in word) and any(c.isdigit() for c in word)
    return REDACTED if mixed else word
