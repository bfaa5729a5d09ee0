"""Shared readings of events for the rules: whose account, which action, which endpoint.

Rules read the categories and named results of an error (``AwsError``), never words of their own:
the vocabulary lives in ``grammars/vocabulary.py``.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from functools import cache, lru_cache
from importlib.resources import files

from cvlogs.correlate import Sequence
from cvlogs.model import AccountId, AwsError, Event

TENANT_SERVICES = ("ec2", "ebs", "rds", "ssm", "s3", "iam")
#: Regions where STS works only once the region is enabled (sts-failures.md, section 1.3).
OPT_IN_REGIONS = frozenset(
    {"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
     "ap-southeast-7", "ca-west-1", "eu-south-1", "eu-south-2", "eu-central-2", "me-south-1",
     "me-central-1", "il-central-1", "mx-central-1"}
)  # fmt: skip
_REGIONAL_STS = re.compile(r"^sts(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$")
_REGION_IN_HOST = re.compile(r"\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com")


@lru_cache(maxsize=4096)
def arn_account(arn: str | None) -> AccountId | None:
    """The 12-digit account field of an ARN, if it has one (the same principals and resources
    come back in thousands of errors)."""
    if not arn:
        return None
    parts = arn.split(":")
    if len(parts) > 4 and len(parts[4]) == 12 and parts[4].isdigit():
        return AccountId(parts[4])
    return None


def event_account(event: Event, sequence: Sequence | None) -> AccountId | None:
    """The tenant account of an event: its sequence's, else what the event names."""
    if sequence is not None and (account := sequence.account_id) is not None:
        return account
    return event.account_id


def event_role(event: Event, sequence: Sequence | None) -> str | None:
    if sequence is not None and sequence.role_arn is not None:
        return sequence.role_arn
    if event.role is not None:
        return event.role.normalized
    resource = event.error.resource if event.error else None
    return resource if resource and ":role/" in resource else None


def is_assume_call(event: Event) -> bool:
    """The failing call is AssumeRole (by operation, action, or the step the line belongs to)."""
    error = event.error
    if error is None:
        return False
    if error.operation == "AssumeRole" or (error.action or "").lower().startswith("sts:"):
        return True
    method = event.function.rpartition("::")[2].removesuffix("()")
    return error.action is None and method in {"ValidateCredentials", "AssumeRole"}


def action_service(error: AwsError) -> str | None:
    return error.action.split(":", 1)[0].lower() if error.action else None


def sts_endpoint_kind(host: str | None) -> str | None:
    """``regional`` for sts.<region>.amazonaws.com, ``global`` for sts.amazonaws.com, else None."""
    if host is None:
        return None
    host = host.lower()
    if _REGIONAL_STS.match(host):
        return "regional"
    if host in {"sts.amazonaws.com", "sts.amazonaws.com.cn"}:
        return "global"
    return None


def host_region(host: str | None) -> str | None:
    found = _REGION_IN_HOST.search(host or "")
    return found["region"] if found else None


@cache
def restricted_policy() -> tuple[frozenset[str], dict[str, str]]:
    """Commvault's restricted role policy: every allowed action, and the condition of conditional ones."""
    data = json.loads(files("cvlogs").joinpath("data/amazon_restricted_role_permissions.json").read_text())
    actions = frozenset(data["actions"])
    conditions: dict[str, str] = {}
    for statement in data["policy"]["Statement"]:
        if "Condition" in statement:
            listed = statement["Action"]
            for action in [listed] if isinstance(listed, str) else listed:
                conditions[action] = json.dumps(statement["Condition"], separators=(", ", ": "))
    return actions, conditions


_WILDCARDS = frozenset("*?[")


def _allows(pattern: str, action: str) -> bool:
    """Most policy entries are plain names; fnmatch (a regex compiled per pattern on its first
    use: 92 of them) only for the few with wildcards."""
    return fnmatchcase(action, pattern) if _WILDCARDS.intersection(pattern) else action == pattern


@lru_cache(maxsize=1024)
def policy_verdict(action: str) -> str:
    """Whether ``action`` is in the restricted role policy, and on what condition."""
    actions, conditions = restricted_policy()
    lowered = action.lower()
    # Sorted: the same verdict every run (a frozenset's order changes with the hash seed).
    matching = [allowed for allowed in sorted(actions) if _allows(allowed.lower(), lowered)]
    if not matching:
        return f"{action} is not in Commvault's restricted role policy (amazon_restricted_role_permissions.json)"
    condition = next((conditions[m] for m in matching if m in conditions), None)
    if condition is not None and all(m in conditions for m in matching):
        return (
            f"{action} is in Commvault's restricted role policy, but only with the condition {condition} "
            "(check the resource's Commvault tags)"
        )
    return f"{action} is in Commvault's restricted role policy: the tenant role lacks part of that policy"
