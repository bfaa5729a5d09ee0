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

__all__ = ["ERROR_RULE_ORDER", "ErrorExplainer", "Rule", "diagnose", "occurrences", "rules"]
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


class ErrorExplainer:
    """Explains error events with the most specific rule, remembering which rule fits which error.

    The rule that fits depends only on the error's facts, the step it stands on and the tenant
    of its sequence, and identical errors share one ``AwsError`` object per file (the message
    registry's cache), so thousands of repeated errors cost one search through the rules.
    """

    def __init__(self) -> None:
        instances = rules()
        self.rules = [rule for rule in (instances[code] for code in ERROR_RULE_ORDER) if isinstance(rule, ErrorRule)]
        self._chosen: dict[tuple[int, str, str | None], ErrorRule] = {}

    def explain(self, event: Event, context: Correlation) -> Occurrence:
        """The occurrence of the most specific rule that explains the error ``event`` (CVL103 at worst)."""
        sequence = context.sequence_of(event)
        key = (id(event.error), event.function, sequence.account_id if sequence else None)
        chosen = self._chosen.get(key)
        if chosen is not None and (found := chosen.explain(event, sequence, context)) is not None:
            return found
        for rule in self.rules:
            found = rule.explain(event, sequence, context)
            if found is not None:
                self._chosen[key] = rule
                return found
        raise AssertionError("CVL103 explains every error")  # the last rule always answers


def diagnose(context: Correlation) -> list[Finding]:
    """Every finding of every rule over ``context``, grouped per rule, account and role."""
    instances = rules()
    return group_findings(occurrences(context, instances), instances)


def occurrences(context: Correlation, instances: dict[str, Rule]) -> list[Occurrence]:
    """Every occurrence of every rule over ``context``, ungrouped (``cvlogs watch`` reports them one by one)."""
    explainer = ErrorExplainer()
    found = [explainer.explain(event, context) for event in context.events if event.kind == "error"]
    for rule in instances.values():
        if isinstance(rule, ScanRule):
            found.extend(rule.check(context))
    return found
