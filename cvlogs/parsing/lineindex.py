"""Where each line of a chunk starts and whether it is a header line, as numpy arrays.

The scanner asks three questions of every chunk: how many lines, which lines are header lines
(the rest are continuations or unparsed), and which line a byte offset falls in.  numpy answers
them for the whole chunk at once (a newline search, a binary search), so nothing is counted
again for each record the scanner reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from cvlogs.parsing.automaton import PADDING, PrefixAutomaton, Unsupported
from cvlogs.parsing.chunks import PREFIX_AT, PREFIX_BYTES

# Anchored on the newline rather than ``^``: the engine then jumps from newline to newline (3x faster).
_HEADERLESS = re.compile(b"\n(?!" + PREFIX_BYTES + b")", re.MULTILINE)

Offsets = npt.NDArray[np.int64]


@cache
def _automaton() -> PrefixAutomaton | None:
    """The header prefix as an automaton (built once per process), or None to use ``re``."""
    try:
        return PrefixAutomaton.compile(PREFIX_BYTES)
    except Unsupported:  # pragma: no cover  (a pattern or a Python the automaton cannot model)
        return None


def headers_by_regex(chunk: bytes, starts: Offsets) -> npt.NDArray[np.bool_]:
    """For each line start, whether it is a header line, by the ``re`` engine (the reference)."""
    is_header = np.ones(starts.size, dtype=bool)
    headerless = [m.end() for m in _HEADERLESS.finditer(chunk) if m.end() < len(chunk)]
    if headerless:
        is_header[np.searchsorted(starts, headerless)] = False
    if starts.size and PREFIX_AT.match(chunk) is None:
        is_header[0] = False
    return is_header


def spans_mask(size: int, begins: Offsets, ends: Offsets) -> npt.NDArray[np.bool_]:
    """A mask of ``size`` bytes, true inside the spans ``[begins[i], ends[i])`` (ascending, apart):
    one ``np.repeat`` of runs, five times faster than a cumulative sum over the bytes."""
    edges = np.empty(2 * begins.size + 2, dtype=np.int64)
    edges[0], edges[-1] = 0, size
    edges[1:-1:2], edges[2:-1:2] = begins, ends
    inside = np.zeros(edges.size - 1, dtype=bool)
    inside[1::2] = True
    return np.repeat(inside, np.diff(edges))


def distinct(values: Offsets) -> Offsets:
    """The distinct values, ascending: ``np.unique`` by one sort (none when already sorted, which
    numpy's sort notices), without ``np.unique``'s own costs (numpy 2.4's imports numpy.ma on
    first use: 15 ms in every worker)."""
    ordered = np.sort(values)
    first = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    found: Offsets = ordered[first]
    return found


@dataclass(frozen=True, slots=True)
class LineIndex:
    """The lines of one chunk: ``starts[i]`` is where line ``i`` starts, ``headers`` the header lines."""

    chunk: bytes
    starts: Offsets
    headers: Offsets
    """The indexes of the header lines, ascending."""
    data: npt.NDArray[np.uint8]
    """The chunk's bytes followed by ``PADDING`` line feeds, so a fixed window from any line start stays inside."""
    ordinals: Offsets
    """Per line: the place in ``headers`` of the header line of its record (-1 before the first):
    what a binary search of ``headers`` gives, looked up (about a tenth of the search's time)."""

    @classmethod
    def of(cls, chunk: bytes) -> LineIndex:
        padded = chunk + b"\n" * PADDING
        data = np.frombuffer(padded, dtype=np.uint8)
        newlines = np.flatnonzero(data[: len(chunk)] == ord("\n"))
        count = newlines.size + (1 if chunk and not chunk.endswith(b"\n") else 0)
        starts = np.empty(count, dtype=np.int64)
        if count:
            starts[0] = 0
            starts[1:] = newlines[: count - 1] + 1
        automaton = _automaton()
        if automaton is None:
            is_header = headers_by_regex(chunk, starts)
        else:
            is_header = automaton.header_lines(padded, len(chunk), starts)
        return cls(chunk, starts, np.flatnonzero(is_header), data, np.cumsum(is_header) - 1)

    @property
    def count(self) -> int:
        return int(self.starts.size)

    def line(self, number: int) -> bytes:
        """Line ``number`` (0-based) without its line feed."""
        start = int(self.starts[number])
        if number + 1 < self.starts.size:
            return self.chunk[start : int(self.starts[number + 1]) - 1]
        end = len(self.chunk)
        return self.chunk[start : end - 1 if self.chunk.endswith(b"\n") else end]

    def spans(self, lines: Offsets) -> tuple[list[int], list[int]]:
        """Where each of ``lines`` starts and ends (before its line feed), as two lists: one
        numpy pass for all of them instead of two array lookups per line."""
        following = np.append(self.starts, len(self.chunk) + (0 if self.chunk.endswith(b"\n") else 1))
        return self.starts[lines].tolist(), (following[lines + 1] - 1).tolist()

    def lines_at(self, offsets: Offsets) -> Offsets:
        """The line that each byte offset falls in."""
        return np.searchsorted(self.starts, offsets, side="right") - 1

    def records_at_each(self, offsets: Offsets) -> Offsets:
        """For each byte offset, the header line of its record (-1 before a file's first header)."""
        return self.records_of(self.lines_at(offsets))

    def records_of(self, lines: Offsets) -> Offsets:
        """For each line, the header line of its record (-1 before a file's first header)."""
        if self.headers.size == 0:  # a chunk of headerless lines: no record at all
            return np.full(lines.size, -1, dtype=np.int64)
        owner = self.ordinals[lines]
        return np.where(owner >= 0, self.headers[owner], -1)

    def records_at(self, offsets: Offsets) -> Offsets:
        """The header lines whose records hold these byte offsets (ascending, once each).

        An offset in a continuation line belongs to the header line above it; one in the
        headerless lines before a file's first header belongs to no record.
        """
        owners = self.records_at_each(offsets)
        return distinct(owners[owners >= 0])

    def next_headers(self, lines: Offsets) -> Offsets:
        """For each header line, the first header line after it (the line count when none follows)."""
        following = np.append(self.headers, self.count)
        return following[self.ordinals[lines] + 1]
