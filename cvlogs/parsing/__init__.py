"""The parse stage: log sources in, accounted lines and typed events out.

The only part of cvlogs that imports the grammars.  This module itself is light: the scanner
(numpy, pyparsing, the grammars) is imported only when files are read, so ``cvlogs rules``,
``schema`` and ``--version`` start fast.
"""

from __future__ import annotations

import importlib
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from multiprocessing.context import BaseContext

from cvlogs.intake import DEFAULT_LIMITS, Limits, LogSource, discover
from cvlogs.model import FileResult, ScanResult, SkippedSource

__all__ = ["collect", "scan_paths", "scan_source", "scan_sources"]

Progress = Callable[[FileResult | SkippedSource], None]


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    keep_all: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ScanResult:
    """Discover and read every log under ``paths``.

    ``keep_all`` keeps every record as an event; ``jobs`` worker processes read one file each
    (the results are the same as with one); ``progress`` is called with each file's result.
    """
    sources, skipped = discover(paths, limits)
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
    one process.  This process is one of the ``jobs``: it and ``jobs - 1`` workers each take the
    largest file not read yet whenever they come free, and its share is never pickled nor copied
    between processes.  Sources are plain data and
    ``scan_source`` is a module-level function, so the pool works with ``spawn`` (Windows, macOS)
    as well as ``fork``.
    """
    task = partial(scan_source, keep_all=keep_all)
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
    results = _Shared(sorted(range(len(sources)), key=lambda index: -_size(sources[index])))
    with ProcessPoolExecutor(max_workers=min(jobs, len(sources)) - 1, mp_context=context) as pool:

        def submit(index: int) -> None:
            try:
                future = pool.submit(task, sources[index])
            except RuntimeError as error:  # a broken pool (a killed worker): raised to the caller
                failed: Future[FileResult | SkippedSource] = Future()
                failed.set_exception(error)
                results.finished.put((index, failed))
                return
            future.add_done_callback(partial(done, index))

        def done(index: int, future: Future[FileResult | SkippedSource]) -> None:
            # Runs in the pool's thread: hand the result over, give the worker the next largest file.
            results.finished.put((index, future))
            if (following := results.take()) is not None:
                submit(following)

        try:
            for _ in range(min(jobs, len(sources)) - 1):
                if (index := results.take()) is not None:
                    submit(index)
            while (index := results.take()) is not None:
                results.report(progress)
                results.store(index, task(sources[index]), progress)
            while len(results.by_index) < len(sources):
                results.report(progress, wait=True)
        finally:
            results.drop_pending()  # after an error (or Ctrl-C), workers get no further files
    for index in range(len(sources)):
        yield results.by_index[index]


class _Shared:
    """The files not read yet, largest first, and the results so far.

    A worker is handed its next file only when it has finished one, so no file waits in a
    worker's queue while another reader is free (the pool's own queue holds one file more per
    worker: measured, a worker then read 73 of 117 MB while this process read 45).
    """

    def __init__(self, order: list[int]) -> None:
        self.pending = deque(order)
        self.lock = threading.Lock()
        self.finished: queue.SimpleQueue[tuple[int, Future[FileResult | SkippedSource]]] = queue.SimpleQueue()
        self.by_index: dict[int, FileResult | SkippedSource] = {}

    def take(self) -> int | None:
        """The largest file not read yet (any reader that comes free takes it: the last file to finish
        is then a small one), or None."""
        with self.lock:
            return self.pending.popleft() if self.pending else None

    def drop_pending(self) -> None:
        with self.lock:
            self.pending.clear()

    def store(self, index: int, result: FileResult | SkippedSource, progress: Progress | None) -> None:
        self.by_index[index] = result
        if progress is not None:
            progress(result)

    def report(self, progress: Progress | None, wait: bool = False) -> None:
        """Store what workers have finished (waiting for one with ``wait``); a worker's error is raised here."""
        try:
            index, future = self.finished.get(block=wait)
        except queue.Empty:
            return
        self.store(index, future.result(), progress)
        while not self.finished.empty():
            index, future = self.finished.get()
            self.store(index, future.result(), progress)


def scan_source(source: LogSource, keep_all: bool = False) -> FileResult | SkippedSource:
    """Read one log source (see ``cvlogs.parsing.scanner.scan_source``); the task every pool runs."""
    from cvlogs.parsing.scanner import scan_source as scan  # noqa: PLC0415  (heavy: loaded where files are read)

    return scan(source, keep_all=keep_all)


def _size(source: LogSource) -> int:
    try:
        return source.file.stat().st_size
    except OSError:
        return 0
