"""Every rule: a case that fires and a near miss that must not, kept as data in rule_cases/cases.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cvlogs.correlate import correlate
from cvlogs.diagnostics import diagnose, error_rules, rules
from cvlogs.diagnostics.base import ErrorRule, register
from cvlogs.model import Finding
from cvlogs.parsing import scan_paths

from .conftest import write_log

CASES: list[dict[str, Any]] = tomllib.loads((Path(__file__).parent / "rule_cases" / "cases.toml").read_text())["case"]
README = Path(__file__).parent.parent / "README.md"


def findings_for(folder: Path, log: str) -> list[Finding]:
    """Scan one rolled vsbkp log (dated 2026-11-20 23:00), correlate and diagnose it."""
    write_log(folder, "vsbkp_2026_11_20_23_00_00.log", log)
    return diagnose(correlate(scan_paths([folder])))


def _log(case: dict[str, Any]) -> str:
    text = case["log"].lstrip("\n")
    return "".join(text.format(n=n) for n in range(case["repeat"])) if "repeat" in case else text


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}-{'fires' if c['fires'] else 'near-miss'}" for c in CASES])
def test_rule_case(case: dict[str, Any], tmp_path: Path) -> None:
    """The case's rule fires for its account, or (near miss) stays silent."""
    findings = findings_for(tmp_path, _log(case))
    fired = {(f.rule, f.account_id or "") for f in findings}
    if case["fires"]:
        assert (case["rule"], case["account"]) in fired, findings
    else:
        assert case["rule"] not in {rule for rule, _ in fired}, findings


def test_every_rule_has_both_cases() -> None:
    """Each registered rule has a firing case and a near miss in rule_cases/cases.toml."""
    for code in rules():
        assert {c["fires"] for c in CASES if c["rule"] == code} == {True, False}, code


def test_the_readme_rule_table_is_the_registry() -> None:
    """README's rule table lists every registered rule with its name and severity, in code order."""
    rows = re.findall(r"^\| (CVL\d{3}) \| ([a-z-]+) \| (\w+) \|", README.read_text(), flags=re.MULTILINE)
    assert rows == [(code, rule.name, rule.severity) for code, rule in rules().items()]


def test_error_rules_have_distinct_specificities() -> None:
    """The most specific rule is never a tie, and CVL103 comes after every rule that names a cause."""
    order = error_rules()
    specificities = [rule.specificity for rule in order]
    assert len(set(specificities)) == len(specificities)
    assert [rule.code for rule in order][-2:] == ["CVL103", "CVL901"]


def test_every_rule_names_its_aws_documentation() -> None:
    """Each rule but CVL902 (a file-format finding) links AWS documentation pages."""
    for code, rule in rules().items():
        if code != "CVL902":
            assert rule.docs, code
        assert all(url.startswith("https://docs.aws.amazon.com/") for url in rule.docs), code


def test_registry_refuses_a_duplicate_code() -> None:
    """Codes are stable identities: registering one twice is refused."""
    duplicate = type("Duplicate", (ErrorRule,), {"code": "CVL201", "explain": lambda *_: None})
    with pytest.raises(ValueError, match="CVL201"):
        register(duplicate)


def test_every_rule_documents_itself() -> None:
    """Each rule has a kebab-case name, a severity, a docstring for users and a remedy."""
    for code, rule in rules().items():
        assert rule.name.replace("-", "").isalpha(), code
        assert rule.severity in {"error", "warning", "info"}
        assert len(type(rule).__doc__ or "") > 80, code
        assert len(rule.remedy) > 40, code


def test_findings_group_per_rule_account_and_role(tmp_path: Path) -> None:
    """Repeated occurrences are one finding with a count, the first time and at most five evidence lines."""
    line = (
        "1 a 11/20 10:00:{n:02d} 7 AmazonConnection::ValidateCredentials() - An error occurred (AccessDenied) "
        "when calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/N/i-1 is not "
        "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/R\n"
    )
    findings = findings_for(tmp_path, "".join(line.format(n=n) for n in range(7)))
    denied = [f for f in findings if f.rule == "CVL201"]
    assert len(denied) == 1
    assert (denied[0].count, len(denied[0].evidence), denied[0].evidence[0].line) == (7, 5, 1)
    assert denied[0].first_seen is not None
    assert denied[0].first_seen.second == 0
    assert "admin-account principal" in denied[0].message


def test_expiry_reports_minutes_since_the_last_assume(tmp_path: Path) -> None:
    """CVL302 gives the minutes between the last successful Assume role and the expiry."""
    case = next(c for c in CASES if c["rule"] == "CVL302" and c["fires"])
    finding = next(f for f in findings_for(tmp_path, _log(case)) if f.rule == "CVL302")
    assert "60 minutes after the last successful Assume role" in finding.message


def test_clock_skew_reports_seconds(tmp_path: Path) -> None:
    """CVL304 computes the skew from the two timestamps of the message."""
    case = next(c for c in CASES if c["rule"] == "CVL304" and c["fires"])
    finding = next(f for f in findings_for(tmp_path, _log(case)) if f.rule == "CVL304")
    assert "1860 s ahead of AWS time" in finding.message


def test_tenant_denial_says_whether_the_action_is_in_the_restricted_policy(tmp_path: Path) -> None:
    """CVL501 names the action and checks it against the guide's restricted role policy."""
    case = next(c for c in CASES if c["rule"] == "CVL501" and c["fires"])
    finding = next(f for f in findings_for(tmp_path, _log(case)) if f.rule == "CVL501")
    assert "rds:CreateDBSnapshot is not in Commvault's restricted role policy" in finding.message
