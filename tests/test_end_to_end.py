"""sample_logs end to end: the exact findings, and a clean bill for the healthy tenants."""

from __future__ import annotations

from pathlib import Path

from cvlogs.accounts import summarise_accounts
from cvlogs.correlate import correlate
from cvlogs.diagnostics import diagnose
from cvlogs.parsing import scan_paths

HEALTHY = {"444455556666", "777788889999"}
EXPECTED = {
    ("CVL101", "555566667777"),
    ("CVL102", "777788889999"),
    ("CVL102", "890123456789"),
    ("CVL103", "999900001111"),
    ("CVL104", "666677778888"),
    ("CVL105", "777788889999"),
    ("CVL201", "210987654321"),
    ("CVL202", None),
    ("CVL202", "456789012345"),
    ("CVL203", "112233445566"),
    ("CVL204", "567890123456"),
    ("CVL205", "223344556677"),
    ("CVL301", None),
    ("CVL302", "135792468013"),
    ("CVL303", "334455667788"),
    ("CVL304", "678901234567"),
    ("CVL401", "224466880022"),
    ("CVL501", "123456789012"),
    ("CVL502", "445566778899"),
    ("CVL503", "789012345678"),
    ("CVL901", None),
    ("CVL901", "210987654321"),  # the job's "unable to get credentials" after the denial: listed, not a cause
    ("CVL902", None),
}


def test_sample_logs_yield_exactly_the_expected_findings(samples: Path) -> None:
    """Every case planted in sample_logs is found, and nothing else."""
    findings = diagnose(correlate(scan_paths([samples])))
    assert {(f.rule, f.account_id) for f in findings} == EXPECTED


def test_healthy_tenants_have_no_error_finding_and_are_ok(samples: Path) -> None:
    """The two healthy tenants raise no error-severity finding, and their status is ok."""
    context = correlate(scan_paths([samples]))
    findings = diagnose(context)
    assert not [f for f in findings if f.account_id in HEALTHY and f.severity == "error"]
    statuses = {a.account_id: a.status for a in summarise_accounts(context, findings)}
    assert {statuses[a] for a in HEALTHY} == {"ok"}
    assert statuses["210987654321"] == "failed"


def test_the_seed_guide_lines_show_the_redacted_role(samples: Path) -> None:
    """The guide's lines: a redacted account is no account, and their blanks are flagged by CVL202."""
    findings = diagnose(correlate(scan_paths([samples / "seed_guide"])))
    assert [(f.rule, f.account_id, f.role_arn) for f in findings] == [
        ("CVL202", None, "arn:aws:iam::xxxxxxxxxxxx:role/VSA_Role")
    ]
    assert findings[0].count == 2
