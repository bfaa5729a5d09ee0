"""Amazon Resource Names as they appear in access-node logs, damaged ones included.

``arn:<partition>:<service>:<region>:<account>:<resource>``.  The grammar is deliberately lenient:
pyparsing skips blanks between the tokens, so ``arn:aws:iam:: xxxxxxxxxxxx :role/VSA_Role`` (the
seed guide's PDF copy) still yields its pieces, and the parsing module then flags what a real
AWS call would reject (blanks inside, a single colon, an account that is not 12 digits, a
resource that is not a role).  ``pp.Tag`` records which variant matched.
"""

from __future__ import annotations

import pyparsing as pp

COLON = pp.Suppress(":")

PARTITION = pp.Regex(r"aws(?:-[a-z]+)*").set_name("partition")("partition")
SERVICE = pp.Regex(r"[a-z0-9-]+").set_name("service")("service")
REGION = pp.Regex(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+").set_name("region")("region")

#: ``xxxxxxxxxxxx`` is how guides and scrubbed logs write an account id they do not show.
ACCOUNT = (
    pp.Regex(r"[0-9]{12}(?![0-9A-Za-z])")("account_id") + pp.Tag("account_kind", "id")
    | pp.Regex(r"[xX]{12}(?![0-9A-Za-z])")("account_id") + pp.Tag("account_kind", "redacted")
    | pp.Regex(r"[^:\s\]]+")("account_id") + pp.Tag("account_kind", "invalid")
).set_name("account id")

RESOURCE = (
    pp.Regex(r"[A-Za-z][A-Za-z-]*")("resource_type")
    + pp.Opt(pp.Suppress(pp.Char("/:")) + pp.Regex(r".+")("resource_name"))
).set_name("resource")

_DOUBLE_COLON_TAIL = COLON + pp.Opt(REGION) + COLON + pp.Tag("colons", 2) + ACCOUNT + COLON + RESOURCE
_SINGLE_COLON_TAIL = COLON + pp.Tag("colons", 1) + ACCOUNT + COLON + RESOURCE

#: Any ARN with an account field; named results: partition, service, region, account_id,
#: account_kind (id, redacted or invalid), colons (before the account: 2 is right), resource_type
#: and resource_name (the path and name of a role, as one string).
ARN = (
    pp.CaselessKeyword("arn") + COLON + PARTITION + COLON + SERVICE + (_DOUBLE_COLON_TAIL | _SINGLE_COLON_TAIL)
).set_name("ARN")

#: The strict form of an IAM role ARN that STS accepts, for the final verdict on a cleaned ARN.
STRICT_ROLE_ARN_PATTERN = r"arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:role/(?:[\x21-\x7E]+/)*[\w+=,.@-]{1,64}"
STRICT_ROLE_ARN = pp.Regex(STRICT_ROLE_ARN_PATTERN).set_name("role ARN")

#: Where an ARN starts inside free text (the prefilter for ARN extraction).
ARN_START = "arn:"

SAMPLES: tuple[tuple[str, dict[str, object]], ...] = (
    (
        "arn:aws:iam::444455556666:role/CVTenantRole",
        {
            "partition": "aws",
            "service": "iam",
            "account_id": "444455556666",
            "account_kind": "id",
            "colons": 2,
            "resource_type": "role",
            "resource_name": "CVTenantRole",
        },
    ),
    (
        "arn:aws:iam:: xxxxxxxxxxxx  :role/VSA_Role",
        {"account_id": "xxxxxxxxxxxx", "account_kind": "redacted", "colons": 2, "resource_name": "VSA_Role"},
    ),
    (
        "arn:aws:iam:012345678901:role/x",
        {"account_id": "012345678901", "colons": 1, "resource_type": "role"},
    ),
    (
        "arn:aws:iam::12345:role/Short",
        {"account_id": "12345", "account_kind": "invalid"},
    ),
    (
        "arn:aws-us-gov:iam::111122223333:role/team/backup/CVTenantRole",
        {"partition": "aws-us-gov", "resource_name": "team/backup/CVTenantRole"},
    ),
    (
        "arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-0123456789abcdef0",
        {"service": "sts", "resource_type": "assumed-role", "resource_name": "CVAccessNodeRole/i-0123456789abcdef0"},
    ),
    (
        "arn:aws:iam::111122223333:root",
        {"resource_type": "root", "account_kind": "id"},
    ),
    (
        "arn:aws:rds:eu-west-2:444455556666:db:test-unencrypted",
        {"service": "rds", "region": "eu-west-2", "resource_type": "db", "resource_name": "test-unencrypted"},
    ),
)
