"""Write docs/sts-failures.md, the failure catalogue, from the rules themselves.

    python scripts/rule_catalogue.py > docs/sts-failures.md

Each rule's class docstring is its documentation (Markdown) and its remedy is the fix, so the
catalogue cannot drift from what ``cvlogs scan`` reports: tests/test_docs.py checks that the file
is this script's output.
"""

from __future__ import annotations

import inspect

from cvlogs.diagnostics import error_rules, rules

INTRO = """\
# Why cross-account STS AssumeRole fails: the failure catalogue

A Commvault access node protects a tenant's EC2 and RDS resources in three steps, each of which
shows in its logs (`cvd.log`, `vsdiscovery.log`, `vsbkp.log`, `vsrst.log`):

1. `CAmazonInfo::Connect()` names the tenant role (`username[arn:aws:iam::<tenant>:role/<name>]`);
2. `AmazonConnection::ValidateCredentials()` assumes it (`Assume role [<role ARN>]`) with the
   access node's own instance credentials, through STS;
3. activity in the tenant account (EC2, EBS, RDS, KMS calls) with the temporary credentials.

A failure shows as an AWS error on one of these steps, or as a step that never comes.  cvlogs
explains each AWS error with the most specific rule that fits it, in this order (the first one
that matches wins, CVL103 takes what none explains):

{order}

and looks at whole sequences for missing or repeated steps.  Below, every rule as `cvlogs rules
CODE` prints it: what it finds, why it happens, and the fix.  An account's status in the report
(`failing`, `recovered`) names the rule of its last failure; start there.

This file is written by `python scripts/rule_catalogue.py > docs/sts-failures.md` from the rules'
own documentation.
"""


def catalogue() -> str:
    found = rules()
    order = "\n".join(f"{number}. {rule.code} {rule.name}" for number, rule in enumerate(error_rules(), 1))
    parts = [INTRO.format(order=order)]
    for rule in found.values():
        parts += [
            f"## {rule.code} {rule.name} ({rule.severity})",
            "",
            inspect.getdoc(rule) or "",
            "",
            f"**Fix.** {rule.remedy}",
            "",
            *(f"- AWS documentation: <{url}>" for url in rule.docs),
            *([""] if rule.docs else []),
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    print(catalogue(), end="")
