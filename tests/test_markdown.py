"""The Markdown report survives a CommonMark + GFM-table renderer: no text lost, no HTML injected."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import cvlogs
from cvlogs.redact import printable
from cvlogs.render import Format, RenderOptions, render
from cvlogs.render.json_report import shown_path
from cvlogs.render.markdown import code, fenced, text
from cvlogs.report import Report
from tests.conftest import write_log

HOSTILE_ROLE = "arn:aws:iam::123456789012:role/CV_`tick`_*Role*|x<script>alert(1)</script>"
HOSTILE_HOST = "<img src=x onerror=alert(1)>_node_"
LOG = (
    f"4012 1a2c 11/20 10:00:00 88 CAmazonInfo::Connect() - Connecting to Url=[default], username[{HOSTILE_ROLE}]\n"
    "4012 1a2c 11/20 10:00:01 88 AmazonConnection::ValidateCredentials() - An error occurred (AccessDenied) when "
    "calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-1 is not "
    f"authorized to perform: sts:AssumeRole on resource: {HOSTILE_ROLE} ```` ~~~ "
    "<img src=x onerror=alert(2)> | a | b |\n"
    "garbage line with <b>bold</b> and **stars** and __under__ and ``` fences\n"
)


class _Text(HTMLParser):
    """The text a reader sees (tags dropped, entities decoded), and the raw tags met."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _rendered(markdown: str) -> tuple[str, list[str], str]:
    """What a CommonMark renderer with GFM tables and raw HTML allowed makes of ``markdown``."""
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    reader = _Text()
    reader.feed(html)
    return " ".join("".join(reader.parts).split()), reader.tags, html


def _flat(value: str) -> str:
    return " ".join(printable(value).split())


def _shown_texts(report: Report) -> list[str]:
    """Every text the report must show in full, as a reader sees it."""
    texts = [report.verdict]
    for finding in report.findings:
        texts += [finding.message, finding.remedy, *(f"{e.path}:{e.line}: {e.text}" for e in finding.evidence)]
        texts += [finding.role_arn or "", finding.name, ", ".join(finding.hosts)]
    for account in report.accounts:
        texts += [account.account_id, ", ".join(account.hosts), ", ".join(account.roles)]
    texts += [shown_path(f) for f in report.files]
    return [_flat(t) for t in texts if t]


def _table_rows_match_headers(markdown: str) -> None:
    """Every table row has exactly as many cells as its header (unescaped pipes counted)."""
    width = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line)) - 2
        width = width or cells
        assert cells == width, line


@pytest.fixture
def hostile(tmp_path: Path) -> Report:
    folder = tmp_path / "logs" / "case_<script>*|`x`"
    write_log(folder, "vsbkp.log", LOG)
    return cvlogs.scan(tmp_path / "logs", cvlogs.ScanOptions(host_name=HOSTILE_HOST))


def test_hostile_values_render_as_text_and_inject_nothing(hostile: Report) -> None:
    """Role ARNs, host and folder names with Markdown and HTML in them come out as the same text."""
    assert hostile.findings
    markdown = render(hostile, Format.markdown)
    seen, tags, html = _rendered(markdown)
    assert "script" not in tags
    assert "img" not in tags
    assert "<script" not in html
    assert "<img" not in html
    assert {"em", "strong"} & set(tags) <= {"strong"}  # only the report's own bold labels
    for expected in _shown_texts(hostile):
        assert expected in seen, expected
    _table_rows_match_headers(markdown)


def test_the_sample_report_loses_no_text_and_keeps_placeholders(samples: Path) -> None:
    """The sample report's messages, evidence, remedies (with their <placeholders>) all survive."""
    report = cvlogs.scan(samples, cvlogs.ScanOptions(host_name="accessnode1"))
    markdown = render(report, Format.markdown)
    seen, _, _ = _rendered(markdown)
    for expected in _shown_texts(report):
        assert expected in seen, expected
    for placeholder in ("<admin account>", "<RoleName>", "<host>"):
        assert placeholder in seen
    _table_rows_match_headers(markdown)


def test_max_evidence_caps_the_report(samples: Path) -> None:
    """--max-evidence N keeps at most N evidence lines per finding and says what it left out."""
    report = cvlogs.scan(samples, cvlogs.ScanOptions(host_name="accessnode1"))
    full = render(report, Format.markdown)
    short = render(report, Format.markdown, RenderOptions(max_evidence=1))
    assert len(short) < len(full)
    assert "left out: --max-evidence" in short
    blocks = re.findall(r"^(`{3,})text\n(.*?)^\1$", short, flags=re.MULTILINE | re.DOTALL)
    assert blocks
    assert all(body.count("\n") == 1 for _, body in blocks)


@pytest.mark.parametrize(
    "value", ["a`b", "``", "` x `", "```\nclose", "|pipe|", "<tag>", "_x_ *y*", "1. list", "- item", "# head"]
)
def test_each_escape_shows_its_value_verbatim(value: str) -> None:
    """text, code spans and fences each render back to the value itself."""
    flat = " ".join(value.split())
    assert _rendered(text(value))[0] == flat
    assert unescape(_rendered(code(value))[0]) == " ".join(flat.split())
    fence = "\n".join(fenced(value.splitlines()))
    assert _rendered(fence)[0] == flat


@pytest.mark.parametrize(
    ("url", "is_link"),
    [
        ("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html", True),
        ("https://example.com/a_(b)*c", True),
        ("javascript:alert(1)", False),
        ("https://example.com/<script>", False),
    ],
)
def test_links_go_where_they_say_or_are_text(url: str, is_link: bool) -> None:
    """Documentation URLs become links to exactly that URL; anything else stays text."""
    from cvlogs.render.html import link as html_link  # noqa: PLC0415
    from cvlogs.render.markdown import link  # noqa: PLC0415

    seen, tags, html = _rendered(link(url, "the AWS guide"))
    if is_link:
        assert tags == ["p", "a"]
        assert f'href="{url.replace("&", "&amp;")}"' in html.replace("%28", "(").replace("%29", ")")
        assert seen == "the AWS guide"
        assert f'href="{url}"' in html_link(url, "guide")
    else:
        assert "a" not in tags
        assert seen == url
        assert "<a " not in html_link(url)
