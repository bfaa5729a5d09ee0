"""The parse stage: log sources in, accounted lines and typed events out.

The only part of cvlogs that imports the grammars.  This module itself is light: the scanner
(numpy, pyparsing, the grammars) is imported only when files are read, so ``cvlogs rules``,
``schema`` and ``--version`` start fast.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from cvlogs.containers import release_archives
from cvlogs.intake import DEFAULT_LIMITS, Limits, LogSource, discover
from cvlogs.model import FileResult, ScanResult, SkippedSource

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

__all__ = ["collect", "scan_paths", "scan_source", "scan_sources"]

Progress = Callable[[FileResult | SkippedSource], None]


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    keep_all: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    all_logs: bool = False,
) -> ScanResult:
    """Discover and read every log under ``paths``.

    ``keep_all`` keeps every record as an event; ``jobs`` worker processes read one file each
    (the results are the same as with one); ``progress`` is called with each file's result;
    ``all_logs`` reads every Commvault log, not only the four families.
    """
    sources, skipped = discover(paths, limits, all_logs=all_logs)
    return collect(scan_sources(sources, keep_all=keep_all, jobs=jobs, progress=progress), skipped)


def collect(results: Iterable[FileResult | SkippedSource], skipped: list[SkippedSource]) -> ScanResult:
    """A scan result from per-file results; files that broke while read join the skipped ones."""
    files: list[FileResult] = []
    broken: list[SkippedSource] = []
    for result in results:
        if isinstance(result, SkippedSource):
            broken.append(result)
        else:
            files.append(result)
    return ScanResult(files=tuple(files), skipped=(*skipped, *broken))


def scan_sources(
    sources: list[LogSource],
    keep_all: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    context: BaseContext | None = None,
) -> Iterator[FileResult | SkippedSource]:
    """Each source's result, in the order of ``sources``, read by up to ``jobs`` processes.

    The unit of work is a file: shipping chunks of one file to workers was measured slower than
    one process.  This process is one of the ``jobs`` (see ``cvlogs.parsing.readers``).  Sources
    are plain data and ``scan_source`` is a module-level function, so the workers start with
    ``spawn`` (Windows, macOS) as well as ``fork``.
    """
    task = partial(scan_source, keep_all=keep_all)
    try:
        if jobs <= 1 or len(sources) <= 1:
            for source in sources:
                result = task(source)
                if progress is not None:
                    progress(result)
                yield result
            return
        # Workers forked from this process inherit the scanner once it is imported here; imported in
        # each worker instead, it costs the same wall time on two free cores and more on shared ones.
        importlib.import_module("cvlogs.parsing.scanner")
        from cvlogs.parsing.readers import read_shared  # noqa: PLC0415  (multiprocessing: only when it is used)

        yield from read_shared(sources, task, jobs, progress, context)
    finally:
        release_archives(totals=True)  # the archives this process kept open between members


def scan_source(source: LogSource, keep_all: bool = False) -> FileResult | SkippedSource:
    """Read one log source (see ``cvlogs.parsing.scanner.scan_source``); the task every pool runs."""
    from cvlogs.parsing.scanner import scan_source as scan  # noqa: PLC0415  (heavy: loaded where files are read)

    return scan(source, keep_all=keep_all)
