"""Grouping occurrences into findings: one per rule, account and role, with a count and evidence."""

from __future__ import annotations

import heapq
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
    ordered = _earliest(items)
    evidence = _evidence(ordered)
    if len(evidence) < MAX_EVIDENCE and len(ordered) < len(items):  # repeated lines: look at all
        ordered = _sorted(items)
        evidence = _evidence(ordered)
    first = ordered[0]
    message = first.message
    if len(items) > 1:
        other = min({o.message for o in items} - {first.message}, default=None)
        if other is not None:
            message += f" (and {len(items) - 1} more, e.g. {other})"
    times = [o.time for o in items if o.time is not None]
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=rule.severity,
        account_id=first.account_id,
        role_arn=first.role_arn,
        message=message,
        first_seen=min(times, default=None),
        count=sum(o.weight for o in items),
        evidence=tuple(evidence),
        remedy=rule.remedy,
        hosts=tuple(sorted({line.host for o in items for line in o.evidence if line.host})),
        docs=rule.docs,
    )


def _evidence(ordered: list[Occurrence]) -> list[Evidence]:
    """The first ``MAX_EVIDENCE`` distinct lines of the occurrences, in their order."""
    evidence: list[Evidence] = []
    for occurrence in ordered:
        evidence.extend(line for line in map(as_evidence, occurrence.evidence) if line not in evidence)
        if len(evidence) >= MAX_EVIDENCE:
            break
    return evidence[:MAX_EVIDENCE]


_EARLIEST_COUNT = 16


def _earliest(items: list[Occurrence]) -> list[Occurrence]:
    """The first occurrences in (time, path) order: enough for the evidence, without sorting
    (and computing a key for) thousands of them.  All occurrences up to the 16th earliest time are
    taken, ties included, so these come first in the full order too."""
    if len(items) <= _EARLIEST_COUNT:
        return _sorted(items)
    times = [o.time or datetime.min for o in items]
    last = heapq.nsmallest(_EARLIEST_COUNT, times)[-1]
    return _sorted([o for o, time in zip(items, times, strict=True) if time <= last])


def _sorted(items: list[Occurrence]) -> list[Occurrence]:
    return sorted(items, key=lambda o: (o.time or datetime.min, _path(o)))


def _path(occurrence: Occurrence) -> str:
    if not occurrence.evidence:
        return ""
    first = occurrence.evidence[0]
    return first.path if isinstance(first, Evidence) else first.location.path
