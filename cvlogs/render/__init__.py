"""Renderers of a ``Report``: one module per format behind one small interface.

Each renderer is a function ``(Report, width) -> str``; ``Format`` maps the command line's
``--format`` values to them, and a test proves that the mapping is total.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from cvlogs.render import html, json_report, markdown, text
from cvlogs.report import Report

Renderer = Callable[[Report, int], str]


class Format(StrEnum):
    """The output formats of ``cvlogs scan``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


RENDERERS: dict[Format, Renderer] = {
    Format.text: text.render,
    Format.json: json_report.render,
    Format.markdown: markdown.render,
    Format.html: html.render,
}


def render(report: Report, output: Format, width: int = 100) -> str:
    """The report in ``output`` format, as one string."""
    return RENDERERS[output](report, width)
