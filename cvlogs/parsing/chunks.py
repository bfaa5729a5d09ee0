"""Reading a log stream as UTF-8 chunks that end where a header line starts.

Cutting at a header line keeps every record (its header line and its continuation lines) inside
one chunk, so the scanner never needs state across chunks to attach continuations.  UTF-16 is
transcoded, a BOM dropped, a lone CR read as a line end, and a line longer than
``MAX_LINE_BYTES`` keeps only its start, so memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from cvlogs.grammars import banner, header

CHUNK_SIZE = 2 << 20
"""Measured here: 1 MB chunks stay in cache across the several passes a chunk gets and read the
bench corpus without Amazon lines about a fifth faster than 8 MB ones; with Amazon activity the
per-chunk work (thread keys, runs) weighs more, and 2 MB read a share of 0.5 about 15 % faster
than 1 MB and 0.02 as fast (alternating runs, CPU seconds), for about 20 MB more per reader."""
_BACKTRACK_LINES = 64
_BANNER_BYTES = 1 << 16
"""How far a long record's cut looks back to leave the banners at its end whole (90 banners)."""
_MAX_RECORD_BYTES = 1 << 20
#: A line longer than this keeps only its start (a 10 MB line without a newline, say).
MAX_LINE_BYTES = 1 << 20

# The bulk scanner needs no groups: capturing them costs about a fifth of the match time.
PREFIX_BYTES = re.sub(r"\(\?P<\w+>", "(?:", header.HEADER_PREFIX_PATTERN).encode()
#: Matched at a line start inside a buffer: ``$`` in the prefix's lookahead is that line's end.
PREFIX_AT = re.compile(PREFIX_BYTES, re.MULTILINE)
#: A banner's border line, without its line feed.
BORDER = re.compile(banner.BORDER_PATTERN.encode() + rb"\r?")


@dataclass(frozen=True, slots=True)
class Span:
    """A byte range of a plain UTF-8 file read as a part of it (see ``cvlogs.parsing.split``).

    Its chunks are the very chunks reading the whole file makes there: the part starts where
    the whole read cuts a chunk, reads its blocks on the same grid of ``size`` bytes, and ends
    at the next part's start, which the whole read cuts in the block that ends at ``read_end``.
    """

    start: int
    """Where the part starts: 0, or where the whole read starts a chunk."""
    first_end: int
    """Where the whole read's block after ``start`` ends (the first block's size, for the first part)."""
    stop: int | None = None
    """Where the next part starts; None for the last part."""
    read_end: int | None = None
    """The end of the block in which the whole read cuts at ``stop``."""


class Unsplittable(Exception):
    """The part's chunks may not be the whole read's (UTF-16 or NUL bytes in it, a line cut short
    for its length): the file is read whole instead."""


def utf8_chunks(stream: IO[bytes], size: int, span: Span | None = None) -> tuple[str, Iterator[bytes]]:
    """The stream as UTF-8 chunks that end where a header line starts (or at the end).

    The encoding is the one the stream starts in; a stream that switches between UTF-8 and
    UTF-16 part-way (two writers, a log appended by another tool) is decoded piece by piece.
    With a ``span``, only that part's chunks (a part raises ``Unsplittable`` when they may differ).
    """
    if span is not None:
        stream.seek(span.start)
    first = stream.read(size if span is None else span.first_end - span.start)
    encoding = _sniff(first)
    bom = len(codecs.BOM_UTF8) if first.startswith(codecs.BOM_UTF8) else 0
    if span is None:
        return encoding, _chunks(encoding, _blocks(first[bom:], stream, size))
    blocks = _PartBlocks(first[bom:], stream, size, span.read_end)
    chunks = _chunks(encoding, iter(blocks))
    if span.stop is None:
        return encoding, chunks
    return encoding, _until(chunks, span.stop - span.start - bom, blocks)


def _chunks(encoding: str, blocks: Iterator[bytes]) -> Iterator[bytes]:
    return _cut_at_records(_lone_cr_as_lf(_Transcoder(encoding).blocks(blocks)))


class _PartBlocks:
    """A part's raw blocks, on the whole read's grid, up to ``end``; a block with a NUL byte (the
    transcoder's business: UTF-16 may start there) stops the split."""

    def __init__(self, first: bytes, stream: IO[bytes], size: int, end: int | None) -> None:
        self.first, self.stream, self.size, self.end = first, stream, size, end
        self.spent = False
        """The last block was taken: what the chunks still hold is the tail of the part."""

    def __iter__(self) -> Iterator[bytes]:
        position = self.stream.tell()  # where the block taken last ends
        block = self.first
        while block:
            if b"\x00" in block:
                raise Unsplittable("NUL bytes")
            yield block
            if self.end is not None and position >= self.end:
                break
            block = self.stream.read(self.size)
            position += len(block)
        self.spent = True


def _until(chunks: Iterator[bytes], length: int, blocks: _PartBlocks) -> Iterator[bytes]:
    """The chunks cut before the part's blocks ran out, which must come to ``length`` bytes (the
    next part's start); the rest is the tail the next part starts with."""
    read = 0
    for chunk in chunks:
        if blocks.spent:
            break
        read += len(chunk)
        yield chunk
    if read != length:
        raise Unsplittable(f"the part's chunks came to {read} bytes, not {length}")


# Four ASCII characters in UTF-16 (little or big endian): where UTF-16 starts inside UTF-8.
_UTF16_RUN = re.compile(rb"(?:[\x01-\x7f]\x00){4}|(?:\x00[\x01-\x7f]){4}")
# A line of sixteen ASCII bytes without a NUL, after a line end: where UTF-8 resumes in UTF-16.
_UTF8_RUN = re.compile(rb"(?:(?<=\n)|(?<=\n\x00))[\x01-\x7f]{16}")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class _Transcoder:
    """UTF-8 bytes from blocks in UTF-8 or UTF-16, following switches between the two.

    A UTF-8 block without a NUL byte (nearly every block of nearly every log) passes as it is,
    after one ``in`` test; only blocks with NULs, or in UTF-16, are searched for a switch.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.decoder = self._decoder(encoding)

    @staticmethod
    def _decoder(encoding: str) -> codecs.IncrementalDecoder | None:
        return None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)(errors="replace")

    def blocks(self, raw: Iterator[bytes]) -> Iterator[bytes]:
        for block in raw:
            if self.decoder is None and b"\x00" not in block:
                yield block
            else:
                yield b"".join(self._pieces(block))

    def _pieces(self, block: bytes) -> Iterator[bytes]:
        position = 0
        while position < len(block):
            if self.decoder is None:
                found = _UTF16_RUN.search(block, position)
                start = len(block) if found is None else found.start()
                little = found is not None and block[start + 1] == 0
                if little and block[start] == 0x0A:  # a UTF-8 line end, then big-endian UTF-16
                    start, little = start + 1, False
                bom = block[max(position, start - 2) : start]
                yield block[position : start - len(bom) if bom in _UTF16_BOMS else start]
                if found is not None:
                    self.decoder = self._decoder("utf-16-le" if little else "utf-16-be")
            else:
                found = _UTF8_RUN.search(block, position)
                start = len(block) if found is None else found.start()
                yield self.decoder.decode(block[position:start], final=found is not None).encode("utf-8")
                if found is not None:
                    self.decoder = None
            position = start


_LONE_CR = re.compile(rb"\r(?!\n)")


def _lone_cr_as_lf(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Blocks in which a lone CR (old Mac line ends, a writer that forgot the LF) ends a line as
    LF does: same length, so offsets hold.  A CR at a block's end waits for the next block, which
    may start with its LF.  An LF-only block costs one ``in`` test, a CRLF block two counts."""
    held = b""
    for raw in blocks:
        block = held + raw if held else raw
        held = b""
        if block.endswith(b"\r"):
            block, held = block[:-1], b"\r"
        if b"\r" in block and block.count(b"\r") != block.count(b"\r\n"):
            block = _LONE_CR.sub(b"\n", block)
        if block:
            yield block
    if held:
        yield b"\n"


def _sniff(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 8 and sample.count(0) * 3 > len(sample):
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    return "utf-8"


def _blocks(first: bytes, stream: IO[bytes], size: int) -> Iterator[bytes]:
    if first:
        yield first
    while block := stream.read(size):
        yield block


def _cut_at_records(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Chunks that end where a header line starts; a line longer than ``MAX_LINE_BYTES`` keeps
    only its first ``MAX_LINE_BYTES`` (memory stays bounded, the line is still counted once)."""
    carry = b""
    skipping = False
    for block in blocks:
        start = 0
        if skipping:
            start = block.find(b"\n")
            if start < 0:
                continue  # still inside the overlong line
            skipping = False
        tail = block[start:]
        # Nearly always the block alone holds the cut: the chunk is then copied once, not twice
        # (the joined buffer, then the chunk out of it).
        cut = _header_before(tail, tail.rfind(b"\n"))
        if cut > 0:
            yield b"".join((carry, memoryview(tail)[:cut]))
            carry = tail[cut:]
        else:
            buffer = carry + tail
            cut = last_record_start(buffer)
            if cut > 0:
                yield buffer[:cut]
            carry = buffer[cut:]
        if len(carry) > MAX_LINE_BYTES and b"\n" not in carry:
            carry, skipping = carry[:MAX_LINE_BYTES], True
    if carry:
        yield carry


def last_record_start(buffer: bytes, whole: bool = True) -> int:
    """Where to cut: the start of the last complete header line, so its continuations follow it.

    0 means "read more first" (the buffer holds one record so far).  A record longer than
    ``_BACKTRACK_LINES`` lines or ``_MAX_RECORD_BYTES`` is cut after a complete line: its lines
    are still counted, only the record's message is shortened.  Not ``whole``: the buffer is a
    window of the file (``cut_in``), whose first line may not start a chunk.
    """
    end = buffer.rfind(b"\n")
    if end < 0:
        return 0
    start = _header_before(buffer, end)
    if start == 0:
        return end + 1 if len(buffer) > _MAX_RECORD_BYTES else 0
    if start > 0:
        return start
    return _before_banner_lines(buffer, end, whole)


def _header_before(buffer: bytes, end: int) -> int:
    """The start of the last header line before the line feed at ``end``, looking back at most
    ``_BACKTRACK_LINES`` lines: 0 when the look reaches the buffer's start first (its first
    line may be the end of one before it), -1 when none of those lines is a header line or
    there is no line feed (``end`` is -1)."""
    if end < 0:
        return -1
    start = end
    for _ in range(_BACKTRACK_LINES):
        start = buffer.rfind(b"\n", 0, start) + 1
        if start == 0:
            return 0
        if PREFIX_AT.match(buffer, start):
            return start
        start -= 1
    return -1


def _before_banner_lines(buffer: bytes, end: int, whole: bool) -> int:
    """Where to cut a long record that ends at ``end`` (its last line feed) so that no banner is
    cut in two (a chunk's banner search reads only whole ones): after its last complete line,
    unless a border line lies within a banner's length before the cut, which then moves before
    that border, and so on; after ``_BANNER_BYTES`` walked, after the last line anyway.  0 when
    the buffer, shorter than ``_MAX_RECORD_BYTES``, starts with the border (read more first), or
    when a window (not ``whole``) ends before the walk does: what lies before it decides."""
    cut = end + 1
    while cut > end + 1 - _BANNER_BYTES:
        border = None
        stop = cut
        for _ in range(banner.MAX_ENTRIES + 2):  # its entries, the closing border, the blank line after it
            if stop == 0:
                if not whole:
                    return 0
                break
            start = buffer.rfind(b"\n", 0, stop - 1) + 1
            if BORDER.fullmatch(buffer, start, stop - 1):
                border = start
                break
            stop = start
        if border is None:
            return cut
        if border == 0:
            return end + 1 if whole and len(buffer) > _MAX_RECORD_BYTES else 0
        cut = border
    return end + 1


def cut_in(window: bytes) -> int | None:
    """Where, inside ``window``, the whole read cuts the buffer that ends with it (``window``: the
    file's bytes just before the end of one of its blocks), or None when the window alone cannot
    tell: the search for the last record went back to its start."""
    if window.endswith(b"\r"):
        window = window[:-1]  # held for the next block, which may start with its LF
    cut = last_record_start(_LONE_CR.sub(b"\n", window), whole=False)
    return cut or None
