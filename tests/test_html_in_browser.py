"""The HTML report renders in a real browser (headless Chromium), when one is installed."""

from __future__ import annotations

import importlib.util
import shutil
import struct
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "html_screenshot.py"
_SPEC = importlib.util.spec_from_file_location("html_screenshot", _SCRIPT)
assert _SPEC is not None
assert _SPEC.loader is not None
html_screenshot = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(html_screenshot)

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")


def test_chromium_draws_the_report(samples: Path, tmp_path: Path) -> None:
    """Chromium renders the sample report to a full-size, non-trivial PNG."""
    png = tmp_path / "report.png"
    html_screenshot.screenshot(samples, png, height=1600)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 1600)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
