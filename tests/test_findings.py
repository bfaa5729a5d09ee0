"""Grouping occurrences into findings: the fast path (earliest occurrences only) equals the plain one."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cvlogs.diagnostics import rules
from cvlogs.diagnostics.base import Occurrence, as_evidence
from cvlogs.diagnostics.findings import MAX_EVIDENCE, group_findings
from cvlogs.model import Event, Evidence, Finding, Location

RULES = rules()


def _reference(occurrences: list[Occurrence]) -> list[Finding]:
    """The definition: per (rule, account, role), all occurrences sorted by (time, path)."""
    groups: dict[tuple[str, str | None, str | None], list[Occurrence]] = {}
    for occurrence in occurrences:
        groups.setdefault((occurrence.code, occurrence.account_id, occurrence.role_arn), []).append(occurrence)
    findings = []
    for (code, _, _), items in groups.items():
        ordered = sorted(items, key=lambda o: (o.time or datetime.min, as_evidence(o.evidence[0]).path))
        evidence: list[Evidence] = []
        for occurrence in ordered:
            evidence += [line for line in map(as_evidence, occurrence.evidence) if line not in evidence]
        others = sorted({o.message for o in ordered[1:]} - {ordered[0].message})
        rule = RULES[code]
        findings.append(
            Finding(
                rule=code,
                name=rule.name,
                severity=rule.severity,
                account_id=ordered[0].account_id,
                role_arn=ordered[0].role_arn,
                message=ordered[0].message + (f" (and {len(ordered) - 1} more, e.g. {others[0]})" if others else ""),
                first_seen=min((o.time for o in ordered if o.time is not None), default=None),
                count=sum(o.weight for o in ordered),
                evidence=tuple(evidence[:MAX_EVIDENCE]),
                remedy=rule.remedy,
                hosts=tuple(sorted({line.host for o in ordered for line in o.evidence if line.host})),
                docs=rule.docs,
            )
        )
    return sorted(
        findings,
        key=lambda f: ({"error": 0, "warning": 1, "info": 2}[f.severity], f.rule, f.account_id or "", f.role_arn or ""),
    )


def _event(path: str, line: int, minute: int | None, host: str | None) -> Event:
    time = None if minute is None else datetime(2026, 11, 20, 10, minute)
    return Event("error", Location(path, line), time, host, "vsbkp", 1, "a", "7", "f", "m", f"text {line}")


OCCURRENCE = st.builds(
    lambda code, account, minute, path, line, host, message, weight, more: Occurrence(
        code,
        account,
        None,
        _event(path, line, minute, host).time,
        message,
        (_event(path, line, minute, host), *([_event(path, line + 1, minute, host)] if more else [])),
        weight,
    ),
    st.sampled_from(["CVL103", "CVL104"]),
    st.sampled_from([None, "444455556666"]),
    st.one_of(st.none(), st.integers(0, 3)),
    st.sampled_from(["a.log", "b.log"]),
    st.integers(1, 4),  # few distinct lines: repeated evidence makes the fast path fall back
    st.sampled_from([None, "h1", "h2"]),
    st.sampled_from(["m1", "m2"]),
    st.integers(1, 3),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(OCCURRENCE, max_size=60))
def test_findings_follow_the_definition(occurrences: list[Occurrence]) -> None:
    """Whatever the times, ties, repeats and hosts: the same findings as sorting every occurrence."""
    assert group_findings(occurrences, RULES) == _reference(occurrences)
