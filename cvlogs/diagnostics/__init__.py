"""Diagnostics: every rule of the catalogue, run over a correlation, grouped into findings.

Each AWS error event is explained by the most specific error rule (``ERROR_RULE_ORDER``); an
error that none explains falls to CVL103.  Scan rules look at sequences, rates and coverage.
"""

from __future__ import annotations

from cvlogs.correlate import Correlation
from cvlogs.diagnostics import (
    coverage_rules,
    credential_rules,
    network_rules,
    sequence_rules,
    sts_rules,
    tenant_rules,
)
from cvlogs.diagnostics.base import ErrorRule, Occurrence, Rule, ScanRule, registered
from cvlogs.diagnostics.findings import group_findings
from cvlogs.model import Event, Finding

__all__ = ["ERROR_RULE_ORDER", "Rule", "diagnose", "explain_error", "rules"]
_MODULES = (coverage_rules, credential_rules, network_rules, sequence_rules, sts_rules, tenant_rules)

#: Most specific first: an instance-metadata failure before anything else, skew before invalid
#: signatures, admin credentials before a plain tenant denial, and CVL103 when nothing else fits.
ERROR_RULE_ORDER = (
    "CVL301", "CVL304", "CVL203", "CVL202", "CVL204", "CVL205", "CVL302", "CVL303",
    "CVL401", "CVL503", "CVL502", "CVL201", "CVL501", "CVL103",
)  # fmt: skip


def rules() -> dict[str, Rule]:
    """An instance of every registered rule, by code."""
    return {code: rule() for code, rule in registered().items()}


def _error_rules() -> list[ErrorRule]:
    instances = rules()
    ordered = [instances[code] for code in ERROR_RULE_ORDER]
    return [rule for rule in ordered if isinstance(rule, ErrorRule)]


def explain_error(event: Event, context: Correlation, error_rules: list[ErrorRule] | None = None) -> Occurrence:
    """The occurrence of the most specific rule that explains the error ``event`` (CVL103 at worst)."""
    sequence = context.sequence_of(event)
    for rule in error_rules or _error_rules():
        found = rule.explain(event, sequence, context)
        if found is not None:
            return found
    raise AssertionError("CVL103 explains every error")  # the last rule always answers


def diagnose(context: Correlation) -> list[Finding]:
    """Every finding of every rule over ``context``, grouped per rule, account and role."""
    instances = rules()
    error_rules = _error_rules()
    occurrences = [explain_error(event, context, error_rules) for event in context.events if event.kind == "error"]
    for rule in instances.values():
        if isinstance(rule, ScanRule):
            occurrences.extend(rule.check(context))
    return group_findings(occurrences, instances)
