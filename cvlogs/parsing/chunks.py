"""Reading a log stream as UTF-8 chunks that end where a header line starts.

Cutting at a header line keeps every record (its header line and its continuation lines) inside
one chunk, so the scanner never needs state across chunks to attach continuations.  UTF-16 is
transcoded, a BOM dropped, and a line longer than ``MAX_LINE_BYTES`` keeps only its start, so
memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO

from cvlogs.grammars import header

CHUNK_SIZE = 1 << 20
"""Measured here: 1 MB chunks stay in cache across the several passes a chunk gets and read the
bench corpus about a fifth faster than 8 MB ones."""
_BACKTRACK_LINES = 64
_MAX_RECORD_BYTES = 1 << 20
#: A line longer than this keeps only its start (a 10 MB line without a newline, say).
MAX_LINE_BYTES = 1 << 20

# The bulk scanner needs no groups: capturing them costs about a fifth of the match time.
PREFIX_BYTES = re.sub(r"\(\?P<\w+>", "(?:", header.HEADER_PREFIX_PATTERN).encode()
#: Matched at a line start inside a buffer: ``$`` in the prefix's lookahead is that line's end.
PREFIX_AT = re.compile(PREFIX_BYTES, re.MULTILINE)


def utf8_chunks(stream: IO[bytes], size: int) -> tuple[str, Iterator[bytes]]:
    """The stream as UTF-8 chunks that end where a header line starts (or at the end)."""
    first = stream.read(size)
    encoding = _sniff(first)
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    if encoding == "utf-8":
        blocks: Iterator[bytes] = _blocks(first, stream, size)
    else:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        blocks = (decoder.decode(block).encode("utf-8") for block in _blocks(first, stream, size))
    return encoding, _cut_at_records(blocks)


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
        buffer = carry + block[start:]
        cut = last_record_start(buffer)
        if cut > 0:
            yield buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_LINE_BYTES and b"\n" not in carry:
            carry, skipping = carry[:MAX_LINE_BYTES], True
    if carry:
        yield carry


def last_record_start(buffer: bytes) -> int:
    """Where to cut: the start of the last complete header line, so its continuations follow it.

    0 means "read more first" (the buffer holds one record so far).  A record longer than
    ``_BACKTRACK_LINES`` lines or ``_MAX_RECORD_BYTES`` is cut after its last complete line:
    its lines are still counted, only the record's message is shortened.
    """
    end = buffer.rfind(b"\n")
    if end < 0:
        return 0
    start = end
    for _ in range(_BACKTRACK_LINES):
        start = buffer.rfind(b"\n", 0, start) + 1
        if start == 0:
            return end + 1 if len(buffer) > _MAX_RECORD_BYTES else 0
        if PREFIX_AT.match(buffer, start):
            return start
        start -= 1
    return end + 1
