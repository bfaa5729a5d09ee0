"""The reports: golden files for json, markdown and text, the schema, and every renderer."""

from __future__ import annotations

import io
import json
import re
import socket
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

import cvlogs
from cvlogs.parsing import scan_paths
from cvlogs.redact import NAME_FIELDS, scrub
from cvlogs.render import RENDERERS, Format, RenderOptions, json_report, render
from cvlogs.report import Filters, Report, build_report, report_of

GOLDEN = Path(__file__).parent / "golden"


def _report(samples: Path, filters: Filters | None = None) -> Report:
    return report_of(scan_paths([samples]), filters=filters or Filters())


@pytest.mark.parametrize(
    ("output", "name", "details"),
    [
        (Format.json, "scan.json", False),
        (Format.markdown, "scan.md", False),
        (Format.text, "scan.txt", False),
        (Format.text, "scan-details.txt", True),
    ],
)
def test_golden_reports(samples: Path, update_goldens: bool, output: Format, name: str, details: bool) -> None:
    """The sample_logs report matches its reviewed golden file (regenerate: pytest --update-goldens)."""
    rendered = render(_report(samples), output, RenderOptions(width=100, details=details))
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


@pytest.mark.parametrize("accounts", [(), ("210987654321",), ("000000000000",)])
def test_the_streamed_json_is_the_encoded_document(samples: Path, accounts: tuple[str, ...]) -> None:
    """The JSON written entry by entry is, character for character, ``json.dumps`` of the whole
    document (with entries, and with the arrays empty when the filter keeps no account)."""
    report = _report(samples, Filters(accounts=accounts))
    stream = io.StringIO()
    json_report.write(report, RenderOptions(), stream)
    assert stream.getvalue() == json.dumps(json_report.as_dict(report), indent=2, ensure_ascii=False) + "\n"


def test_scrub_visits_the_text_fields_of_every_record(samples: Path) -> None:
    """scrub reaches every string a report holds but cvlogs' own words, and only those; the
    fields that hold none (times, counts, statuses) are left as they are."""
    report = _report(samples)
    changed = scrub(report, lambda text: f"<{text}>")
    assert {a.account_id for a in changed.accounts} == {f"<{a.account_id}>" for a in report.accounts}
    assert [a.roles for a in changed.accounts] == [tuple(f"<{r}>" for r in a.roles) for a in report.accounts]
    assert [a.status for a in changed.accounts] == [a.status for a in report.accounts]
    assert [e.text for f in changed.findings for e in f.evidence] == [
        f"<{e.text}>" for f in report.findings for e in f.evidence
    ]
    assert [f.remedy for f in changed.findings] == [f.remedy for f in report.findings]
    assert [s.text for f in changed.files for s in f.unparsed_samples] == [
        f"<{s.text}>" for f in report.files for s in f.unparsed_samples
    ]
    assert [s.location.path for f in changed.files for s in f.unparsed_samples] == [
        f"<{s.location.path}>" for f in report.files for s in f.unparsed_samples
    ]
    names = scrub(report, lambda text: f"<{text}>", only=NAME_FIELDS)
    assert [f.path for f in names.files] == [f"<{f.path}>" for f in report.files]
    assert [f.family for f in names.files] == [f.family for f in report.files]
    assert [a.roles for a in names.accounts] == [a.roles for a in report.accounts]


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
    """The HTML report fetches nothing (internal anchors, and links to AWS documentation a reader
    opens) and draws a bar per sequence."""
    report = _report(samples)
    page = render(report, Format.html)
    assert "<svg" in page
    outside = re.findall(r'<a href="(http[^"]*)"', page)
    assert outside
    assert all(url.startswith("https://docs.aws.amazon.com/") for url in outside)
    page = re.sub(r'<a href="http[^"]*"[^>]*>', "<a>", page)
    for fetch in ("<link", "src=", "@import", "url(", "fetch(", "XMLHttpRequest", "http-equiv"):
        assert fetch not in page
    targets = re.findall(r'href="([^"]*)"', page)
    assert targets
    assert all(t.startswith("#") for t in targets)
    ids = set(re.findall(r'id="([^"]*)"', page))
    assert {t[1:] for t in targets} <= ids  # every link lands somewhere
    drawn = sum(map(int, re.findall(r": (\d+) seq,", page)))
    assert drawn == len(report.spans) > 20  # every sequence in one bar (bars under a pixel apart merged)
    assert page.count("<rect") < len(report.spans)
    assert page.count("<details>") == sum(1 for f in report.findings if f.evidence)


def test_html_timeline_ticks_are_round_times() -> None:
    """Ticks fall on multiples of a round step (here 6 hours), whatever the first and last time."""
    from cvlogs.render.html import ticks  # noqa: PLC0415

    found = ticks(datetime(2026, 11, 18, 6, 40, 1), datetime(2026, 11, 20, 4, 50, 0))
    assert found[0] == datetime(2026, 11, 18, 12, 0)
    assert all(t.minute == 0 and t.second == 0 and t.hour % 6 == 0 for t in found)
    assert 2 <= len(found) <= 8


def test_exit_status_follows_error_findings(samples: Path) -> None:
    """1 with an error finding after filtering, 0 without."""
    assert _report(samples).exit_status == 1
    assert _report(samples, Filters(accounts=("444455556666",))).exit_status == 1  # node-wide CVL301 stays
    assert _report(samples / "vsdiscovery_2026_11_18_07_00_00.log.bz2").exit_status == 0


def test_build_report_is_the_stages_in_order(samples: Path) -> None:
    """The one-call API gives the same report as scanning and reporting by hand."""
    report = build_report(str(samples))  # one path as a string works too
    assert report == cvlogs.scan([samples])
    # as the command line names plain files: by their banner, else this machine
    assert {f.host for f in report.files} == {socket.gethostname(), "accessnode2"}


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    """Binary junk in evidence is shown escaped in text, markdown and html, kept as is in JSON."""
    (tmp_path / "vsbkp.log").write_bytes(b"\x1b[2J\x07junk\n1 a 11/20 10:00:00 7 x::y() - ok\n")
    report = report_of(scan_paths([tmp_path]))
    for output in (Format.text, Format.markdown, Format.html):
        rendered = render(report, output, RenderOptions(details=True))
        assert "\x1b" not in rendered
        assert "\\x1b[2J" in rendered
    assert "\\u001b[2J" in render(report, Format.json)


def _many_sequences(folder: Path, sequences: int, accounts: int) -> Path:
    """A vsbkp.log with ``sequences`` Connect + Assume role pairs over a day, every 7th one denied."""
    lines = []
    for number in range(sequences):
        seconds = number * 86_000 // sequences
        moment = f"11/20 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        role = f"arn:aws:iam::{100000000000 + number % accounts}:role/CVTenantRole"
        thread = f"{number % 97:x}"
        lines.append(
            f"1 {thread} {moment} {number} CAmazonInfo::Connect() - Connecting to Url=[default], username[{role}]"
        )
        if number % 7:
            lines.append(f"1 {thread} {moment} {number} AmazonConnection::ValidateCredentials() - Assume role [{role}]")
        else:
            lines.append(
                f"1 {thread} {moment} {number} AmazonConnection::ValidateCredentials() - An error occurred "
                "(AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:"
                f"assumed-role/CVAccessNodeRole/i-1 is not authorized to perform: sts:AssumeRole on resource: {role}"
            )
    path = folder / "vsbkp_2026_11_20_23_59_59.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_timeline_stays_readable_and_bounded_at_10000_sequences(tmp_path: Path) -> None:
    """10,000 sequences: a lane per account, bars merged below a pixel, a page of bounded size."""
    from cvlogs.render.html import MAX_LANES  # noqa: PLC0415

    report = cvlogs.scan(_many_sequences(tmp_path, 10_000, 40), cvlogs.ScanOptions(host_name="node"))
    assert len(report.spans) == 10_000
    page = render(report, Format.html)
    svg = page[page.index("<svg") : page.index("</svg>")]
    lanes = re.findall(r'<text x="4" y="[0-9.]+">(\d{12})</text>', svg)
    assert sorted(lanes) == sorted(a.account_id for a in report.accounts)[:MAX_LANES]
    assert svg.count("<rect") <= 40 * 900 / 3  # bars closer than 3 pixels merged in each lane
    drawn = sum(map(int, re.findall(r": (\d+) seq,", svg)))
    assert drawn == 10_000
    labels = re.findall(r'text-anchor="middle">([^<]+)<', svg)
    assert 2 <= len(labels) <= 8
    assert all(label.endswith(":00") for label in labels)  # round times
    assert len(page) < 1_500_000
