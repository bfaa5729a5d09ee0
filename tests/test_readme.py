"""The README is true: every example command, the Python example and the DuckDB queries run, on the
sample logs, and the failed accounts they compute are the ones ``cvlogs scan`` reports."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cvlogs
from cvlogs.cli import app
from tests.test_bundles import DENIED, _log, _seven_zip

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BUNDLE = "sendLogFiles_4711_2026_11_20_10_00_00_123_J88.7z"
runner = CliRunner()

# The lines of the README's shell blocks that are not cvlogs commands, and where they run instead.
RUN_BY_CI = {
    ". .venv/bin/activate",  # .ci/run
    "ruff check . && ruff format --check . && mypy && python -m pytest",  # .ci/run
}


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)


def _shell_lines() -> list[str]:
    lines = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            lines.append(command.rsplit(" && ", 1)[-1] if command.startswith("python3 -m venv") else command)
    return lines


def _failed_accounts(samples: Path) -> set[str]:
    report = cvlogs.scan(samples)
    return {a.account_id for a in report.accounts if a.status in ("failing", "recovered")}


@pytest.fixture
def workspace(samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder where ``Log_Files`` and ``sample_logs`` are the sample logs and a bundle stands beside them."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "Log_Files").symlink_to(samples, target_is_directory=True)
    (work / "sample_logs").symlink_to(samples, target_is_directory=True)
    (work / BUNDLE).write_bytes(_seven_zip({"accessnode2/vsbkp.log": _log(DENIED, "123456789012")}))
    monkeypatch.chdir(work)
    return work


def test_every_shell_line_runs(workspace: Path) -> None:
    """Each cvlogs command of the README runs on the samples (exit 0 or 1) and writes what it says."""
    lines = _shell_lines()
    # ``cvlogs watch`` follows a live folder until told to stop: tests/test_watch.py runs it on live folders.
    commands = [line for line in lines if line.startswith("cvlogs ") and not line.startswith("cvlogs watch ")]
    assert len(commands) >= 12
    for line in commands:
        command, _, pipe = line.partition(" | ")
        arguments = shlex.split(command.replace("/var/log/commvault/Log_Files", "Log_Files"))[1:]
        result = runner.invoke(app, arguments)
        assert result.exit_code in (0, 1), (line, result.output)
        if pipe:
            assert pipe == "jq '.findings[].rule'"
            assert [f["rule"] for f in json.loads(result.stdout)["findings"]]
    for written in ("ticket.md", "short.md", "ticket.html", "errors.csv", "t.md"):
        assert (workspace / written).stat().st_size > 0, written
    assert any((workspace / "events").rglob("*.parquet"))
    others = {line for line in lines if not line.startswith("cvlogs ")}
    assert others - RUN_BY_CI == {
        "python -m pytest",
        "python bench/generate.py /tmp/corpus --lines 1000000",
        "python scripts/rule_catalogue.py > docs/sts-failures.md",
    }


def test_the_development_scripts_run(tmp_path: Path) -> None:
    """The corpus generator runs (on fewer lines) and the catalogue script writes docs/sts-failures.md as it is."""
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(tmp_path / "corpus"), "--lines", "2000"], check=True
    )
    assert any((tmp_path / "corpus").iterdir())
    catalogue = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rule_catalogue.py")], check=True, capture_output=True, text=True
    )
    assert catalogue.stdout == (ROOT / "docs" / "sts-failures.md").read_text(encoding="utf-8"), (
        "regenerate: python scripts/rule_catalogue.py > docs/sts-failures.md"
    )


def test_the_python_example_finds_the_accounts_scan_reports(workspace: Path, samples: Path) -> None:
    """The README's Python block runs, and its pandas answer is scan's failing and recovered accounts."""
    (block,) = _blocks("python")
    namespace: dict[str, object] = {}
    exec(block.replace("/var/log/commvault/Log_Files", str(samples)), namespace)
    expected = _failed_accounts(samples)
    assert len(expected) > 10
    assert namespace["failing"] == namespace["failed"] == expected


def test_the_duckdb_queries_find_the_accounts_scan_reports(workspace: Path, samples: Path) -> None:
    """Both README queries run on the Parquet dataset; the second gives scan's failed accounts."""
    duckdb = pytest.importorskip("duckdb")
    result = runner.invoke(app, ["events", "Log_Files", "--all", "--format", "parquet", "-o", "events/"])
    assert result.exit_code == 0, result.output
    (block,) = _blocks("sql")
    queries = [q.strip() for q in block.split(";") if q.strip()]
    assert len(queries) == 2
    per_rule = duckdb.sql(queries[0]).fetchall()
    assert per_rule
    assert {row[2] for row in per_rule} >= {"CVL201", "CVL301"}
    failed = {row[0] for row in duckdb.sql(queries[1]).fetchall()}
    assert failed == _failed_accounts(samples)
