"""The parse stage: log sources in, accounted lines and typed events out.

The only part of cvlogs that imports the grammars.  This module itself is light: the scanner
(numpy, pyparsing, the grammars) is imported only when files are read, so ``cvlogs rules``,
``schema`` and ``--version`` start fast.
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from cvlogs.containers import release_archives
from cvlogs.intake import DEFAULT_LIMITS, Limits, LogSource, discover
from cvlogs.model import FileResult, ScanResult, SkippedSource

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from cvlogs.parsing.split import Piece

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

    The unit of work is a file, or a part of one (``cvlogs.parsing.split`` cuts the work so that
    the readers end together): shipping chunks of one file to workers was measured slower than
    one process, a part of whole blocks is not.  This process is one of the ``jobs`` (see
    ``cvlogs.parsing.readers``).  Sources are plain data and the task is a module-level
    function, so the workers start with ``spawn`` (Windows, macOS) as well as ``fork``.
    """
    try:
        if jobs > 1:
            from cvlogs.parsing.split import pieces  # noqa: PLC0415  (reads the large files' cut points)

            work = pieces(sources, jobs, keep_all=keep_all)
            if len(work) > 1:
                yield from _read_shared(sources, work, keep_all=keep_all, jobs=jobs, progress=progress, context=context)
                return
        for source in sources:
            result = scan_source(source, keep_all=keep_all)
            if progress is not None:
                progress(result)
            yield result
    finally:
        release_archives(totals=True)  # the archives this process kept open between members


def _read_shared(
    sources: list[LogSource],
    work: list[Piece],
    *,
    keep_all: bool,
    jobs: int,
    progress: Progress | None,
    context: BaseContext | None,
) -> list[FileResult | SkippedSource]:
    """The sources' results from their pieces read by several processes, parts merged in file order."""
    # Workers forked from this process inherit the scanner once it is imported here; imported in
    # each worker instead, it costs the same wall time on two free cores and more on shared ones.
    scanner = importlib.import_module("cvlogs.parsing.scanner")
    from cvlogs.parsing.readers import read_shared  # noqa: PLC0415  (multiprocessing: only when it is used)

    results: dict[int, FileResult | SkippedSource] = {}
    parts: dict[int, dict[int, object]] = {}
    first: dict[int, int] = {}  # where each source's pieces start in ``work``
    for position, piece in enumerate(work):
        first.setdefault(piece.at, position)
    count = Counter(piece.at for piece in work)

    def store(position: int, result: object) -> None:
        at = work[position].at
        if work[position].span is not None:
            parts.setdefault(at, {})[position - first[at]] = result
            if len(parts[at]) < count[at]:
                return
            taken = parts.pop(at)
            result = scanner.merge_parts(sources[at], [taken[n] for n in range(count[at])], keep_all)
        assert isinstance(result, FileResult | SkippedSource)
        results[at] = result
        if progress is not None:
            progress(result)

    read_shared(work, partial(read_piece, keep_all=keep_all), jobs, store, context)
    return [results[at] for at in range(len(sources))]


def scan_source(source: LogSource, keep_all: bool = False) -> FileResult | SkippedSource:
    """Read one log source (see ``cvlogs.parsing.scanner.scan_source``); the task Dask runs."""
    from cvlogs.parsing.scanner import scan_source as scan  # noqa: PLC0415  (heavy: loaded where files are read)

    return scan(source, keep_all=keep_all)


def read_piece(piece: Piece, keep_all: bool = False) -> object:
    """Read a source or a part of one: the task every process of a local scan runs."""
    if piece.span is None:
        return scan_source(piece.source, keep_all)
    from cvlogs.parsing.scanner import scan_part  # noqa: PLC0415  (heavy: loaded where files are read)

    return scan_part(piece.source, piece.span, keep_all)
