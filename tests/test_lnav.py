"""The lnav format shipped in bench/ reads the logs and marks errors and warnings (when lnav is installed)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FORMAT = Path(__file__).resolve().parent.parent / "bench" / "commvault_log.json"
pytestmark = pytest.mark.skipif(shutil.which("lnav") is None, reason="lnav is not installed")


def _lnav(home: Path, *arguments: str) -> str:
    environment = {**os.environ, "HOME": str(home)}  # a private lnav configuration
    done = subprocess.run(
        ["lnav", *arguments], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_lnav_marks_errors_and_warnings(samples: Path, tmp_path: Path) -> None:
    """A denied AssumeRole is an error, a throttled one a warning, a Connect step plain info."""
    _lnav(tmp_path, "-i", str(FORMAT))
    query = ";SELECT log_level, log_body FROM commvault_log"
    files = [str(samples / name) for name in ("vsbkp.log", "cvd.log")]
    output = _lnav(tmp_path, "-n", "-c", query, "-c", ":write-csv-to -", *files)
    rows = list(csv.DictReader(io.StringIO(output)))
    assert rows
    levels = {row["log_level"] for row in rows}
    assert {"error", "warning", "info"} <= levels
    denied = [row for row in rows if "(AccessDenied)" in row["log_body"]]
    assert denied
    assert {row["log_level"] for row in denied} == {"error"}
    assert {row["log_level"] for row in rows if "Throttling" in row["log_body"]} == {"warning"}
    assert {row["log_level"] for row in rows if row["log_body"].startswith("Connecting to")} == {"info"}
