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

from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache, partial
from itertools import compress, repeat
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt

from cvlogs.errors import BROKEN
from cvlogs.grammars import aws_errors, credentials
from cvlogs.intake import LogSource, broken_reason
from cvlogs.model import ActivityRun, Banner, Event, FileResult, LineSample, Location, SkippedSource, YearSource
from cvlogs.parsing.activity import (
    CLASS,
    ClassNames,
    Vocabulary,
    class_names,
    id_masked,
    says_more,
    says_more_of,
    thread_groups,
    trigger_groups,
)
from cvlogs.parsing.banners import Found, family_of_module, find_banners, looks_like_commvault
from cvlogs.parsing.chunks import CHUNK_SIZE, Span, Unsplittable, utf8_chunks
from cvlogs.parsing.lineindex import LineIndex, Offsets, distinct
from cvlogs.parsing.lines import (
    Dates,
    HeaderFields,
    Layout,
    clock_number,
    dates_at,
    decode,
    header_at,
    match_header,
    record_message,
)
from cvlogs.parsing.messages import Meaning, meaning_of
from cvlogs.parsing.prefilter import Sample, StemFinder, fewest_holding, stem_counts

_MAX_CONTINUATION_LINES = 200
_UNPARSED_SAMPLES = 5
_SAMPLE_BYTES = 1 << 18  # enough to rank the anchors: a megabyte cost 5 ms a file


def prefilter_words(words: tuple[str, ...]) -> tuple[bytes, ...]:
    """The smallest set of the grammars' trigger words that every trigger contains one of."""
    return fewest_holding(word.encode() for word in words)


#: Derived from the grammars: a record is looked at only if its lower-cased text holds one of these.
PREFILTER = prefilter_words(credentials.TRIGGERS + aws_errors.TRIGGERS)
#: The triggers' groups: Amazon class words apart (see ``cvlogs.parsing.activity``).
PREFILTER_GROUPS = trigger_groups(PREFILTER)
#: The message grammars' vocabulary, searched only in chunks that hold plain activity candidates.
VOCABULARY = Vocabulary.of(PREFILTER)
_ACTIVITY = Meaning("activity")
_NO_LINES: Offsets = np.zeros(0, dtype=np.int64)

ThreadKey = tuple[int, str, str]
"""pid, thread, job as a header states them: the scanner's half of a sequence key."""


_Pending = tuple[HeaderFields, int, int, str, str, Meaning]
"""An event waiting for its year, which is known only once the whole file has been read:
header fields, year token (see ``_FileState.observe``), line number, message, header line,
meaning (a tuple: one per credential line, and a tuple is the cheapest object to make)."""


_END = ("token", "number", "month", "day", "clock", "year")
"""What ``_FileState.ends`` keeps of each first or last record of an activity run, six numbers:
the year token (see ``_FileState.observe``), the line number, the month, the day, the clock (as
``lines.clock_number`` gives it) and the year the line states (-1: none)."""
_TOKEN, _NUMBER = 0, 1
_RUN = ("first", "last", "records")
"""What ``_FileState.runs`` keeps of each activity run, three numbers: its first and last records
(their numbers in ``ends``) and how many records it holds."""
_FIRST, _LAST, _RECORDS = range(len(_RUN))


@dataclass(slots=True)
class _FileState:
    """Counters and the year steps of the file (or the part of it) being read.

    The year is not tracked as the file is read but folded at the end (``_fold``) over the
    steps that move it (each observed line's month, each banner's date), so a part of a file
    read on its own is merged by adding its steps after the ones before it (``merge_parts``).
    """

    source: LogSource
    keep_all: bool
    lines: int = 0
    records: int = 0
    continuations: int = 0
    banner: int = 0
    unparsed: int = 0
    seen_header: bool = False
    first: tuple[HeaderFields, int] | None = None
    last: tuple[HeaderFields, int] | None = None
    pending: list[_Pending] = field(default_factory=list)
    finder: StemFinder | None = None
    """The stem finder, tuned to this file's first chunk."""
    keys: StemFinder | None = None
    """The vocabulary's keys' finder (``Vocabulary.keys``), tuned to the texts of the first chunk that needs it."""
    vocabulary: StemFinder | None = None
    """The whole vocabulary's finder, tuned to the first texts that hold a key."""
    samples: list[LineSample] = field(default_factory=list)
    ends: array[int] = field(default_factory=lambda: array("q"))
    """The first and last records of the activity runs, six numbers each (``_END``): a chunk's are
    added from numpy's columns in C and read back by numpy without a copy (a Python int made from
    numpy and one made into numpy cost about 300 instructions each)."""
    texts: list[bytes] = field(default_factory=list)
    """The bytes of each record of ``ends`` (see ``lines.activity_event``)."""
    runs: array[int] = field(default_factory=lambda: array("q"))
    """The activity runs, three numbers each (``_RUN``), in the order they were found."""
    run_keys: list[ThreadKey] = field(default_factory=list)
    """The thread key of each run."""
    open_runs: dict[ThreadKey, int] = field(default_factory=dict)
    """The run (its number) of each thread key that the next activity record of that key continues."""
    steps: array[int] = field(default_factory=lambda: array("i"))
    """What moves the year, in file order: an observed line's month (1-12), or a banner's date
    as ``-(year * 16 + month)``."""
    queries: array[int] = field(default_factory=lambda: array("q"))
    """Year offsets asked for after the fact (``offsets_at``), two numbers each: the step to take
    it after, and the month of the record (0: the offset itself)."""
    marks: tuple[list[int], list[int]] = ([], [])
    """Line and step of each record or banner observed in the current chunk, in line order."""
    banners: list[Banner] = field(default_factory=list)

    def __getstate__(self) -> dict[str, object]:
        """What a worker sends back of a part (``scan_part``): the stem finders stay behind, and
        header fields travel as plain tuples, which unpickle without a Python call each (a part of
        27,000 records and run ends: 0.38 -> 0.14 s to pickle and unpickle, measured)."""
        kept = {name: getattr(self, name) for name in self.__slots__ if name not in _NOT_SENT}
        kept["pending"] = [_plain(pending) for pending in self.pending]
        kept["first"], kept["last"] = (None if edge is None else _plain(edge) for edge in (self.first, self.last))
        return kept

    def __setstate__(self, kept: dict[str, Any]) -> None:
        for name in _NOT_SENT:
            setattr(self, name, None)
        self.marks = ([], [])
        for name, value in kept.items():
            setattr(self, name, value)
        self.pending = [_named(pending) for pending in kept["pending"]]
        self.first, self.last = (None if edge is None else _named(edge) for edge in (self.first, self.last))

    def read_banner(self, banner: Banner, line: int) -> None:
        """A banner's date sets the year of the lines below it; its month is where they start."""
        self.banners.append(banner)
        if banner.date is not None:
            self._step(-(banner.date.year * 16 + banner.date.month), line)

    def observe(self, fields: HeaderFields, line: int) -> int:
        """Note a line's month in file order; its year token: the index of its year offset once
        folded (see ``_year_step``).  A month no calendar has (a damaged ``00/20`` line) moves
        nothing (step 0 was read as a banner, and every time of the file was lost): the line
        takes the year in force."""
        if not 1 <= fields.month <= 12:
            return int(self.offsets_at(np.array([line]), np.zeros(1, dtype=np.int64))[0])
        return self._step(fields.month, line)

    def _step(self, step: int, line: int) -> int:
        self.steps.append(step)
        lines, steps = self.marks
        lines.append(line)
        steps.append(len(self.steps) - 1)
        return len(self.steps) - 1

    def offsets_at(self, lines: Offsets, months: Offsets) -> Offsets:
        """The year tokens of activity records (header ``lines`` of the chunk, ``months``: 0 for
        the offset in force) read after the chunk's other records: as if each had been observed
        right after the record observed last before it.  Negative: a query's answer, which
        ``_fold`` puts at the end of the offsets, counted from there."""
        marked, steps = self.marks
        at = np.searchsorted(np.array(marked, dtype=np.int64), lines, side="right") - 1
        after = np.array(steps, dtype=np.int64)[at] if steps else at
        before = at < 0
        asked = len(self.queries) // 2
        queries = np.stack([np.where(before, len(self.steps) - 1, after), np.where(before, 0, months)], 1)
        self.queries.frombytes(queries.tobytes())
        return -np.arange(asked + 1, asked + lines.size + 1)

    def go_on(self, run: int, last: int, records: int) -> None:
        """Continue ``run`` with ``records`` more, the last of them the end numbered ``last``."""
        at = run * len(_RUN)
        self.runs[at + _LAST] = last
        self.runs[at + _RECORDS] += records


_NOT_SENT = ("finder", "keys", "vocabulary", "marks")


def _plain(record: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pending record, or a first or last line (header fields, year token), with its header
    fields as a plain tuple; ``_named`` makes them a ``HeaderFields`` again."""
    return (tuple(record[0]), *record[1:])


def _named(record: tuple[Any, ...]) -> Any:
    return (_new(HeaderFields, record[0]), *record[1:])


def _year_step(last_month: int | None, year_offset: int, month: int) -> tuple[int, int | None, int]:
    """A line's year offset, and the file's last month and year offset after it.

    The year advances on a real roll-over only: the month wraps from the second half of the
    year to the first (December to January).  After one, a line of the second half is the
    year before (two writers interleaved across New Year: 12/31, 01/01, 12/31...), and does
    not move the year; otherwise a later month just moves the file forward.
    """
    if last_month is None:
        return year_offset, month, year_offset
    if month - last_month <= -6:  # 12 -> 1: a new year
        return year_offset + 1, month, year_offset + 1
    if month - last_month >= 6 and year_offset > 0 and last_month <= 6:
        return year_offset - 1, last_month, year_offset  # 1 -> 12 just after New Year: the year before
    return year_offset, max(month, last_month), year_offset


class _Years(NamedTuple):
    """The year steps of a file folded: each token's offset, the last offset, the banners' base."""

    offsets: npt.NDArray[np.int64]
    """Indexed by year token: the steps' offsets, then the queries' answers in reverse."""
    year_offset: int
    banner_base: int | None
    """The year of the file's first line as its banners date it (the strongest year source)."""


def _fold(steps: array[int], queries: array[int]) -> _Years:
    """The year offset of every step and query, as the file's months and banners move it."""
    if _in_one_year(steps, queries):
        return _Years(np.zeros(len(steps) + len(queries) // 2, dtype=np.int64), 0, None)
    return _walk(steps, queries)


def _in_one_year(steps: array[int], queries: array[int]) -> bool:
    """Whether every offset is 0, as it is when no banner dates the file and no month (of a step
    or a query) lies six or more below the highest before it: ``_walk``'s answer then, found by
    numpy (``_walk`` took 30-35 ms for the 55,000 steps and queries of a million lines, this 4 ms)."""
    months = np.asarray(steps, dtype=np.int64)
    if months.size and months.min() <= 0:
        return False
    highest = np.maximum.accumulate(months)
    if (months[1:] - highest[:-1] <= -6).any():
        return False
    after, month = np.frombuffer(queries, dtype=np.int64).reshape(-1, 2).T
    asked = (month != 0) & (after >= 0)
    return not (month[asked] - highest[after[asked]] <= -6).any()


def _walk(steps: array[int], asked_at: array[int]) -> _Years:
    """``_fold`` step by step (see ``_year_step``)."""
    queries = list(zip(asked_at[::2], asked_at[1::2], strict=True))
    offsets = [0] * len(steps)
    answers = [0] * len(queries)
    asked = sorted(range(len(queries)), key=lambda number: queries[number][0])
    next_query = 0
    last_month: int | None = None
    year_offset = 0
    banner_base: int | None = None
    for index in range(-1, len(steps)):
        if index >= 0:
            step = steps[index]
            if step > 0:
                offsets[index], last_month, year_offset = _year_step(last_month, year_offset, step)
            else:
                year, last_month = divmod(-step, 16)
                if banner_base is None:
                    banner_base = year - year_offset
                else:
                    year_offset = year - banner_base
                offsets[index] = year_offset
        while next_query < len(asked) and queries[asked[next_query]][0] == index:
            number = asked[next_query]
            month = queries[number][1]
            answers[number] = _year_step(last_month, year_offset, month)[0] if month else year_offset
            next_query += 1
    answers.reverse()
    return _Years(np.array(offsets + answers, dtype=np.int64), year_offset, banner_base)


def scan_source(source: LogSource, keep_all: bool = False, chunk_size: int = CHUNK_SIZE) -> FileResult | SkippedSource:
    """Read one log source and account for every line; ``keep_all`` keeps every record as an event.

    A file that turns out broken while it is read (truncated, corrupt, over the size cap) is
    returned as a ``SkippedSource`` with the reason: its partial counts would mislead.
    """
    read = _scan(source, keep_all, chunk_size)
    if isinstance(read, SkippedSource):
        return read
    if source.sniff and read[0].lines == 0:
        return SkippedSource(source.path, "empty file")
    state, encoding = read
    return _finish(state, source, encoding)


Part = tuple["_FileState", str]
"""What reading one part of a file leaves to merge: its state (line numbers and year steps
counted from the part's start) and its encoding."""


def scan_part(
    source: LogSource, span: Span, keep_all: bool = False, chunk_size: int = CHUNK_SIZE
) -> Part | SkippedSource | None:
    """Read one part of a plain file (see ``cvlogs.parsing.split``) for ``merge_parts``; None
    when the part cannot be read apart from the rest (see ``Unsplittable``)."""
    try:
        return _scan(source, keep_all, chunk_size, span)
    except Unsplittable:
        return None


def merge_parts(
    source: LogSource, parts: list[Part | SkippedSource | None], keep_all: bool = False
) -> FileResult | SkippedSource:
    """The result of a file read in parts, as reading it whole gives it: the parts' lines and year
    steps follow the ones before them, and an activity run open at the end of a part goes on in
    the next one unless a credential event of its key comes first.  The file is read whole when
    a part could not be read apart; a part that broke is the file's reason to be skipped."""
    if any(part is None for part in parts):
        return scan_source(source, keep_all)
    broken = [part for part in parts if isinstance(part, SkippedSource)]
    if broken:
        return broken[0]
    read = [part for part in parts if isinstance(part, tuple)]
    state, encoding = read[0]
    for later, _ in read[1:]:
        _append(state, later)
    return _finish(state, source, encoding)


def _append(state: _FileState, part: _FileState) -> None:
    """Add a part's lines, year steps, events and runs to the state of the file before it."""
    lines, steps, queries = state.lines, len(state.steps), len(state.queries) // 2

    def moved_token(token: int) -> int:  # a query's answer counts from the end (see ``offsets_at``)
        return token + steps if token >= 0 else token - queries

    def moved(pending: _Pending) -> _Pending:
        fields, token, number, message, text, meaning = pending
        return (fields, moved_token(token), number + lines, message, text, meaning)

    state.lines += part.lines
    state.records += part.records
    state.banner += part.banner
    state.continuations += part.continuations
    if state.seen_header:  # the part's lines before its first record continue the record before it
        state.continuations += part.unparsed
    else:
        state.unparsed += part.unparsed
        samples = [replace(s, location=s.location._replace(line=s.location.line + lines)) for s in part.samples]
        state.samples = (state.samples + samples)[:_UNPARSED_SAMPLES]
        state.seen_header = part.seen_header
    state.banners += [replace(banner, line=banner.line + lines) for banner in part.banners]
    state.steps += part.steps
    asked = np.frombuffer(part.queries, dtype=np.int64).reshape(-1, 2) + np.array([steps, 0])
    state.queries.frombytes(asked.tobytes())
    if part.first is not None:
        fields, token = part.first
        state.first = state.first or (fields, token + steps)
    if part.last is not None:
        fields, token = part.last
        state.last = (fields, token + steps)
    part.pending = [moved(pending) for pending in part.pending]
    state.pending += part.pending
    ends = np.frombuffer(part.ends, dtype=np.int64).reshape(-1, len(_END)).copy()
    ends[:, _TOKEN] = np.where(ends[:, _TOKEN] >= 0, ends[:, _TOKEN] + steps, ends[:, _TOKEN] - queries)
    ends[:, _NUMBER] += lines
    earlier = len(state.texts)  # the part's ends come after the ones before it
    runs = np.frombuffer(part.runs, dtype=np.int64).reshape(-1, len(_RUN)) + np.array([earlier, earlier, 0])
    state.ends.frombytes(ends.tobytes())
    state.texts += part.texts
    _join_runs(state, part, runs)


def _join_runs(state: _FileState, part: _FileState, runs: npt.NDArray[np.int64]) -> None:
    """Add the part's ``runs`` (its ends already added to ``state``'s), continuing the runs open at
    the end of ``state`` with the part's first run of their key, when no credential event of that
    key comes before it in the part."""
    events: dict[ThreadKey, int] = {}
    for pending in part.pending:
        if pending[5].kind != "activity":
            events.setdefault(_key(pending), pending[2])
    numbers = np.frombuffer(state.ends, dtype=np.int64).reshape(-1, len(_END))[runs[:, _FIRST], _NUMBER].tolist()
    firsts: dict[ThreadKey, int] = {}
    for run, key in enumerate(part.run_keys):
        if key not in firsts or numbers[run] < numbers[firsts[key]]:
            firsts[key] = run
    heads = {key: run for key, run in firsts.items() if key not in events or numbers[run] < events[key]}
    joined = np.zeros(len(part.run_keys), dtype=bool)
    for key, run in state.open_runs.items():
        head = heads.get(key)
        if head is not None:
            state.go_on(run, int(runs[head, _LAST]), int(runs[head, _RECORDS]))
            joined[head] = True
    kept = ~joined
    added = (len(state.run_keys) + np.cumsum(kept) - 1).tolist()  # a kept run's number once added
    still_open = {key: added[run] for key, run in part.open_runs.items() if kept[run]}
    for key, run in state.open_runs.items():
        head = heads.get(key)
        if (head is not None and part.open_runs.get(key) == head) or (head is None and key not in events):
            still_open[key] = run
    state.runs.frombytes(runs[kept].tobytes())
    state.run_keys += compress(part.run_keys, kept.tolist())
    state.open_runs = still_open


def _key(pending: _Pending) -> ThreadKey:
    return _thread_key(pending[0])


def _thread_key(fields: HeaderFields) -> ThreadKey:
    return fields.pid, fields.tid, fields.job


def _scan(
    source: LogSource, keep_all: bool, chunk_size: int, span: Span | None = None
) -> tuple[_FileState, str] | SkippedSource:
    """Read a source, or the part of it in ``span``, into a file state (and its encoding)."""
    state = _FileState(source, keep_all)
    sniff = source.sniff and (span is None or span.start == 0)  # the file's first lines decide
    try:
        with source.open() as stream:
            encoding, chunks = utf8_chunks(stream, chunk_size, span)
            for chunk in chunks:
                if sniff and state.lines == 0 and not looks_like_commvault(chunk):
                    return SkippedSource(source.path, NOT_COMMVAULT)
                _scan_chunk(chunk, state)
    except BROKEN as error:
        return SkippedSource(source.path, broken_reason(error))
    return state, encoding


NOT_COMMVAULT = "not a Commvault log (its first lines are neither a banner nor log lines)"


def _scan_chunk(chunk: bytes, state: _FileState) -> None:
    index = LineIndex.of(chunk)
    base = state.lines
    banners = find_banners(index, base + 1)
    _account(index, banners, state)
    headers = index.headers
    pending = deque(banners)  # each banner dates the records below it: taken in as the scan passes it
    if headers.size:
        state.marks = ([], [])
        cuts = np.array([found.first for found in banners] + [index.count])  # a record ends where a banner starts
        _read_banners(pending, int(headers[0]), state)
        _observe_edge(index, int(headers[0]), state, edge="first")
        records, activity, names = _split_records(index, state, cuts)
        plain: set[int] = set()
        if state.keep_all:  # every record is an event: the plain activity ones without the grammars
            records, plain, activity = headers, set(activity.tolist()), _NO_LINES
        groups, odd = thread_groups(names, activity) if names is not None and activity.size else ([], _NO_LINES)
        if odd.size:
            records = np.union1d(records, odd)
        steps: dict[ThreadKey, list[int]] = {}
        if records.size:
            stops = _stops(index, records, cuts)
            begins, ends = index.spans(records)
            layouts = _named_layouts(names, records)  # the fields of a named record read at its shape's places
            for line, stop, begin, end, layout in zip(
                records.tolist(), stops.tolist(), begins, ends, layouts, strict=True
            ):
                _read_banners(pending, line, state)
                meaning = _ACTIVITY if line in plain else None
                raw = index.chunk[begin:end]
                fields = _read_record(
                    index, line, stop, raw, number=base + line + 1, state=state, meaning=meaning, layout=layout
                )
                if fields is not None:
                    steps.setdefault(_thread_key(fields), []).append(line)
        _read_banners(pending, int(headers[-1]), state)
        if groups or state.open_runs:  # after the records and banners: their marks date the activity records;
            # a chunk without activity still ends the open runs of the keys it has credential events of
            _read_runs(index, groups, steps, names, base=base, cuts=cuts, state=state)
        _observe_edge(index, int(headers[-1]), state, edge="last")
    _read_banners(pending, index.count, state)


def _named_layouts(names: ClassNames | None, lines: Offsets) -> list[Layout | None]:
    """Per header line of ``lines``: its shape's layout when ``names`` named it, else None (a record
    whose class name holds no class word, or whose shape the pattern refused)."""
    layouts: list[Layout | None] = [None] * lines.size
    if names is None:
        return layouts
    named = np.flatnonzero(names.rows[lines] >= 0)
    for n, layout in zip(named.tolist(), names.layouts_of(lines[named]), strict=True):
        layouts[n] = layout
    return layouts


def _stops(index: LineIndex, records: Offsets, cuts: Offsets) -> Offsets:
    """Where each record's lines end: the next header line or banner, or the continuation-line limit."""
    stops = np.minimum(index.next_headers(records), records + 1 + _MAX_CONTINUATION_LINES)
    if cuts.size > 1:
        stops = np.minimum(stops, cuts[np.searchsorted(cuts[:-1], records, side="right")])
    return stops


def _record_ends(index: LineIndex, records: Offsets, cuts: Offsets) -> Offsets:
    """Where each record's bytes end in the chunk: after its last line's line feed (see ``_stops``)."""
    ends: Offsets = np.append(index.starts, len(index.chunk))[_stops(index, records, cuts)]
    return ends


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
        found = pending.popleft()
        state.read_banner(found.banner, found.first)


def _sample_unparsed(index: LineIndex, leading: int, state: _FileState, in_banner: set[int]) -> None:
    for line in range(leading):
        if len(state.samples) >= _UNPARSED_SAMPLES:
            return
        if line not in in_banner:
            text = decode(index.line(line)[:512]).rstrip("\r")
            state.samples.append(LineSample(Location(state.source.path, state.lines + line + 1), text))


def _split_records(index: LineIndex, state: _FileState, cuts: Offsets) -> tuple[Offsets, Offsets, ClassNames | None]:
    """The header lines of the records that hold a trigger stem: those the grammars read, and
    those that are plain Amazon activity (only class words in their class name, no vocabulary)."""
    if state.finder is None:
        state.finder = StemFinder(PREFILTER, index.chunk[:_SAMPLE_BYTES], PREFILTER_GROUPS)
    # Stems only, each checked whole: which anchors a file gets depends on its first chunk, which
    # must not change which records are read (a false candidate cost its record a cache miss in
    # the grammars).
    positions, groups, _ = state.finder.tagged(index.chunk)
    lines = index.lines_at(positions)  # each candidate's line and record, found once for every use below
    owners = index.records_of(lines)
    relevant = distinct(owners[(groups != 0) & (owners >= 0)])
    classy = groups == CLASS
    if relevant.size == 0 or not classy.any():
        return relevant, _NO_LINES, None
    names = class_names(index, positions[classy], lines[classy], owners[classy] == lines[classy])
    named = np.zeros(positions.size, dtype=bool)
    named[classy] = names.named
    read = distinct(owners[~named & (owners >= 0)])  # a stem outside a class name: the record may say more
    if names.lines.size:
        maybe = names.lines[~_among(read, names.lines, index.count)]
        if maybe.size:  # the vocabulary is searched only in a chunk that may hold plain activity
            read = distinct(np.concatenate([read, _vocabulary_records(index, distinct(maybe), cuts, names, state)]))
    said = _among(read, relevant, index.count)
    return relevant[said], relevant[~said], names


def _vocabulary_records(
    index: LineIndex, lines: Offsets, cuts: Offsets, names: ClassNames, state: _FileState
) -> Offsets:
    """Those of the header ``lines`` (named, ascending) whose records the grammars read for their
    vocabulary: a clause is met in the record and the error gate or the step words confirm it
    ("attached to instance" and "state [pending]" meet none; a clause is necessary, not sufficient).

    The keys (``Vocabulary.keys``) are searched in every text first, and the whole vocabulary only
    in the texts that hold one: a text that meets a clause holds a key (the clause's own, or a shorter
    one inside it), and plain activity's own words (instance, region, pending) are the other halves
    of clauses, not keys.  Both finders take their keys and anchors from the two-byte counts of the
    texts they search (activity texts, not the file's first bytes, where the Amazon classes' own
    words are rare): the keys' table hits at share 0.5 fell from 11,000 to 5,600 a chunk."""
    texts = _Texts.of(index, lines, cuts, names, spans=True)  # a key in a prefix only costs a closer look
    if state.keys is None:
        sample = Sample(texts.text[:_SAMPLE_BYTES])
        state.keys = StemFinder(VOCABULARY.keys(stem_counts(VOCABULARY.stems, sample.bigrams)), sample)
    holding = distinct(index.records_at_each(texts.search(state.keys)[0]))
    if holding.size == 0:
        return _NO_LINES
    texts = _Texts.of(index, holding, cuts, names)
    if state.vocabulary is None:
        state.vocabulary = StemFinder(VOCABULARY.stems, texts.text[:_SAMPLE_BYTES])
    found, slots = texts.search(state.vocabulary)
    hits, stems = state.vocabulary.matches(index.data, found, slots)
    owners = index.records_at_each(found[hits])
    return _saying_more(index, VOCABULARY.met(owners, stems), cuts, names)


class _Texts(NamedTuple):
    """The texts of some records (``_texts``) joined in one copy: a fiftieth of the chunk when
    activity is rare.  A record's bytes end with its line feed, which no stem holds, so no stem is
    found across two of them."""

    text: bytes
    begins: Offsets
    """Where each text starts in the chunk."""
    offsets: Offsets
    """Where each text starts in ``text``."""

    @classmethod
    def of(cls, index: LineIndex, lines: Offsets, cuts: Offsets, names: ClassNames, *, spans: bool = False) -> _Texts:
        """The texts of header ``lines``; with ``spans``, the records that follow each other as one
        span from the first's text to the last's end (their header prefixes inside): fewer slices
        to join (half at share 0.5), for a search that may find more than the texts hold, never less."""
        begins, ends = _texts(index, lines, cuts, names)
        if spans and lines.size > 1:
            apart = ends[:-1] != index.starts[lines[1:]]  # a record's end is not the next one's start
            begins, ends = begins[np.r_[True, apart]], ends[np.r_[apart, True]]
        lengths = ends - begins
        # Joined slices rather than a mask of the whole chunk: 0.15 against 0.79 ms for a chunk's 742
        # texts at share 0.02, and no slower for its 8,419 at 0.5.
        chunk = index.chunk
        text = b"".join([chunk[begin:end] for begin, end in zip(begins.tolist(), ends.tolist(), strict=True)])
        return cls(text, begins, np.cumsum(lengths) - lengths)

    def search(self, finder: StemFinder) -> tuple[Offsets, npt.NDArray[np.intp]]:
        """The finder's stems in the texts: chunk positions, slots (``StemFinder.tagged``)."""
        found, _, slots = finder.tagged(self.text)
        owner = np.searchsorted(self.offsets, found, side="right") - 1
        return self.begins[owner] + (found - self.offsets[owner]), slots


def _texts(index: LineIndex, lines: Offsets, cuts: Offsets, names: ClassNames) -> tuple[Offsets, Offsets]:
    """Where the texts of the records of header ``lines`` (named, ascending) lie in the chunk:
    from the end of the header prefix (pid to time) to the record's end.  What ``says_more``
    reads; a clause met only in the prefix cannot make the gate match what follows it."""
    begins: Offsets = index.starts[lines] + names.prefixes[names.rows[lines]]
    return begins, _record_ends(index, lines, cuts)


def _saying_more(index: LineIndex, lines: Offsets, cuts: Offsets, names: ClassNames) -> Offsets:
    """Those of the header ``lines`` (named, ascending) whose records may mean more than activity
    (see ``says_more``): asked once per group of records that differ only in their ids."""
    if lines.size == 0:
        return lines
    begins, ends = _texts(index, lines, cuts, names)
    said = [
        says_more_of(key) if key.isascii() else says_more(decode(index.chunk[begin:end]))
        for key, begin, end in zip(id_masked(index.data, begins, ends), begins.tolist(), ends.tolist(), strict=True)
    ]
    saying: Offsets = lines[np.array(said, dtype=bool)]
    return saying


def _among(values: Offsets, items: Offsets, count: int) -> npt.NDArray[np.bool_]:
    """For each item, whether it is one of ``values`` (all of them below ``count``: a chunk's line
    numbers): ``np.isin`` by marking the values in a table of ``count`` (a fifth of a binary search)."""
    marked = np.zeros(count, dtype=bool)
    marked[values] = True
    found: npt.NDArray[np.bool_] = marked[items]
    return found


def _read_record(
    index: LineIndex,
    line: int,
    stop: int,
    raw: bytes,
    *,
    number: int,
    state: _FileState,
    meaning: Meaning | None,
    layout: Layout | None,
) -> HeaderFields | None:
    """Read the record of header line ``line`` (``raw``; continuations up to line ``stop``; its
    fields at ``layout``'s places when it has one) as event ``number``; its header fields when it
    became a credential event (not activity).  A plain activity record (``meaning`` given), its
    text each distinct, is read past the per-distinct-text caches, which it would only flush."""
    first = decode(raw).rstrip("\r")
    fields = _header(first, layout, cache=meaning is None)
    if fields is None:
        return None
    message = record_message(fields, _continuations(index, line, stop) if stop > line + 1 else [])
    if meaning is None:
        meaning = meaning_of(fields.class_name, fields.method, message)
    if meaning is None:
        if not state.keep_all:
            return None
        meaning = Meaning("other")
    offset = state.observe(fields, line)
    state.pending.append((fields, offset, number, message, first, meaning))
    return None if meaning.kind == "activity" else fields


def _header(line: str, layout: Layout | None, cache: bool) -> HeaderFields | None:
    """A header line's fields: at ``layout``'s places when the line fits it, else by the pattern."""
    return (None if layout is None else header_at(line, layout, cache)) or match_header(line, cache)


def _continuations(index: LineIndex, line: int, stop: int) -> list[str]:
    """The continuation lines of the record of header ``line``, up to line ``stop``."""
    return [decode(index.line(n)).rstrip("\r") for n in range(line + 1, stop)]


def _read_runs(
    index: LineIndex,
    groups: list[Offsets],
    steps: dict[ThreadKey, list[int]],
    names: ClassNames | None,
    *,
    base: int,
    cuts: Offsets,
    state: _FileState,
) -> None:
    """Count the chunk's plain activity records into runs, cut at the credential events of their key.

    Only a run's first and last records are read (at the places their shape's ``names`` gives);
    a run open at the end of the chunk goes on in the next one unless a credential event of its
    key comes first.
    """
    carried, state.open_runs = state.open_runs, {}
    # A group's key is its first record's header fields (a header line always matches: the
    # automaton and the pattern agree); byte groups that parse to one key are one key.
    ids: dict[ThreadKey, int] = {}
    group_ids = [-1 if key is None else ids.setdefault(key, len(ids)) for key in _keys(index, groups, names)]
    keys = list(ids)
    lines = np.concatenate(groups) if groups else _NO_LINES
    owner = np.repeat(np.array(group_ids, dtype=np.int64), [part.size for part in groups])
    span = index.count + 1  # (key, line) as one number: ``key * span + line``
    code = np.sort((owner * span + lines)[owner >= 0])
    owner, lines = np.divmod(code, span)
    # Each line's segment: how many credential events of its key come before it.
    marks = np.array(sorted(ids[key] * span + line for key in keys for line in steps.get(key, ())), dtype=np.int64)
    number = np.searchsorted(marks, code) - np.searchsorted(marks, owner * span)
    fresh = np.ones(lines.size, dtype=bool)
    fresh[1:] = (owner[1:] != owner[:-1]) | (number[1:] != number[:-1])
    firsts = np.flatnonzero(fresh)
    lasts = np.append(firsts[1:], lines.size)[: firsts.size] - 1
    run_owner, segments, counts = owner[firsts], number[firsts], lasts - firsts + 1
    # The chunk's first segment of a key that a run was open for goes on that run; where a run
    # starts here with more than one record, its first record is read too.
    going_on = np.array([key in carried for key in keys], dtype=bool)[run_owner] & (segments == 0)
    starting = (counts > 1) & ~going_on
    read = _ends(
        index, np.concatenate([lines[lasts], lines[firsts[starting]]]), names=names, base=base, cuts=cuts, state=state
    )
    tails = read[: firsts.size]
    heads = tails.copy()
    heads[starting] = read[firsts.size :]
    found = (heads >= 0) & (tails >= 0)
    runs = np.full(firsts.size, -1)
    for at in np.flatnonzero(going_on & found).tolist():
        runs[at] = carried.pop(keys[run_owner[at]])
        state.go_on(int(runs[at]), int(tails[at]), int(counts[at]))
    new = found & ~going_on
    runs[new] = len(state.run_keys) + np.arange(np.count_nonzero(new))
    state.runs.frombytes(np.stack([heads[new], tails[new], counts[new]], 1).tobytes())
    state.run_keys += map(keys.__getitem__, run_owner[new].tolist())
    # After its key's last credential event in the chunk, a run is open at the chunk's end.
    closing = np.array([len(steps.get(key, ())) for key in keys], dtype=np.int64)
    opened = found & (segments == closing[run_owner])
    state.open_runs.update(zip(map(keys.__getitem__, run_owner[opened].tolist()), runs[opened].tolist(), strict=True))
    for key, run in carried.items():
        if key not in steps and key not in ids:
            state.open_runs[key] = run


def _keys(index: LineIndex, groups: list[Offsets], names: ClassNames | None) -> list[ThreadKey | None]:
    """The thread key of each group of activity records: its first record's (None when that
    record's header does not match, which a header line always does)."""
    leaders = [int(part[0]) for part in groups]
    begins, ends = index.spans(np.array(leaders, dtype=np.int64))
    layouts = [None] * len(leaders) if names is None else names.layouts_of(np.array(leaders, dtype=np.int64))
    keys: list[ThreadKey | None] = []
    for begin, end, layout in zip(begins, ends, layouts, strict=True):
        fields = _header(decode(index.chunk[begin:end]).rstrip("\r"), layout, cache=False)
        keys.append(None if fields is None else _thread_key(fields))
    return keys


def _ends(
    index: LineIndex, lines: Offsets, *, names: ClassNames | None, base: int, cuts: Offsets, state: _FileState
) -> Offsets:
    """Add the activity records of header ``lines`` (of ``names``) to the run ends (``state.ends``):
    the date and the bytes, not the fields (a run's events are made from the bytes only when asked
    for); their numbers there, -1 for a header line the pattern refuses (which none is).  The
    dates are read for all lines at once at their shapes' places, the few lines that do not fit
    their shape by the pattern."""
    begins = index.starts[lines]
    if names is None:
        dates = Dates(np.zeros(lines.size, dtype=bool), *(np.zeros(lines.size, dtype=np.int64),) * 4)
    else:
        dates = dates_at(index.data, begins, names.layouts, names.shapes[names.rows[lines]])
    fits = dates.fits.copy()
    months, days, years, clocks = (column.copy() for column in dates[1:])
    for i in np.flatnonzero(~dates.fits).tolist():  # by the pattern
        fields = match_header(decode(index.line(int(lines[i]))).rstrip("\r"), cache=False)
        if fields is not None:
            fits[i] = True
            months[i], days[i], clocks[i] = fields.month, fields.day, clock_number(fields.clock)
            years[i] = -1 if fields.year is None else fields.year
    tokens = state.offsets_at(lines[fits], months[fits])
    columns = (tokens, lines[fits] + base + 1, months[fits], days[fits], clocks[fits], years[fits])
    numbers = np.full(lines.size, -1)
    numbers[fits] = len(state.texts) + np.arange(tokens.size)
    state.ends.frombytes(np.stack(columns, 1).tobytes())
    chunk = index.chunk
    record_ends = _record_ends(index, lines[fits], cuts).tolist()
    # A comprehension's slices: 870 instructions a text, against 1,400 through ``map(chunk.__getitem__, ...)``.
    state.texts += [chunk[begin:end] for begin, end in zip(begins[fits].tolist(), record_ends, strict=True)]
    return numbers


def _observe_edge(index: LineIndex, line: int, state: _FileState, edge: str) -> None:
    fields = match_header(decode(index.line(line)).rstrip("\r"))
    if fields is None:
        return
    offset = state.observe(fields, line)
    if edge == "first" and state.first is None:
        state.first = (fields, offset)
    if edge == "last":
        state.last = (fields, offset)


def _finish(state: _FileState, source: LogSource, encoding: str) -> FileResult:
    years = _fold(state.steps, state.queries)
    base_year, year_source = _base_year(state, years, source)
    banner = state.banners[0] if state.banners else None
    host = source.host
    if not source.host_named and banner is not None and banner.machine:
        host = banner.machine  # the banner names the machine; --host-name or a bundle folder wins over it
    family = source.family
    if source.sniff and banner is not None:
        family = family_of_module(banner.module) or family
    offsets = years.offsets.tolist()

    def event(pending: _Pending) -> Event:
        return _event(pending, offsets[pending[1]], base_year, source.path, host, family)

    events = tuple(map(event, state.pending))
    ends = np.frombuffer(state.ends, dtype=np.int64).reshape(-1, len(_END))
    runs = np.frombuffer(state.runs, dtype=np.int64).reshape(-1, len(_RUN))
    order = np.argsort(ends[runs[:, _FIRST], _NUMBER], kind="stable")  # in line order, however the chunks fell
    firsts, lasts, records = runs[order].T
    keys = zip(*map(state.run_keys.__getitem__, order.tolist()), strict=True) if order.size else ((), (), ())
    texts = state.texts
    activity = map(
        _new_run,
        zip(
            records.tolist(), ends[firsts, _NUMBER].tolist(), ends[lasts, _NUMBER].tolist(),
            _times(ends[firsts], years.offsets, base_year), _times(ends[lasts], years.offsets, base_year),
            *(repeat(value, order.size) for value in (host, source.path, family)), *keys,
            map(texts.__getitem__, firsts.tolist()), map(texts.__getitem__, lasts.tolist()),
            strict=True,
        ),
    )  # fmt: skip
    first = _time(state.first[0], offsets[state.first[1]], base_year) if state.first else None
    last = _time(state.last[0], offsets[state.last[1]], base_year) if state.last else None
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
        year=None if base_year is None else base_year + years.year_offset,
        encoding=encoding,
        banner=state.banner,
        banners=tuple(state.banners),
        year_source=year_source,
        activity=tuple(activity),
    )


def _base_year(state: _FileState, years: _Years, source: LogSource) -> tuple[int | None, YearSource | None]:
    """The year of the file's first line and what says so, strongest first: a year in the lines,
    the banner's date, then the hint (a rolled name, a bundle name or the modification time, which
    dates the last line: minus the roll-overs seen before it, and never earlier than the year
    before the hint's)."""
    stated: YearSource | None = "line" if state.first is not None and state.first[0].year is not None else None
    if years.banner_base is not None:
        return years.banner_base, stated or "banner"
    hint = source.year_hint
    if hint is None:
        return None, stated
    year = hint.year
    if state.last is not None and state.last[0].month > hint.month + 5:
        year -= 1  # the hint is early in the year (January), the last line late in the one before
    # Never before the year preceding the dating source, whatever the months did.
    last_offset = int(years.offsets[state.last[1]]) if state.last is not None else years.year_offset
    return max(year - last_offset, hint.year - 1), stated or source.year_source


def _times(ends: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64], base_year: int | None) -> list[datetime | None]:
    """The times of run ``ends`` (rows of ``_END``): their dates in the year their token's offset
    gives after ``base_year``, or the year they state; None where none is known or the calendar
    refuses the date (02/30, 25:00), as the ``datetime`` constructor refuses it.  Made for all ends
    at once from the state that CPython's ``datetime`` pickles and takes back as its one argument
    (two bytes of year, then month, day, hour, minute, second and three bytes of microseconds)."""
    tokens, _, months, days, clocks, stated = ends.T
    years = stated if base_year is None else np.where(stated >= 0, stated, base_year + offsets[tokens])
    hours, rest = np.divmod(clocks, 10**10)
    minutes, rest = np.divmod(rest, 10**8)
    seconds, micros = np.divmod(rest, 10**6)
    leap = (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(months, 0, 12)] + (leap & (months == 2))
    good = (
        (years >= 1) & (years <= 9999) & (months >= 1) & (months <= 12) & (days >= 1) & (days <= month_days)
        & (hours < 24) & (minutes < 60) & (seconds < 60)
    )  # fmt: skip
    state = np.zeros((months.size, 10), dtype=np.uint8)
    state[:] = (0, 1, 1, 1, 0, 0, 0, 0, 0, 0)  # 0001-01-01 where the calendar refuses the date
    fields = (
        years >> 8,
        years & 0xFF,
        months,
        days,
        hours,
        minutes,
        seconds,
        micros >> 16,
        (micros >> 8) & 0xFF,
        micros & 0xFF,
    )
    for column, values in enumerate(fields):
        state[good, column] = values[good]
    times: list[datetime | None] = list(map(_from_state, state.view("V10").reshape(-1).tolist()))
    for refused in np.flatnonzero(~good).tolist():
        times[refused] = None
    return times


_from_state = cast("Callable[[bytes], datetime]", datetime)
"""``datetime`` called with its pickled state (which its stubs do not declare)."""
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _time(fields: HeaderFields, offset: int, base_year: int | None) -> datetime | None:
    if fields.year is not None:  # a line that states its year is believed
        base_year, offset = fields.year, 0
    if base_year is None:
        return None
    clock = fields.clock  # the grammar: h:mm:ss, then .ffffff or ,ffffff
    try:
        if len(clock) == 8:  # hh:mm:ss, as nearly every line has it: one parse in C (0.44 against 1.06 us)
            return _from_iso(_day_text(base_year + offset, fields.month, fields.day) + clock)
        hour, minute, second = clock.split(":")
        micro = int(second[3:9].ljust(6, "0")) if len(second) > 2 else 0
        return datetime(base_year + offset, fields.month, fields.day, int(hour), int(minute), int(second[:2]), micro)
    except ValueError:
        return None  # 02/30 or 25:00 from a damaged line: the event keeps no time rather than a wrong one


_from_iso = datetime.fromisoformat


@lru_cache(maxsize=1024)
def _day_text(year: int, month: int, day: int) -> str:
    """The ISO date that ``_time`` puts before a clock: ``2026-11-19T`` (a month or day no
    calendar has, or a year past 9999, makes a text that ``fromisoformat`` refuses, as the
    ``datetime`` constructor refuses the numbers)."""
    return f"{year:04d}-{month:02d}-{day:02d}T"


def _event(pending: _Pending, offset: int, base_year: int | None, path: str, host: str | None, family: str) -> Event:  # noqa: PLR0917
    fields, _, number, message, text, meaning = pending
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
_new_run = partial(_new, ActivityRun)
