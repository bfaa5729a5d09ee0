"""Diagnostics: every rule of the catalogue, run over a correlation, grouped into findings.

Each AWS error event is explained by the most specific error rule (each rule's ``specificity``);
an error that none explains falls to CVL103 (or CVL901 for a vague line in a sequence that goes on;
a vague line outside any sequence is nobody's).  Scan rules look at sequences, rates and coverage.
"""

from __future__ import annotations

from cvlogs.correlate import Correlation, Sequence
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

__all__ = [
    "ErrorExplainer",
    "Occurrence",
    "Rule",
    "diagnose",
    "error_rules",
    "group_findings",
    "occurrences",
    "rules",
]
_MODULES = (coverage_rules, credential_rules, network_rules, sequence_rules, sts_rules, tenant_rules)


def rules() -> dict[str, Rule]:
    """An instance of every registered rule, by code."""
    return {code: rule() for code, rule in registered().items()}


def error_rules() -> list[ErrorRule]:
    """An instance of every error rule, most specific first."""
    found = [rule for rule in rules().values() if isinstance(rule, ErrorRule)]
    return sorted(found, key=lambda rule: -rule.specificity)


class ErrorExplainer:
    """Explains error events with the most specific rule, remembering which rule fits which error.

    The rule that fits depends only on the error's facts, the step it stands on and the tenant
    of its sequence, and identical errors share one ``AwsError`` object per file (the message
    registry's cache), so thousands of repeated errors cost one search through the rules.
    """

    def __init__(self) -> None:
        self.rules = error_rules()
        self._chosen: dict[tuple[int, str, str | None], ErrorRule] = {}

    def explain(self, event: Event, sequence: Sequence | None, context: Correlation) -> Occurrence | None:
        """The occurrence of the most specific rule that explains the error ``event`` (a step of
        ``sequence``, if any); None for a line that only reads like an AWS failure outside any sequence."""
        key = (id(event.error), event.function, sequence.account_id if sequence else None)
        chosen = self._chosen.get(key)
        if chosen is not None and (found := chosen.explain(event, sequence, context)) is not None:
            return found
        for rule in self.rules:
            found = rule.explain(event, sequence, context)
            if found is not None:
                self._chosen[key] = rule
                return found
        return None


def diagnose(context: Correlation) -> list[Finding]:
    """Every finding of every rule over ``context``, grouped per rule, account and role."""
    instances = rules()
    return group_findings(occurrences(context, instances), instances)


def occurrences(context: Correlation, instances: dict[str, Rule]) -> list[Occurrence]:
    """Every occurrence of every rule over ``context``, ungrouped (``cvlogs watch`` reports them one by one)."""
    explainer = ErrorExplainer()
    explained = (explainer.explain(event, sequence, context) for event, sequence in context.errors)
    found = [occurrence for occurrence in explained if occurrence is not None]
    for rule in instances.values():
        if isinstance(rule, ScanRule):
            found.extend(rule.check(context))
    return found
