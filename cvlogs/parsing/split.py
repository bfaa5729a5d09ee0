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

TAIL_BYTES = CHUNK_SIZE
"""The size the last pieces of a scan are cut down to: one block, the smallest part there is."""
LONE_FILE_BYTES = 32 << 20
"""A file scanned alone is cut from this size: cutting it is what forks a reader, whose fixed
cost (0.2-0.3 s of CPU) a 16 MB file read in two halves repaid by a tenth (see the README)."""
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
            return _length(self.source)
        return (self.span.stop or _length(self.source)) - self.span.start


def pieces(sources: list[LogSource], jobs: int, *, keep_all: bool = False) -> list[Piece]:
    """The work of a scan by ``jobs`` readers, cut so that they end together.

    The readers take the largest piece left (``cvlogs.parsing.readers``), so while one reads a
    piece the others read the smaller ones; they end together when those hold the piece's bytes
    for each other reader.  So, from the smallest source up, a source is cut from its end into
    parts no larger than the bytes after them per other reader, and at least ``TAIL_BYTES``: the
    smallest source ends in parts of a block or two, the larger ones stay whole, and one large
    file alone (from ``LONE_FILE_BYTES``) is cut into parts that halve towards its end.

    Not split with ``keep_all``: every record would travel between processes twice (as a part's
    pending record, then as an event), which costs more than the second core saves.
    """
    spans: list[list[Span] | None] = [None] * len(sources)
    if not keep_all and jobs > 1 and (len(sources) > 1 or sum(map(_length, sources)) >= LONE_FILE_BYTES):
        after = 0
        for index in sorted(range(len(sources)), key=lambda at: _length(sources[at])):
            length = _length(sources[index])
            spans[index] = split(sources[index], _ends(length, after, jobs - 1))
            after += length
    found: list[Piece] = []
    for index, source in enumerate(sources):
        parts = spans[index]
        found += [Piece(index, source, span) for span in parts] if parts else [Piece(index, source)]
    return found


def _ends(length: int, after: int, others: int, size: int = CHUNK_SIZE) -> list[int]:
    """The block ends to cut a file of ``length`` bytes before, with ``after`` bytes of work after
    it for ``others`` readers: parts no larger than their work after them per reader (at least
    ``TAIL_BYTES``), cut from the file's end, never in its first block."""
    ends: list[int] = []
    end = length
    while (cut := round((end - max(TAIL_BYTES, after // others)) / size) * size) >= 2 * size:
        ends.append(cut)
        after += end - cut
        end = cut
    return ends[::-1]


def split(source: LogSource, ends: list[int], size: int = CHUNK_SIZE) -> list[Span] | None:
    """The parts to read ``source`` in, cut where the whole read cuts the blocks that end at
    ``ends`` (multiples of ``size``, ascending; the next block end when one tells nothing), or
    None: the file is read whole."""
    if not ends or source.members or source.compression is not None or source.url is not None:
        return None
    try:
        length = source.file.stat().st_size
        with open(source.file, "rb") as stream:
            head = stream.read(_HEAD)
            if b"\x00" in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return None
            cuts = _cuts(stream, length, ends, size)
    except OSError:
        return None  # read whole, where the error is reported as it always is
    if not cuts:
        return None
    starts = [0, *(cut for cut, _ in cuts)]
    firsts = [size, *(end + size for _, end in cuts)]
    stops = [*starts[1:], None]
    reads = [*(end for _, end in cuts), None]
    return [Span(*fields) for fields in zip(starts, firsts, stops, reads, strict=True)]


def _length(source: LogSource) -> int:
    try:
        return source.file.stat().st_size
    except OSError:
        return 0


def _cuts(stream: BinaryIO, length: int, ends: list[int], size: int) -> list[tuple[int, int]]:
    """For each part after the first: where it starts and the block end the whole read cuts it at."""
    found: list[tuple[int, int]] = []
    previous = size  # a cut is never in the first block (its search would reach the byte-order mark)
    width = min(size, _WINDOW)
    for target in ends:
        end = max(previous + size, target)
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
