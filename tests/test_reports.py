"""The reports: golden files for json, markdown and text, the schema, and every renderer."""

from __future__ import annotations

import json
import re
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from cvlogs.parsing import scan_paths
from cvlogs.render import RENDERERS, Format, render
from cvlogs.report import Filters, Report, build_report, report_of

GOLDEN = Path(__file__).parent / "golden"


def _report(samples: Path, filters: Filters | None = None) -> Report:
    return report_of(scan_paths([samples]), filters=filters or Filters())


@pytest.mark.parametrize(
    ("output", "name"), [(Format.json, "scan.json"), (Format.markdown, "scan.md"), (Format.text, "scan.txt")]
)
def test_golden_reports(samples: Path, update_goldens: bool, output: Format, name: str) -> None:
    """The sample_logs report matches its reviewed golden file (regenerate: pytest --update-goldens)."""
    rendered = render(_report(samples), output, width=100)
    golden = GOLDEN / name
    if update_goldens:
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_every_format_has_a_renderer() -> None:
    """The Format enum and the renderer table agree."""
    assert set(RENDERERS) == set(Format)


def test_json_report_validates_against_the_shipped_schema(samples: Path) -> None:
    """The JSON report follows the schema that ``cvlogs schema`` prints."""
    schema = json.loads(files("cvlogs").joinpath("data/scan-report.schema.json").read_text())
    document = json.loads(render(_report(samples), Format.json))
    jsonschema.validate(document, schema)
    assert document["summary"]["lines"] == sum(f["lines"] for f in document["files"])


def test_accounting_holds_in_the_report(samples: Path) -> None:
    """lines = events + continuations + banner + unparsed, per file and in the summary."""
    document = json.loads(render(_report(samples), Format.json))
    for part in [document["summary"], *document["files"]]:
        assert part["lines"] == part["events"] + part["continuations"] + part["banner"] + part["unparsed"]


def test_account_filter_keeps_node_wide_findings(samples: Path) -> None:
    """--account keeps that account's findings plus the node-wide ones, and only that account."""
    report = _report(samples, Filters(accounts=("210987654321",)))
    assert {a.account_id for a in report.accounts} == {"210987654321"}
    assert {f.account_id for f in report.findings} == {"210987654321", None}
    assert {f.rule for f in report.findings if f.account_id is None} >= {"CVL301", "CVL902"}


def test_time_filter_bounds_the_findings(samples: Path) -> None:
    """--since/--until keep only events (and so findings) in the range."""
    report = _report(samples, Filters(since=datetime(2026, 11, 20, 3, 0), until=datetime(2026, 11, 20, 3, 59)))
    rules = {f.rule for f in report.findings}
    assert {"CVL202", "CVL204", "CVL304", "CVL503"} <= rules
    assert "CVL201" not in rules
    assert all(f.first_seen is None or f.first_seen >= datetime(2026, 11, 20, 3, 0) for f in report.findings)


def test_html_is_self_contained_with_a_timeline(samples: Path) -> None:
    """The HTML report fetches nothing (its only links are AWS documentation anchors) and carries an
    inline SVG timeline."""
    page = render(_report(samples), Format.html)
    assert "<svg" in page
    links = re.findall(r'<a href="([^"]*)">', page)
    assert links
    assert all(link.startswith("https://docs.aws.amazon.com/") for link in links)
    page = re.sub(r'<a href="[^"]*">', "<a>", page)
    for fetch in ("<script", "<link", "src=", "href=", "@import", "url("):
        assert fetch not in page
    assert page.count("<circle") > 20


def test_exit_status_follows_error_findings(samples: Path) -> None:
    """1 with an error finding after filtering, 0 without."""
    assert _report(samples).exit_status == 1
    assert _report(samples, Filters(accounts=("444455556666",))).exit_status == 1  # node-wide CVL301 stays
    assert _report(samples / "vsdiscovery_2026_11_18_07_00_00.log.bz2").exit_status == 0


def test_build_report_is_the_stages_in_order(samples: Path) -> None:
    """The one-call API gives the same report as scanning and reporting by hand."""
    assert build_report([samples]) == _report(samples)


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    """Binary junk in evidence is shown escaped in text, markdown and html, kept as is in JSON."""
    (tmp_path / "vsbkp.log").write_bytes(b"\x1b[2J\x07junk\n1 a 11/20 10:00:00 7 x::y() - ok\n")
    report = report_of(scan_paths([tmp_path]))
    for output in (Format.text, Format.markdown, Format.html):
        rendered = render(report, output)
        assert "\x1b" not in rendered
        assert "\\x1b[2J" in rendered
    assert "\\u001b[2J" in render(report, Format.json)
