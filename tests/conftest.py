"""Shared fixtures: the sample corpus, copied with fixed modification times so dates never drift."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

# CI draws the property tests' examples from a fixed seed, so a landing never depends on a random
# draw; a run at a desk draws afresh each time, which is how the accounting test found a banner cut
# in two (see the README's Development section).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CVLOGS_HYPOTHESIS") == "ci":
    settings.load_profile("ci")

SAMPLE_LOGS = Path(__file__).resolve().parent.parent / "sample_logs"
#: Modification time given to the copied corpus: the files without a dated name end on 2026-11-20.
FIXED_MTIME = datetime(2026, 11, 20, 23, 0, 0).timestamp()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite tests/golden/* from the current output (review the diff)"
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A copy of sample_logs whose files all carry ``FIXED_MTIME``."""
    target = tmp_path / "sample_logs"
    shutil.copytree(SAMPLE_LOGS, target)
    for folder, _, files in os.walk(target):
        for name in files:
            os.utime(Path(folder, name), (FIXED_MTIME, FIXED_MTIME))
    return target


def write_log(folder: Path, name: str, text: str | bytes, mtime: datetime | None = None) -> Path:
    """Write a log file (text is written as UTF-8 bytes, unchanged) and optionally date it."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path
