"""Turning the text between a log line's brackets into a ``RoleArn`` with its problems named."""

from __future__ import annotations

import re
from functools import lru_cache

import pyparsing as pp

from cvlogs.grammars.arn import ARN, STRICT_ROLE_ARN
from cvlogs.model import AccountId, RoleArn

_BLANKS = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def analyse_role_arn(text: str) -> RoleArn:
    """Parse a logged role ARN leniently and list every reason STS would refuse it."""
    stripped = text.strip()
    normalized = _BLANKS.sub("", stripped)
    problems: list[str] = []
    if stripped != text:
        problems.append("blanks around the ARN")
    if _BLANKS.search(stripped):
        problems.append("blanks inside the ARN")
    try:
        found = ARN.parse_string(stripped, parse_all=True)
    except pp.ParseException:
        return RoleArn(text, normalized, None, None, False, None, None, "", (*problems, "not an ARN"))
    kind = found["account_kind"]
    account = found["account_id"]
    if found["colons"] == 1:
        problems.append("a single colon before the account id")
    if kind == "invalid":
        problems.append(f"account id {account!r} is not 12 digits")
    resource_type = found["resource_type"]
    full_name = found.get("resource_name", "")
    path, _, name = full_name.rpartition("/")
    if resource_type != "role" or not name:
        problems.append(f"not a role ARN (resource {resource_type!r})")
    elif kind == "id" and not problems and not STRICT_ROLE_ARN.matches(normalized):
        problems.append("role name has characters IAM does not allow")
    return RoleArn(
        text=text,
        normalized=normalized,
        partition=found["partition"],
        account_id=AccountId(account) if kind == "id" else None,
        redacted=kind == "redacted",
        resource_type=resource_type,
        name=name or None,
        path=path,
        problems=tuple(problems),
    )
