"""The header automaton says exactly what the ``re`` engine says, line by line."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvlogs.parsing.automaton import MAX_STEPS, PADDING, PrefixAutomaton, Unsupported
from cvlogs.parsing.chunks import PREFIX_BYTES
from cvlogs.parsing.lineindex import LineIndex, headers_by_regex


def _starts(chunk: bytes) -> np.ndarray:
    return LineIndex.of(chunk).starts


def _by_automaton(automaton: PrefixAutomaton, chunk: bytes) -> list[bool]:
    return automaton.header_lines(chunk + b"\n" * PADDING, len(chunk), _starts(chunk)).tolist()


def _by_re(pattern: bytes, chunk: bytes) -> list[bool]:
    compiled = re.compile(pattern, re.MULTILINE)
    return [compiled.match(chunk, int(start)) is not None for start in _starts(chunk)]


HEADER = PrefixAutomaton.compile(PREFIX_BYTES)

BLANKS = st.sampled_from([b"", b" ", b"  ", b"\t", b" \t ", b" " * (MAX_STEPS + 5)])
DIGITS = st.text("0123456789", min_size=0, max_size=12).map(str.encode)
HEX = st.text("0123456789abcdefABCDEFxX", min_size=0, max_size=22).map(str.encode)
CLOCK = st.tuples(DIGITS, DIGITS, DIGITS, st.sampled_from([b"", b".", b",", b".123", b",1234567"]))
TAIL = st.sampled_from([
    b"", b" ", b"\t", b"\r", b"\r ", b"x", b" 123 CAmazonInfo::Connect() - message", b"5",
    # the function shapes of real 11.x logs, and the forwarder's two tokens
    b" 1 A::B::C(301) - m", b" ### Pool::Init: m", b" ### Logger::Set - m", b" ### receivePatchFile() - m",
    b" PT:00001 CN:00001 [local->cs] m", b"\t###\tA::B\tm\r", b" ### ### A.B() - m",
])  # fmt: skip


@st.composite
def header_like_lines(draw: st.DrawFn) -> bytes:
    """Lines close to the header layout: every field may be missing, too long or misplaced."""
    hours, minutes, seconds, fraction = draw(CLOCK)
    parts = [
        draw(BLANKS), draw(DIGITS), draw(BLANKS), draw(st.sampled_from([b"", b"0x", b"0X"])), draw(HEX),
        draw(BLANKS), draw(DIGITS), draw(st.sampled_from([b"/", b"", b"-"])), draw(DIGITS),
        draw(st.sampled_from([b"", b"/2026", b"/26", b"/202"])), draw(BLANKS),
        hours, draw(st.sampled_from([b":", b""])), minutes, b":", seconds, fraction, draw(TAIL),
    ]  # fmt: skip
    return b"".join(parts)


@settings(max_examples=400, deadline=None)
@given(st.lists(header_like_lines(), min_size=1, max_size=12), st.booleans())
def test_header_automaton_agrees_with_re(lines: list[bytes], final_newline: bool) -> None:
    chunk = b"\n".join(lines) + (b"\n" if final_newline else b"")
    assert _by_automaton(HEADER, chunk) == _by_re(PREFIX_BYTES, chunk)
    assert _by_automaton(HEADER, chunk) == headers_by_regex(chunk, _starts(chunk)).tolist()


def test_real_header_layouts_are_headers() -> None:
    """The documented layouts, a header after more blanks than MAX_STEPS, and one cut by the chunk end."""
    lines = [
        b"960f6c   05/09 11:24:04 16972 CAmazonInfo::Connect() - x",
        b"4012\t0x7f3a\t11/20/2026\t10:00:01\t123\tx",
        b"1234567 140234567890 1/2 3:04:05.123 N/A vsbkp::main() - x",
        b" " * (MAX_STEPS * 2) + b"4012 1a2c 11/20 10:00:01 x",
        b"continuation line",
        b"4012 1a2c 11/20 10:00:01",
    ]
    assert _by_automaton(HEADER, b"\n".join(lines)) == [True, True, True, True, False, True]


@pytest.mark.parametrize(
    "pattern",
    # The last one needs more than 256 states: the wide (32-bit) table.
    [rb"ab+c(?=\r?$)", rb"(?:x|yz){2,3}[^q]", rb"[0-9]{1,3}\.[0-9]+", rb"a.b", rb"(?:ab)*+c", rb"[0-9a]{1,300}\.[0-9]"],
)
@settings(max_examples=100, deadline=None)
@given(lines=st.lists(st.text("abcxyzq0123456789.\r\t ", max_size=12).map(str.encode), min_size=1, max_size=8))
def test_other_patterns_agree_with_re(pattern: bytes, lines: list[bytes]) -> None:
    """The construction is general, not tuned to the header: small patterns agree with re too."""
    automaton = PrefixAutomaton.compile(pattern)
    chunk = b"\n".join(lines)
    assert _by_automaton(automaton, chunk) == _by_re(pattern, chunk)


@pytest.mark.parametrize("pattern", [rb"(?<=a)b", rb"(a)\1", rb"(?i)abc", rb"a(?!b)c", rb"^a", rb"\d+"])
def test_unsupported_patterns_are_refused(pattern: bytes) -> None:
    """Anything the automaton does not model raises, and the scanner keeps the re engine."""
    with pytest.raises(Unsupported):
        PrefixAutomaton.compile(pattern)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(header_like_lines(), st.sampled_from([b"", b" continued", b"x"])), min_size=1, max_size=12),
    st.booleans(),
    st.lists(st.integers(min_value=0, max_value=400), max_size=20),
)
def test_records_and_spans_agree_with_plain_python(lines: list[bytes], final_newline: bool, offsets: list[int]) -> None:
    """The owner of each offset is the last header line at or above it; spans are the lines' bounds."""
    chunk = b"\n".join(lines) + (b"\n" if final_newline else b"")
    index = LineIndex.of(chunk)
    offsets = [o for o in offsets if o < len(chunk)]
    line_of = [chunk.count(b"\n", 0, o) for o in offsets]
    headers = index.headers.tolist()
    owners = {max((h for h in headers if h <= n), default=None) for n in line_of} - {None}
    assert index.records_at(np.array(offsets, dtype=np.int64)).tolist() == sorted(owners)
    all_lines = np.arange(index.count)
    begins, ends = index.spans(all_lines)
    assert [chunk[b:e] for b, e in zip(begins, ends, strict=True)] == [index.line(n) for n in range(index.count)]
