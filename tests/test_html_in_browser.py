"""The HTML report in a real browser (headless Chromium, when installed): drawn, nothing overflowing
at 1400 and 420 CSS pixels, and the filter hiding rows."""

from __future__ import annotations

import html
import importlib.util
import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import cvlogs
from cvlogs.render import Format, render

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "html_screenshot.py"
_SPEC = importlib.util.spec_from_file_location("html_screenshot", _SCRIPT)
assert _SPEC is not None
assert _SPEC.loader is not None
html_screenshot = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(html_screenshot)

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")

# Runs in a page that holds the report in an iframe of the given width (Chromium's window has a
# minimum width above 420 px; an iframe does not): what overflows the viewport, then the filter.
_PROBE = """
document.getElementById('report').addEventListener('load', function () {
  var d = this.contentDocument, win = this.contentWindow;
  var width = d.documentElement.clientWidth, out = [];
  d.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('.scroll') && !el.classList.contains('scroll')) return;  // scrolls inside its box
    var box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) out.push(el.tagName + '.' + el.className);
  });
  function visible(selector) {
    return Array.prototype.filter.call(d.querySelectorAll(selector), function (el) {
      return el.offsetParent !== null;
    }).map(function (el) { return el.getAttribute('data-account'); });
  }
  var before = visible('#summary tbody tr').length;
  var select = d.querySelector('select[name=account]');
  select.value = ACCOUNT;
  select.dispatchEvent(new win.Event('change', {bubbles: true}));
  var severity = d.querySelector('select[name=severity]');
  var result = {width: width, scrollWidth: d.documentElement.scrollWidth, overflowing: out, before: before,
                summary: visible('#summary tbody tr'), accounts: visible('#accounts tbody tr'),
                details: visible('section.finding')};
  select.value = ''; severity.value = 'warning';
  severity.dispatchEvent(new win.Event('change', {bubbles: true}));
  result.warnings = Array.prototype.filter.call(d.querySelectorAll('#summary tbody tr'), function (el) {
    return el.offsetParent !== null;
  }).map(function (el) { return el.getAttribute('data-severity'); });
  document.body.setAttribute('data-probe', JSON.stringify(result));
});
"""


def _probe(page: str, width: int, account: str, scratch: Path) -> dict[str, object]:
    wrapper = scratch / f"probe-{width}.html"
    wrapper.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="report" style="width:{width}px;height:1600px;'
        f'border:0" srcdoc="{html.escape(page, quote=True)}"></iframe>'
        f"<script>var ACCOUNT = {json.dumps(account)};{_PROBE}</script></body></html>",
        encoding="utf-8",
    )
    browser = shutil.which("chromium")
    assert browser is not None
    done = subprocess.run(
        [browser, *html_screenshot.CHROMIUM_FLAGS, f"--user-data-dir={scratch}/profile", "--window-size=1500,1700",
         "--dump-dom", wrapper.as_uri()],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = done.stdout.split('data-probe="', 1)[1].split('"', 1)[0]
    probe: dict[str, object] = json.loads(html.unescape(found))
    return probe


@pytest.mark.parametrize("width", [1400, 420])
def test_nothing_overflows_and_the_filter_hides_rows(samples: Path, tmp_path: Path, width: int) -> None:
    """At 1400 and 420 px only the tables' own boxes scroll; choosing an account hides the others."""
    report = cvlogs.scan(samples, cvlogs.ScanOptions(host_name="accessnode1", with_timeline=True))
    account = "210987654321"
    probe = _probe(render(report, Format.html), width, account, tmp_path)
    assert width - 20 <= probe["width"] <= width  # less a scroll bar, if the page has one
    assert probe["scrollWidth"] == probe["width"]
    assert probe["overflowing"] == []
    assert probe["before"] == len(report.findings)
    assert probe["summary"] == [account] * sum(1 for f in report.findings if f.account_id == account)
    assert probe["accounts"] == [account]
    assert probe["details"] == probe["summary"]
    assert probe["warnings"] == ["warning"] * sum(1 for f in report.findings if f.severity == "warning")


def test_chromium_draws_the_report(samples: Path, tmp_path: Path) -> None:
    """Chromium renders the sample report to a full-size, non-trivial PNG."""
    png = tmp_path / "report.png"
    html_screenshot.screenshot(samples, png, height=1600)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 1600)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
