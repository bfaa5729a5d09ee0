"""Grouping occurrences into findings: one per rule, account and role, with a count and evidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from cvlogs.diagnostics.base import Occurrence, Rule, as_evidence
from cvlogs.model import Evidence, Finding

MAX_EVIDENCE = 5
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def group_findings(occurrences: Iterable[Occurrence], rules: Mapping[str, Rule]) -> list[Finding]:
    """Findings sorted by severity, rule, account and role; evidence in time order, five at most."""
    groups: dict[tuple[str, str | None, str | None], list[Occurrence]] = {}
    for occurrence in occurrences:
        groups.setdefault((occurrence.code, occurrence.account_id, occurrence.role_arn), []).append(occurrence)
    findings = [_finding(rules[code], items) for (code, _, _), items in groups.items()]
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule, f.account_id or "", f.role_arn or ""))


def _finding(rule: Rule, items: list[Occurrence]) -> Finding:
    ordered = sorted(items, key=lambda o: (o.time or datetime.min, _path(o)))
    first = ordered[0]
    evidence: list[Evidence] = []
    for occurrence in ordered:
        evidence.extend(line for line in map(as_evidence, occurrence.evidence) if line not in evidence)
        if len(evidence) >= MAX_EVIDENCE:
            break
    del evidence[MAX_EVIDENCE:]
    message = first.message
    if len(ordered) > 1:
        others = sorted({o.message for o in ordered[1:]} - {first.message})
        if others:
            message += f" (and {len(ordered) - 1} more, e.g. {others[0]})"
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=rule.severity,
        account_id=first.account_id,
        role_arn=first.role_arn,
        message=message,
        first_seen=min((o.time for o in ordered if o.time is not None), default=None),
        count=sum(o.weight for o in ordered),
        evidence=tuple(evidence),
        remedy=rule.remedy,
        hosts=tuple(sorted({line.host for o in ordered for line in o.evidence if line.host})),
    )


def _path(occurrence: Occurrence) -> str:
    if not occurrence.evidence:
        return ""
    first = occurrence.evidence[0]
    return first.path if isinstance(first, Evidence) else first.location.path
