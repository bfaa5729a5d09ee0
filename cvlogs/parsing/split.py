"""Splitting a large log file between the reader processes by byte range.

A part starts where reading the whole file would start a chunk anyway, and reads its blocks on
the same grid, so every part's chunks are the whole read's chunks (``chunks.Span``).  Where the
whole read cuts is found from a window of the file just before a block end: ``last_record_start``
looks back from there for the last header line (``chunks.cut_in``); a window whose search goes
back to its own start tells nothing, and the next block end is tried.  What a chunk leaves to the
next (line numbers, the year, runs of activity, ...) is merged in file order by
``scanner.merge_parts``, so the report is the one reading the file whole gives.

Only plain files are split: a member of an archive or a compressed log cannot be read from an
offset without decompressing everything before it, which is the work a part would save.  A
UTF-16 file is not split either (its transcoding is the whole read's state); a part that meets
a NUL byte or a line cut short for its length hands the file back to be read whole.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO, NamedTuple

from cvlogs.intake import LogSource
from cvlogs.parsing.chunks import CHUNK_SIZE, Span, cut_in

MIN_PART_BYTES = 16 << 20
"""The smallest part worth a process of its own (see the README's performance section)."""
_WINDOW = 1 << 18
"""How far before a block end the cut is looked for: 64 lines of 4 KB."""
_TRIES = 16
"""Block ends tried for each cut before the file is read whole."""
_HEAD = 4096


class Piece(NamedTuple):
    """A unit of work for a reader: a source, whole (``span`` None) or one part of it."""

    at: int
    """The source's position in the scan."""
    source: LogSource
    span: Span | None = None

    @property
    def size(self) -> int:
        """The bytes to read, for the largest-first order."""
        if self.span is None:
            try:
                return self.source.file.stat().st_size
            except OSError:
                return 0
        return (self.span.stop or self.source.file.stat().st_size) - self.span.start


def pieces(sources: list[LogSource], jobs: int, *, keep_all: bool = False) -> list[Piece]:
    """The work of a scan by ``jobs`` readers: each source whole, or, when large, in parts.

    Not split with ``keep_all``: every record would travel between processes twice (as a part's
    pending record, then as an event), which costs more than the second core saves.
    """
    found: list[Piece] = []
    for index, source in enumerate(sources):
        parts = None if keep_all or jobs <= 1 else split(source, jobs)
        found += [Piece(index, source, span) for span in parts] if parts else [Piece(index, source)]
    return found


def split(source: LogSource, jobs: int, size: int = CHUNK_SIZE, min_part: int | None = None) -> list[Span] | None:
    """The parts to read ``source`` in (up to ``jobs``, each at least ``min_part`` bytes, by default
    ``MIN_PART_BYTES``), or None."""
    if source.members or source.compression is not None or source.url is not None:
        return None
    try:
        length = source.file.stat().st_size
        count = min(jobs, length // (MIN_PART_BYTES if min_part is None else min_part))
        if count < 2:
            return None
        with open(source.file, "rb") as stream:
            head = stream.read(_HEAD)
            if b"\x00" in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return None
            cuts = _cuts(stream, length, count, size)
    except OSError:
        return None  # read whole, where the error is reported as it always is
    if not cuts:
        return None
    starts = [0, *(cut for cut, _ in cuts)]
    ends = [size, *(end + size for _, end in cuts)]
    stops = [*starts[1:], None]
    reads = [*(end for _, end in cuts), None]
    return [Span(*fields) for fields in zip(starts, ends, stops, reads, strict=True)]


def _cuts(stream: BinaryIO, length: int, count: int, size: int) -> list[tuple[int, int]]:
    """For each part after the first: where it starts and the block end the whole read cuts it at."""
    found: list[tuple[int, int]] = []
    previous = size  # a cut is never in the first block (its search would reach the byte-order mark)
    width = min(size, _WINDOW)
    for part in range(1, count):
        end = max(previous + size, round(length * part / count / size) * size)
        for _ in range(_TRIES):
            if end >= length:
                return found
            stream.seek(end - width)
            cut = cut_in(stream.read(width))
            if cut is not None:
                found.append((end - width + cut, end))
                break
            end += size
        previous = end
    return found
