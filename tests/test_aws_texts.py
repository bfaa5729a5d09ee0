"""Real AWS error texts (tests/aws_texts/*.toml), each placed in a Commvault credential sequence.

Each text stands on its step of a Connect -> Assume role sequence for its account: the Assume
role step itself (``assume``), a tenant API call after a successful assume (``api``), or the
node's own instance credentials before the assume (``instance``).  Every text must give a
finding and leave its account not ``ok``; the right rule is measured per SDK and must reach
97 % over the corpus.  Run ``python -m tests.test_aws_texts`` for the figures alone.

The healthy look-alikes (``healthy.toml``) must give no error or warning finding, alone or on
the thread of a successful sequence.
"""

from __future__ import annotations

import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from cvlogs.grammars import aws_errors, credentials, vocabulary

from cvlogs.model import AccountSummary, Finding
from cvlogs.parsing import scan_paths
from cvlogs.report import report_of

from .conftest import write_log

FOLDER = Path(__file__).parent / "aws_texts"
TARGET = 0.97


def _load() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for path in sorted(FOLDER.glob("*.toml")):
        entries.extend(tomllib.loads(path.read_text(encoding="utf-8")).get("text", []))
    return entries


TEXTS = [entry for entry in _load() if "rule" in entry]
HEALTHY = [entry for entry in _load() if "rule" not in entry]  # healthy.toml: look-alikes, no rule

_CONNECT = "4012  3c4e  11/20 10:00:00 88103  CAmazonInfo::Connect() - Connecting to Url=[default], username[{role}]\n"
_ASSUMED = "4012  3c4e  11/20 10:00:01 88103  AmazonConnection::ValidateCredentials() - Assume role [{role}]\n"
_STEPS = {
    "assume": "4012  3c4e  11/20 10:00:02 88103  AmazonConnection::ValidateCredentials() - {text}\n",
    "api": "4012  3c4e  11/20 10:00:03 88103  CAmazonEC2::CreateSnapshot() - {text}\n",
    "instance": "4012  3c4e  11/20 10:00:02 88103  CAmazonInfo::GetInstanceCredentials() - {text}\n",
}


def sequence_log(text: str, step: str, account: str) -> str:
    """A Connect -> (Assume role ->) text sequence for ``account``, the text on its ``step``."""
    role = f"arn:aws:iam::{account}:role/CVTenantRole"
    lines = _CONNECT.format(role=role) + (_ASSUMED.format(role=role) if step == "api" else "")
    return lines + _STEPS[step].format(text=text.strip("\n"))


def diagnose_log(folder: Path, log: str) -> tuple[list[Finding], list[AccountSummary]]:
    write_log(folder, "vsbkp_2026_11_20_23_00_00.log", log)
    report = report_of(scan_paths([folder]), with_timeline=False, redact_secrets=False)
    return list(report.findings), list(report.accounts)


def verdict(entry: dict[str, Any], folder: Path) -> tuple[str | None, bool, str]:
    """The rule of the finding that shows the text's line (for the text's account, or node-wide
    for the node's own credentials), whether the account is left not ok, and every rule given."""
    account = entry.get("account", "444455556666")
    log = sequence_log(entry["quote"], entry["step"], account)
    findings, accounts = diagnose_log(folder, log)
    line = 3 if entry["step"] == "api" else 2
    shown = [f for f in findings if any(e.line == line for e in f.evidence)]
    mine = [f.rule for f in shown if f.account_id == account or (f.account_id is None and f.rule == "CVL301")]
    status = next((a.status for a in accounts if a.account_id == account), None)
    given = ",".join(sorted(f"{f.rule}:{f.account_id}" for f in findings))
    return (mine[0] if mine else None), status != "ok", given


@pytest.mark.parametrize("entry", TEXTS, ids=[entry["id"] for entry in TEXTS])
def test_every_text_gives_a_finding_and_no_ok(entry: dict[str, Any], tmp_path: Path) -> None:
    """A real AWS error text in a credential sequence gives a finding and never leaves its account ok."""
    rule, not_ok, given = verdict(entry, tmp_path)
    assert rule is not None, given
    assert not_ok, given


def test_no_text_is_a_grammar_sample() -> None:
    """The corpus measures generalisation: none of its texts (or their first lines) is a grammar sample."""
    samples = [text for _, text, _ in (*aws_errors.SAMPLES, *vocabulary.SAMPLES, *credentials.SAMPLES)]
    for entry in TEXTS:
        first = entry["quote"].strip().splitlines()[0]
        assert not any(first in sample or (len(sample) > 80 and sample in first) for sample in samples), entry["id"]


def accuracy(folder: Path) -> tuple[dict[str, list[bool]], list[str]]:
    """Right rules per SDK, and a line per miss."""
    right: dict[str, list[bool]] = defaultdict(list)
    misses: list[str] = []
    for number, entry in enumerate(TEXTS):
        place = folder / str(number)
        place.mkdir()
        rule, _, given = verdict(entry, place)
        right[entry["sdk"]].append(rule == entry["rule"])
        if rule != entry["rule"]:
            misses.append(f"{entry['id']}: expected {entry['rule']}, got {rule} ({given})")
    return right, misses


def summary(right: dict[str, list[bool]], misses: list[str]) -> str:
    lines = [f"{'sdk':<12} {'right':>5} / {'texts':<5}"]
    for sdk in sorted(right):
        lines.append(f"{sdk:<12} {sum(right[sdk]):>5} / {len(right[sdk]):<5} {sum(right[sdk]) / len(right[sdk]):6.1%}")
    total = [ok for oks in right.values() for ok in oks]
    lines.append(f"{'all':<12} {sum(total):>5} / {len(total):<5} {sum(total) / max(len(total), 1):6.1%}")
    return "\n".join(lines + misses)


def test_the_right_rule_for_97_percent_of_the_texts(tmp_path: Path) -> None:
    """At least 97 % of the real texts get the rule that explains them (figures per SDK printed)."""
    right, misses = accuracy(tmp_path)
    print("\n" + summary(right, misses))
    total = [ok for oks in right.values() for ok in oks]
    assert sum(total) >= TARGET * len(total), summary(right, misses)


@pytest.mark.parametrize("entry", HEALTHY, ids=[entry["id"] for entry in HEALTHY])
@pytest.mark.parametrize("placement", ["alone", "in a sequence"])
def test_healthy_look_alikes_raise_nothing(entry: dict[str, Any], placement: str, tmp_path: Path) -> None:
    """A healthy line that reads like a failure gives no error or warning, alone or on a sequence's thread."""
    line = f"4012  3c4e  11/20 10:00:05 88103  CvJobControl::Log() - {entry['quote'].strip()}\n"
    role = "arn:aws:iam::444455556666:role/CVTenantRole"
    log = line if placement == "alone" else _CONNECT.format(role=role) + _ASSUMED.format(role=role) + line
    findings, accounts = diagnose_log(tmp_path, log)
    assert not [f for f in findings if f.severity in {"error", "warning"}], findings
    assert all(a.status == "ok" for a in accounts), accounts


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(summary(*accuracy(Path(folder))))


if __name__ == "__main__":
    main()
