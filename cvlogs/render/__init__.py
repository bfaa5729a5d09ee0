"""Renderers of a ``Report``: one module per format behind one small interface.

Each renderer is a function ``(Report, RenderOptions) -> str``; a module whose output grows with
the logs may also offer ``write(Report, RenderOptions, stream)``, which writes the same text in
pieces (``write`` below uses it).  ``Format`` maps the command line's ``--format`` values to
their modules, and a test proves that the mapping is total.  A module is
imported when its format is asked for: the text renderer needs rich, which a JSON report for a
script does not (start-up time counts on every run).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from cvlogs.report import Report


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How a report is shown (what it holds is the report's business)."""

    width: int = 100
    """Columns of the text report when it is not printed on a terminal."""
    details: bool = False
    """The text report adds each finding's evidence and remedy (the other formats always do)."""
    max_evidence: int = 5
    """Evidence lines shown per finding (findings keep five at most)."""


DEFAULT = RenderOptions()
Renderer = Callable[[Report, RenderOptions], str]


class Format(StrEnum):
    """The output formats of ``cvlogs scan``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


RENDERERS: dict[Format, str] = {
    Format.text: "text",
    Format.json: "json_report",
    Format.markdown: "markdown",
    Format.html: "html",
}
"""Format -> the module of ``cvlogs.render`` whose ``render`` function writes it."""


def renderer(output: Format) -> Renderer:
    """The render function of a format (its module is imported now)."""
    function: Renderer = importlib.import_module(f"cvlogs.render.{RENDERERS[output]}").render
    return function


def render(report: Report, output: Format, options: RenderOptions = DEFAULT) -> str:
    """The report in ``output`` format, as one string."""
    return renderer(output)(report, options)


def write(report: Report, output: Format, stream: IO[str], options: RenderOptions = DEFAULT) -> None:
    """The report in ``output`` format, written to ``stream``: in pieces where the format's module
    can (the JSON of 100,000 accounts is never one string), else as one string."""
    module = importlib.import_module(f"cvlogs.render.{RENDERERS[output]}")
    writer: Callable[[Report, RenderOptions, IO[str]], None] | None = getattr(module, "write", None)
    if writer is None:
        stream.write(renderer(output)(report, options))
    else:
        writer(report, options, stream)
