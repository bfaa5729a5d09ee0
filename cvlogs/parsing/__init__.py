"""The parse stage: log sources in, accounted lines and typed events out.

The only part of cvlogs that imports the grammars.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from cvlogs.intake import discover
from cvlogs.model import ScanResult
from cvlogs.parsing.scanner import scan_source

__all__ = ["scan_paths", "scan_source"]


def scan_paths(paths: Iterable[str | os.PathLike[str]], keep_all: bool = False) -> ScanResult:
    """Discover and read every log under ``paths``; ``keep_all`` keeps every record as an event."""
    sources, skipped = discover(paths)
    files = tuple(scan_source(source, keep_all=keep_all) for source in sources)
    return ScanResult(files=files, skipped=tuple(skipped))
