"""Render the HTML report of a log directory in headless Chromium and save a screenshot.

    python scripts/html_screenshot.py sample_logs report.png

Needs Debian's ``chromium`` package (``apt-get install chromium``).  Look at the PNG: the
verdict, the findings summary, the accounts table, the timeline (one lane per account, one bar
per sequence: green succeeded, red failed, grey incomplete) and the details must all be readable.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def screenshot(logs: Path, png: Path, height: int = 2400) -> None:
    """Write ``png``: the report of ``logs`` as Chromium draws it, 1200 pixels wide."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch, "report.html")
        subprocess.run(
            [sys.executable, "-m", "cvlogs.cli", "scan", str(logs), "--format", "html", "-o", str(page)], check=False
        )
        if not page.exists():
            raise SystemExit("cvlogs wrote no report")
        subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={scratch}/profile", f"--window-size=1200,{height}",
             f"--screenshot={png.resolve()}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip


if __name__ == "__main__":
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
