"""Grouping occurrences into findings: one per rule, account and role, with a count and evidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import chain, compress, repeat
from operator import attrgetter, ge, itemgetter
from typing import cast

from cvlogs.diagnostics.base import Occurrence, Rule, as_evidence
from cvlogs.model import Evidence, Finding

MAX_EVIDENCE = 5
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def group_findings(occurrences: Iterable[Occurrence], rules: Mapping[str, Rule]) -> list[Finding]:
    """Findings sorted by severity, rule, account and role; evidence in time order, five at most."""
    groups: dict[tuple[str, str | None, str | None], list[Occurrence]] = {}
    for occurrence in occurrences:
        key = _GROUP(occurrence)
        if (group := groups.get(key)) is None:
            groups[key] = [occurrence]
        else:
            group.append(occurrence)
    findings = [_finding(rules[code], items) for (code, _, _), items in groups.items()]
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule, f.account_id or "", f.role_arn or ""))


# What a finding reads of every one of its occurrences (thousands: a rule fires per sequence or
# per error), read in C rather than by a loop of Python per occurrence.
_FIELD = Occurrence._fields.index
_GROUP = itemgetter(_FIELD("code"), _FIELD("account_id"), _FIELD("role_arn"))
_TIME = itemgetter(_FIELD("time"))
_MESSAGE = itemgetter(_FIELD("message"))
_EVIDENCE = itemgetter(_FIELD("evidence"))
_WEIGHT = itemgetter(_FIELD("weight"))
_HOST = attrgetter("host")  # of an event or an evidence line


def _finding(rule: Rule, items: list[Occurrence]) -> Finding:
    times = list(map(_TIME, items))
    ordered = _earliest(items, times)
    evidence = _evidence(ordered)
    if len(evidence) < MAX_EVIDENCE and len(ordered) < len(items):  # repeated lines: look at all
        ordered = _sorted(items)
        evidence = _evidence(ordered)
    first = ordered[0]
    message = first.message
    if len(items) > 1:
        other = min(set(map(_MESSAGE, items)) - {first.message}, default=None)
        if other is not None:
            message += f" (and {len(items) - 1} more, e.g. {other})"
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=rule.severity,
        account_id=first.account_id,
        role_arn=first.role_arn,
        message=message,
        first_seen=min(filter(None, times), default=None),  # a datetime is never false
        count=sum(map(_WEIGHT, items)),
        evidence=tuple(evidence),
        remedy=rule.remedy,
        hosts=tuple(sorted(set(filter(None, map(_HOST, chain.from_iterable(map(_EVIDENCE, items))))))),
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


def _earliest(items: list[Occurrence], times: list[datetime | None]) -> list[Occurrence]:
    """The first occurrences in (time, path) order: enough for the evidence, without sorting
    (and computing a key for) thousands of them.  All occurrences up to the 16th earliest time are
    taken, ties included, so these come first in the full order too (``times`` are theirs)."""
    if len(items) <= _EARLIEST_COUNT:
        return _sorted(items)
    # An untimed occurrence sorts first (a datetime is never false).
    known = cast(list[datetime], times) if all(times) else [time or datetime.min for time in times]
    # Sorting the times is a pass in C: rules make occurrences in nearly time order, where
    # ``heapq.nsmallest`` walked them in Python.
    last = sorted(known)[_EARLIEST_COUNT - 1]
    return _sorted(list(compress(items, map(ge, repeat(last), known))))


def _sorted(items: list[Occurrence]) -> list[Occurrence]:
    return sorted(items, key=lambda o: (o.time or datetime.min, _path(o)))


def _path(occurrence: Occurrence) -> str:
    if not occurrence.evidence:
        return ""
    first = occurrence.evidence[0]
    return first.path if isinstance(first, Evidence) else first.location.path
