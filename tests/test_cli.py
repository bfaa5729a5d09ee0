"""The command line: version, help, the main job on sample_logs, user errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cvlogs import __version__
from cvlogs.cli import app

runner = CliRunner()


def test_version() -> None:
    """``cvlogs --version`` prints the installed version."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cvlogs {__version__}"


def test_scan_summarises_sample_logs(samples: Path) -> None:
    """``cvlogs scan`` lists the files with their line accounting and the accounts seen."""
    result = runner.invoke(app, ["scan", str(samples)])
    assert result.exit_code == 0, result.output
    assert "vsbkp.log" in result.stdout
    assert "444455556666" in result.stdout


def test_scan_of_a_missing_path_is_a_user_error(tmp_path: Path) -> None:
    """A missing PATH gives exit status 2 and a one-line message, no traceback."""
    result = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
