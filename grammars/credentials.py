"""The Amazon credential steps of an access node: Connect, then ValidateCredentials / Assume role.

``CAmazonInfo::Connect() - Connecting to Url=[default], username[<role ARN>]`` starts a connection
with the role ARN configured on the hypervisor; ``AmazonConnection::ValidateCredentials() -
Assume role [<role ARN>]`` checks that temporary credentials can be requested and used.  Both are
matched on the message (after the header), case-insensitively and with any spacing, since the
seed guide already shows ``username[`` and ``user name[``.
"""

from __future__ import annotations

import pyparsing as pp

LBRACKET = pp.Suppress("[")
RBRACKET = pp.Suppress("]")


def bracketed(name: str) -> pp.ParserElement:
    """Everything between brackets as ``name``, kept verbatim (blanks too) so padding shows."""
    return LBRACKET + pp.Regex(r"[^\]]*").leave_whitespace()(name) + RBRACKET


URL = (pp.Suppress(pp.CaselessKeyword("Url")) + pp.Suppress("=") + bracketed("url")).set_name("Url=[...]")

USER_LABEL = pp.Regex(r"(?i)user[ _]?name|role[ _]?arn|role|user").set_name("user label")("user_label")

#: ``Connecting to Url=[default], username[arn:aws:iam::444455556666:role/CVTenantRole]``
CONNECT = (
    pp.Suppress(pp.CaselessKeyword("Connecting"))
    + pp.Suppress(pp.CaselessKeyword("to"))
    + pp.Opt(URL)
    + pp.Opt(pp.Suppress(","))
    + pp.Opt(USER_LABEL + bracketed("arn_text"))
    + pp.Tag("step", "connect")
).set_name("Connect message")

ASSUME_ROLE_LABEL = pp.Regex(r"(?i)assum(?:e|ing)[ _-]?role(?:[ _-]?arn)?\s{0,4}[:=]?").set_name("Assume role")

#: ``Assume role [arn:aws:iam::444455556666:role/CVTenantRole]`` (anywhere in the message)
ASSUME_ROLE = (ASSUME_ROLE_LABEL + bracketed("arn_text") + pp.Tag("step", "validate")).set_name("Assume role message")

#: The Class::Method() names that mark each step, as the header grammar reports them.
CONNECT_METHODS = frozenset({"Connect"})
VALIDATE_METHODS = frozenset({"ValidateCredentials"})
#: Methods that fetch the node's own credentials (instance profile, metadata service): a failure
#: on such a step is an instance-credentials failure, however the SDK words it.
INSTANCE_STEP = pp.Regex(r"(?i)instance ?(?:credential|profile|role)|metadata|imds").set_name("instance step")
#: Classes whose other messages count as Amazon API activity of an open sequence.
AMAZON_CLASS_WORDS = ("amazon", "aws", "ec2", "rds", "ebs", "sts")

#: Lower-case substrings that a line must contain for these grammars to apply (the prefilter).
TRIGGERS = ("amazon", "assume", "credential")

SAMPLES: tuple[tuple[pp.ParserElement, str, dict[str, str]], ...] = (
    (
        CONNECT,
        "Connecting to Url=[default], username[arn:aws:iam::xxxxxxxxxxxx:role/VSA_Role]",
        {"url": "default", "user_label": "username", "arn_text": "arn:aws:iam::xxxxxxxxxxxx:role/VSA_Role"},
    ),
    (
        CONNECT,
        "Connecting to Url=[default],  user name[arn:aws:iam:: xxxxxxxxxxxx :role/VSA_Role]",
        {"url": "default", "user_label": "user name", "arn_text": "arn:aws:iam:: xxxxxxxxxxxx :role/VSA_Role"},
    ),
    (
        CONNECT,
        "connecting to url = [https://ec2.us-east-1.amazonaws.com] , UserName [ arn:aws:iam::444455556666:role/R ]",
        {"url": "https://ec2.us-east-1.amazonaws.com", "arn_text": " arn:aws:iam::444455556666:role/R "},
    ),
    (
        ASSUME_ROLE,
        "Assume role [arn:aws:iam:: xxxxxxxxxxxx  :role/VSA_Role]",
        {"step": "validate", "arn_text": "arn:aws:iam:: xxxxxxxxxxxx  :role/VSA_Role"},
    ),
    (
        ASSUME_ROLE,
        "AssumeRole [arn:aws:iam::444455556666:role/CVTenantRole] for session cv-vsa",
        {"arn_text": "arn:aws:iam::444455556666:role/CVTenantRole"},
    ),
)
