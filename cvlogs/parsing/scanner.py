"""The hot path: one log stream in, line accounting and credential events out.

A file is read in large chunks that always end at the start of a header line, so a record and
its continuation lines stay together.  Per chunk, numpy does the bulk work for all lines at once:
where lines start and which are header lines (``LineIndex``, with the header automaton), and
where the prefilter stems are (``StemFinder``).  Only the few records that hold a stem are
decoded, matched with the compiled header pattern and handed to the message registry (cached per
distinct message), so no Python object is made for an irrelevant line and pyparsing is never
called per line.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from cvlogs.errors import BROKEN
from cvlogs.grammars import aws_errors, credentials
from cvlogs.intake import LogSource, broken_reason
from cvlogs.model import Banner, Event, FileResult, LineSample, Location, SkippedSource, YearSource
from cvlogs.parsing.banners import Found, family_of_module, find_banners, looks_like_commvault
from cvlogs.parsing.chunks import CHUNK_SIZE, utf8_chunks
from cvlogs.parsing.lineindex import LineIndex, Offsets
from cvlogs.parsing.lines import HeaderFields, decode, match_header
from cvlogs.parsing.messages import Meaning, meaning_of
from cvlogs.parsing.prefilter import StemFinder

_MAX_CONTINUATION_LINES = 200
_MAX_MESSAGE_CHARS = 16_384
_UNPARSED_SAMPLES = 5
_SAMPLE_BYTES = 1 << 18  # enough to rank the anchors: a megabyte cost 5 ms a file


def prefilter_words(words: tuple[str, ...]) -> tuple[bytes, ...]:
    """The smallest set of the grammars' trigger words that every trigger contains one of."""
    unique = sorted(set(words), key=len)
    kept: list[str] = []
    for word in unique:
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(word.encode() for word in kept)


#: Derived from the grammars: a record is looked at only if its lower-cased text holds one of these.
PREFILTER = prefilter_words(credentials.TRIGGERS + aws_errors.TRIGGERS)


_Pending = tuple[HeaderFields, int, int, str, str, Meaning]
"""An event waiting for its year, which is known only once the whole file has been read:
header fields, year offset, line number, message, header line, meaning (a tuple: one per
credential line, and a tuple is the cheapest object to make)."""


@dataclass(slots=True)
class _FileState:
    """Counters and the year tracker of the file being read."""

    source: LogSource
    keep_all: bool
    lines: int = 0
    records: int = 0
    continuations: int = 0
    banner: int = 0
    unparsed: int = 0
    seen_header: bool = False
    last_month: int | None = None
    year_offset: int = 0
    first: tuple[HeaderFields, int] | None = None
    last: tuple[HeaderFields, int] | None = None
    pending: list[_Pending] = field(default_factory=list)
    finder: StemFinder | None = None
    """The stem finder, tuned to this file's first chunk."""
    samples: list[LineSample] = field(default_factory=list)
    banners: list[Banner] = field(default_factory=list)
    banner_base: int | None = None
    """The year of the file's first line as its banners date it (the strongest year source)."""

    def read_banner(self, banner: Banner) -> None:
        """A banner's date sets the year of the lines below it; its month is where they start."""
        self.banners.append(banner)
        if banner.date is None:
            return
        if self.banner_base is None:
            self.banner_base = banner.date.year - self.year_offset
        else:
            self.year_offset = banner.date.year - self.banner_base
        self.last_month = banner.date.month

    def observe(self, fields: HeaderFields) -> int:
        """Note a line's month in file order and return its year offset.

        The year advances on a real roll-over only: the month wraps from the second half of the
        year to the first (December to January).  After one, a line of the second half is the
        year before (two writers interleaved across New Year: 12/31, 01/01, 12/31...), and does
        not move the year; otherwise a later month just moves the file forward.
        """
        month = fields.month
        if self.last_month is None:
            self.last_month = month
        elif month - self.last_month <= -6:  # 12 -> 1: a new year
            self.year_offset += 1
            self.last_month = month
        elif month - self.last_month >= 6 and self.year_offset > 0 and self.last_month <= 6:
            return self.year_offset - 1  # 1 -> 12 just after New Year: a line of the year before
        elif month > self.last_month:
            self.last_month = month
        return self.year_offset


def scan_source(source: LogSource, keep_all: bool = False, chunk_size: int = CHUNK_SIZE) -> FileResult | SkippedSource:
    """Read one log source and account for every line; ``keep_all`` keeps every record as an event.

    A file that turns out broken while it is read (truncated, corrupt, over the size cap) is
    returned as a ``SkippedSource`` with the reason: its partial counts would mislead.
    """
    state = _FileState(source, keep_all)
    try:
        with source.open() as stream:
            encoding, chunks = utf8_chunks(stream, chunk_size)
            for chunk in chunks:
                if source.sniff and state.lines == 0 and not looks_like_commvault(chunk):
                    return SkippedSource(source.path, NOT_COMMVAULT)
                _scan_chunk(chunk, state)
    except BROKEN as error:
        return SkippedSource(source.path, broken_reason(error))
    if source.sniff and state.lines == 0:
        return SkippedSource(source.path, "empty file")
    return _finish(state, source, encoding)


NOT_COMMVAULT = "not a Commvault log (its first lines are neither a banner nor log lines)"


def _scan_chunk(chunk: bytes, state: _FileState) -> None:
    index = LineIndex.of(chunk)
    base = state.lines
    banners = find_banners(index, base + 1)
    _account(index, banners, state)
    headers = index.headers
    pending = deque(banners)  # each banner dates the records below it: taken in as the scan passes it
    if headers.size:
        _read_banners(pending, int(headers[0]), state)
        _observe_edge(index, int(headers[0]), state, edge="first")
        records = headers if state.keep_all else _relevant_records(index, state)
        if records.size:
            stops = np.minimum(index.next_headers(records), records + 1 + _MAX_CONTINUATION_LINES)
            if banners:  # a record's continuation lines end where a banner starts
                firsts = np.array([found.first for found in banners] + [index.count])
                stops = np.minimum(stops, firsts[np.searchsorted(firsts[:-1], records, side="right")])
            begins, ends = index.spans(records)
            for line, stop, begin, end in zip(records.tolist(), stops.tolist(), begins, ends, strict=True):
                _read_banners(pending, line, state)
                _read_record(index, line, stop, index.chunk[begin:end], number=base + line + 1, state=state)
        _read_banners(pending, int(headers[-1]), state)
        _observe_edge(index, int(headers[-1]), state, edge="last")
    _read_banners(pending, index.count, state)


def _account(index: LineIndex, banners: list[Found], state: _FileState) -> None:
    """Count the chunk's lines: records, continuations, banner lines, and unparsed lines (the
    headerless lines before a file's first record that are not a banner's)."""
    in_banner = {line for found in banners for line in range(found.first, found.last + 1)}
    leading = leading_banner = 0
    if not state.seen_header:
        leading = int(index.headers[0]) if index.headers.size else index.count
        leading_banner = sum(1 for line in in_banner if line < leading)
        _sample_unparsed(index, leading, state, in_banner)
        state.unparsed += leading - leading_banner
        state.seen_header = leading < index.count
    state.continuations += index.count - index.headers.size - leading - (len(in_banner) - leading_banner)
    state.records += index.headers.size
    state.banner += len(in_banner)
    state.lines += index.count


def _read_banners(pending: deque[Found], line: int, state: _FileState) -> None:
    """Take in the banners above line ``line``, in file order."""
    while pending and pending[0].first < line:
        state.read_banner(pending.popleft().banner)


def _sample_unparsed(index: LineIndex, leading: int, state: _FileState, in_banner: set[int]) -> None:
    for line in range(leading):
        if len(state.samples) >= _UNPARSED_SAMPLES:
            return
        if line not in in_banner:
            text = decode(index.line(line)[:512]).rstrip("\r")
            state.samples.append(LineSample(Location(state.source.path, state.lines + line + 1), text))


def _relevant_records(index: LineIndex, state: _FileState) -> Offsets:
    """The header lines of the records (header line plus continuations) that hold a prefilter stem."""
    if state.finder is None:
        state.finder = StemFinder(PREFILTER, index.chunk[:_SAMPLE_BYTES])
    return index.records_at(state.finder.candidates(index.chunk))


def _read_record(index: LineIndex, line: int, stop: int, raw: bytes, *, number: int, state: _FileState) -> None:
    """Read the record of header line ``line`` (``raw``; continuations up to line ``stop``) as event ``number``."""
    first = decode(raw).rstrip("\r")
    fields = match_header(first)
    if fields is None:
        return
    if stop > line + 1:
        more = [decode(index.line(n)).rstrip("\r") for n in range(line + 1, stop)]
        message = "\n".join([fields.message, *more])[:_MAX_MESSAGE_CHARS]
    else:
        message = fields.message[:_MAX_MESSAGE_CHARS]
    meaning = meaning_of(fields.class_name, fields.method, message)
    if meaning is None:
        if not state.keep_all:
            return
        meaning = Meaning("other")
    offset = state.observe(fields)
    state.pending.append((fields, offset, number, message, first, meaning))


def _observe_edge(index: LineIndex, line: int, state: _FileState, edge: str) -> None:
    fields = match_header(decode(index.line(line)).rstrip("\r"))
    if fields is None:
        return
    offset = state.observe(fields)
    if edge == "first" and state.first is None:
        state.first = (fields, offset)
    if edge == "last":
        state.last = (fields, offset)


def _finish(state: _FileState, source: LogSource, encoding: str) -> FileResult:
    base_year, year_source = _base_year(state, source)
    banner = state.banners[0] if state.banners else None
    host = source.host
    if not source.host_named and banner is not None and banner.machine:
        host = banner.machine  # the banner names the machine; --host-name or a bundle folder wins over it
    family = source.family
    if source.sniff and banner is not None:
        family = family_of_module(banner.module) or family
    events = tuple(_event(p, base_year, source.path, host, family) for p in state.pending)
    first = _time(*state.first, base_year) if state.first else None
    last = _time(*state.last, base_year) if state.last else None
    return FileResult(
        path=source.path,
        family=family,
        host=host,
        lines=state.lines,
        records=state.records,
        continuations=state.continuations,
        unparsed=state.unparsed,
        first_time=first,
        last_time=last,
        events=events,
        unparsed_samples=tuple(state.samples),
        year=None if base_year is None else base_year + state.year_offset,
        encoding=encoding,
        banner=state.banner,
        banners=tuple(state.banners),
        year_source=year_source,
    )


def _base_year(state: _FileState, source: LogSource) -> tuple[int | None, YearSource | None]:
    """The year of the file's first line and what says so, strongest first: a year in the lines,
    the banner's date, then the hint (a rolled name, a bundle name or the modification time, which
    dates the last line: minus the roll-overs seen before it, and never earlier than the year
    before the hint's)."""
    stated: YearSource | None = "line" if state.first is not None and state.first[0].year is not None else None
    if state.banner_base is not None:
        return state.banner_base, stated or "banner"
    hint = source.year_hint
    if hint is None:
        return None, stated
    year = hint.year
    if state.last is not None and state.last[0].month > hint.month + 5:
        year -= 1  # the hint is early in the year (January), the last line late in the one before
    # Never before the year preceding the dating source, whatever the months did.
    last_offset = state.last[1] if state.last is not None else state.year_offset
    return max(year - last_offset, hint.year - 1), stated or source.year_source


def _time(fields: HeaderFields, offset: int, base_year: int | None) -> datetime | None:
    if fields.year is not None:  # a line that states its year is believed
        base_year, offset = fields.year, 0
    if base_year is None:
        return None
    hour, minute, second = fields.clock.split(":")  # the grammar: h:mm:ss, then .ffffff or ,ffffff
    micro = int(second[3:9].ljust(6, "0")) if len(second) > 2 else 0
    try:
        return datetime(base_year + offset, fields.month, fields.day, int(hour), int(minute), int(second[:2]), micro)
    except ValueError:
        return None  # 02/30 or 25:00 from a damaged line: the event keeps no time rather than a wrong one


def _event(pending: _Pending, base_year: int | None, path: str, host: str | None, family: str) -> Event:
    fields, offset, number, message, text, meaning = pending
    # tuple's own constructor: no Python frame per event, unlike ``Event(...)`` (0.30 -> 0.14 us each).
    return _new(
        Event,
        (
            meaning.kind,
            _new(Location, (path, number)),
            _time(fields, offset, base_year),
            host,
            family,
            fields.pid,
            fields.tid,
            fields.job,
            fields.function,
            message,
            text,
            meaning.role,
            meaning.url,
            meaning.error,
        ),
    )


_new = tuple.__new__
