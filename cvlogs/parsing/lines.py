"""One log line's header by the fast path: the compiled form of the pyparsing header grammar."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from sys import intern
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from cvlogs.grammars import header
from cvlogs.model import Event, Location

CACHED_CHARS = 2048
"""Texts longer than this are read without the per-distinct-text caches (here and in
``messages``): their memory stays bounded whatever the lines hold, where 8,192 cached
one-megabyte lines would not."""


def decode(raw: bytes) -> str:
    """UTF-8 where it is, Latin-1 otherwise: never fails, never loses a byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class HeaderFields(NamedTuple):
    """The header of one line, from the compiled header pattern (the fast path).

    A named tuple rather than a frozen dataclass: it is built for every record the scanner reads,
    and measured about four times cheaper to make.
    """

    pid: int
    tid: str
    month: int
    day: int
    clock: str
    year: int | None
    job: str
    function: str
    class_name: str
    method: str
    message: str
    source_line: int | None
    """The source line number of ``A::B(1482)``; None when the log wrote none."""


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


_PREFIX_RE = header.HEADER_PREFIX.re
_REST_RE = re.compile(header.HEADER_REST_PATTERN)
_HEADER_RE = header.HEADER.re
_REST_GROUPS = ("job", "function", "class_name", "method", "message", "source_line")
_GROUPS = tuple(_REST_RE.groupindex[name] for name in _REST_GROUPS)
_ALL_GROUPS = tuple(
    _HEADER_RE.groupindex[name] for name in ("pid", "tid", "month", "day", "year", "time", *_REST_GROUPS)
)

Rest = tuple[str, str, str, str, str, int | None]
"""job, function, class name, method, message (without a duplicated trailing header), source line."""


def _rest(text: str) -> Rest:
    """The fields of what follows a header's time, read once per distinct text (up to 2,048 characters)."""
    return _cached_rest(text) if len(text) <= CACHED_CHARS else _read_rest(text)


@lru_cache(maxsize=8192)
def _cached_rest(text: str) -> Rest:
    return _read_rest(text)


def _read_rest(text: str) -> Rest:
    found = _REST_RE.match(text)
    assert found is not None  # every part of the rest is optional
    return _rest_of(found.group(*_GROUPS))


def _rest_of(groups: tuple[Any, ...]) -> Rest:
    """The rest's fields from the pattern's groups.

    Credential lines repeat the same job, function and message thousands of times with only the
    pid, thread and time changing; their strings are shared (``intern``), which also makes the
    events smaller, their pickles shorter and the main process's walks over them touch less memory.
    """
    job, function, class_name, method, message, line = groups
    message, _ = header.split_trailer(message)
    return (
        intern(job or ""),
        _function_column(function, line),
        intern(class_name or ""),
        intern(method or ""),
        message,
        int(line) if line else None,
    )


@lru_cache(maxsize=4096)
def _function_column(function: str | None, line: str | None) -> str:
    return intern(header.function_column(function, line))


def match_header(line: str, cache: bool = True) -> HeaderFields | None:
    """The fast path: the compiled form of ``grammars.header.HEADER`` plus its trailer split.

    The prefix (pid to time) is matched on every record and the rest of the line once per
    distinct rest (``HEADER_PATTERN`` is the two patterns one after the other, and the rest always
    matches); ``cache=False`` reads a line whose rest will not come again (an activity record's
    ids) with the whole pattern at once, without the cache (1.5 against 1.7 us, and no cache call).
    """
    if cache:
        found = _PREFIX_RE.match(line)
        if found is None:
            return None
        pid, tid, month, day, year, clock = found.groups()
        rest = _rest(line[found.end() :])
    else:
        found = _HEADER_RE.match(line)
        if found is None:
            return None
        groups = found.group(*_ALL_GROUPS)
        pid, tid, month, day, year, clock = groups[:6]
        rest = _rest_of(groups[6:])
    return _new(HeaderFields, (int(pid), intern(tid), int(month), int(day), clock, _full_year(year), *rest))


_AFTER_METHOD = re.compile(header.AFTER_METHOD_PATTERN)
_HEAD = ("pid", "tid", "month", "day", "year")
_KNOWN = 4096
_Read = TypeVar("_Read")
"""How many heads and functions a layout remembers (then it forgets them all): memory stays bounded."""


class Layout:
    """Where the header fields lie in every line of one *shape*: the line's start, up to the
    ``()`` of its ``Class::Method()``, with every digit made ``0`` (``activity.class_names``).

    The header pattern treats all digits alike but for the ``0x`` of a thread id, so it matches
    every line of the shape as it matches the shape, with the same groups up to the ``()``: the
    fields are read there by slicing, and only what follows (separator, message) by a pattern
    (a test holds ``header_at`` to ``match_header`` on lines of many shapes).  The pid, thread and
    date before the time, and the job and function after it, repeat from line to line: each is
    read once per distinct text (``heads``, ``functions``).
    """

    __slots__ = ("clock", "end", "functions", "heads", "hex_tid", "places", "spans", "tid", "weights")

    def __init__(self, found: re.Match[str]) -> None:
        """The layout of the shape that ``found`` (the header pattern's match of it) matched."""
        self.spans = {name: found.span(name) for name in _HEAD}
        self.clock = found.span("time")
        self.end = len(found.string)
        """Where the parentheses end: the separator and the message follow."""
        self.hex_tid = found.group("tid")[1:2] in ("x", "X")
        """The thread id starts with ``0x``: a line of the shape must have a ``0`` there too."""
        self.tid = found.start("tid")
        self.heads: dict[str, tuple[int, str, int, int, int | None]] = {}
        self.functions: dict[str, tuple[str, str, str, str]] = {}
        self.places, self.weights = self._places(found.string)
        """Where ``dates_at`` reads a line of the shape, and what each byte there weighs (see
        ``_PLACES``), as the bytes of their numbers: a chunk's table of them is one join."""

    def _places(self, shape: str) -> tuple[bytes, bytes]:
        """``places`` and ``weights``; no weights when the shape holds a byte beyond ASCII (its
        lines' characters are not their bytes) or its clock is not ``hh:mm:ss``."""
        if not shape[: self.end].isascii() or self.clock[1] - self.clock[0] != len("hh:mm:ss"):
            return _NOWHERE
        places: list[int] = []
        weights: list[int] = []
        for name, most in (("month", 2), ("day", 2), ("year", 4)):
            start, end = self.spans[name]
            digits = list(range(start, end)) if start >= 0 else []
            places += digits + [0] * (most - len(digits))
            weights += [10**power for power in reversed(range(len(digits)))] + [0] * (most - len(digits))
        clock = self.clock[0]
        places += [clock + at for at in (0, 1, 3, 4, 6, 7)]  # hh:mm:ss
        weights += [10**power for power in range(11, 5, -1)]
        places.append(self.tid if self.hex_tid else 0)
        weights.append(int(self.hex_tid))
        year_digits = self.spans["year"][1] - self.spans["year"][0]
        weights.append({0: -1, 2: 2000}.get(year_digits, 0))
        return np.array(places, dtype=np.int64).tobytes(), np.array(weights, dtype=np.float64).tobytes()

    @classmethod
    def of(cls, found: re.Match[str]) -> Layout | None:
        """The layout of a shape from the header pattern's match of it, which must end with the
        parentheses of a function that has a class name (else None)."""
        if (
            found.start("class_name") < 0
            or found.group("source_line") != ""
            or found.end("source_line") + 1 != len(found.string)
        ):
            return None
        return cls(found)

    def head(self, text: str) -> tuple[int, str, int, int, int | None]:
        """pid, thread, month, day and year from the line's start up to its time."""
        pid, tid, month, day, year = (text[a:b] for a, b in map(self.spans.__getitem__, _HEAD))
        return int(pid), intern(tid), int(month), int(day), _full_year(year)

    @staticmethod
    def function(text: str) -> tuple[str, str, str, str]:
        """Job, function column, class name and method from what follows the time up to the parentheses."""
        job, function, class_name, method, _, _ = _read_rest(text)
        return job, function, class_name, method


def _remember(known: dict[str, _Read], text: str, read: Callable[[str], _Read]) -> _Read:
    """``read(text)``, kept in ``known`` (which forgets everything once it holds ``_KNOWN`` texts)."""
    if len(known) >= _KNOWN:
        known.clear()
    found = known[text] = read(text)
    return found


def _head_at(line: str, layout: Layout) -> tuple[int, str, int, int, int | None] | None:
    """pid, thread, month, day and year of a line of ``layout``'s shape, read at the layout's
    places; None when the line does not fit it (a byte beyond ASCII before the parentheses, a
    thread id without its ``0x``): then the caller reads it by the pattern."""
    if not (line.isascii() or line[: layout.end].isascii()) or (layout.hex_tid and line[layout.tid] != "0"):
        return None
    text = line[: layout.clock[0]]
    return layout.heads.get(text) or _remember(layout.heads, text, layout.head)


def header_at(line: str, layout: Layout, cache: bool = True) -> HeaderFields | None:
    """``match_header(line, cache)`` for a line of ``layout``'s shape, its fields read at the
    layout's places; None when the line does not fit it (see ``_head_at``).  ``cache``: the
    message is read once per distinct text after the parentheses, and equal ones are one string."""
    head = _head_at(line, layout)
    if head is None:
        return None
    end = layout.end
    clock_start, clock_end = layout.clock
    text = line[clock_end:end]
    function = layout.functions.get(text) or _remember(layout.functions, text, layout.function)
    after = line[end:]
    message = _cached_message(after) if cache and len(after) <= CACHED_CHARS else _message(after)
    pid, tid, month, day, year = head
    return _new(HeaderFields, (pid, tid, month, day, line[clock_start:clock_end], year, *function, message, None))


def _message(after: str) -> str:
    """The message of a header line from what follows its ``Class::Method()``: past the separator,
    without a duplicated trailing header."""
    if after[:3] == " - " and after[3:4] not in (" ", "\t"):
        message: str = after[3:]  # the usual separator, as the pattern reads it
    else:
        found = _AFTER_METHOD.match(after)
        assert found is not None  # every part of it is optional
        message = found.group("message")
    message, _ = header.split_trailer(message)
    return message


@lru_cache(maxsize=8192)
def _cached_message(after: str) -> str:
    return _message(after)


_PLACES = 2 + 2 + 4 + 6 + 1
"""How many bytes of a line ``dates_at`` reads (``Layout.places``: where they are, from the line's
start; ``Layout.weights``: what each digit weighs): the month's two, the day's two and the year's
four (the digits it has, at weights ..., 10, 1; none at weight 0), the clock's six digits
(weights 10**11 to 10**6, as in ``clock_number``) and the ``0`` of a ``0x`` thread id (weight 1
when the shape has one, else 0); then one weight more, what the year's digits are added to (-1
when the shape has none, 2000 when two, else 0).  A layout whose lines ``dates_at`` does not read
weighs nothing."""
_NOWHERE = np.zeros(_PLACES, dtype=np.int64).tobytes(), np.zeros(_PLACES + 1, dtype=np.float64).tobytes()
_FIELDS = np.zeros((_PLACES, 5), dtype=np.float64)
"""Which of the weighed digits make the month, the day, the year, the clock and the thread id's ``0``."""
for _field, (_first, _end) in enumerate(((0, 2), (2, 4), (4, 8), (8, 14), (14, 15))):
    _FIELDS[_first:_end, _field] = 1


_Numbers = npt.NDArray[np.int64]


class Dates(NamedTuple):
    """The dates of some header lines (``dates_at``), one entry per line."""

    fits: npt.NDArray[np.bool_]
    """Read here; where False, the line's entries mean nothing (read it by the pattern)."""
    months: npt.NDArray[np.int64]
    days: npt.NDArray[np.int64]
    years: npt.NDArray[np.int64]
    """The year the line states (two digits: in the 2000s), -1 when it states none."""
    clocks: npt.NDArray[np.int64]
    """The clock as ``clock_number`` gives it."""


def dates_at(
    data: npt.NDArray[np.uint8], starts: _Numbers, layouts: tuple[Layout | None, ...], shapes: _Numbers
) -> Dates:
    """What ``header_at`` reads of the date and time of the header lines that start at ``starts``
    in ``data``, each of the shape numbered ``shapes`` in ``layouts``: read for all lines at once
    at their layout's places, where the shape's digits are the line's (an activity run's end needs
    only its time until its event is asked for).  A line does not fit where ``header_at`` would
    refuse it or its shape's clock is not ``hh:mm:ss`` (see ``Layout.places``)."""
    none, nothing = _NOWHERE
    places = np.frombuffer(b"".join([none if on is None else on.places for on in layouts]), np.int64)
    weights = np.frombuffer(b"".join([nothing if on is None else on.weights for on in layouts]), np.float64)
    weighed = weights.reshape(-1, _PLACES + 1)[shapes]
    digits = data[starts[:, None] + places.reshape(-1, _PLACES)[shapes]] - float(ord("0"))
    # One product in floating point (exact: every sum is an integer below 2**53), ten times
    # faster than numpy's integer sums along the rows.
    month, day, year, clock, zero = (digits * weighed[:, :_PLACES] @ _FIELDS).astype(np.int64).T
    return Dates((weighed[:, 8] != 0) & (zero == 0), month, day, year + weighed[:, _PLACES].astype(np.int64), clock)


def clock_number(clock: str) -> int:
    """A header's clock (``h:mm:ss``, then ``.ffffff`` or ``,ffffff``) as one number, its fields'
    decimal digits side by side: ``hhmmssffffff`` (an hour, minute or second no clock has stays
    what the line says, for the time to refuse)."""
    hour, minute, second = clock.split(":")
    micro = int(second[3:9].ljust(6, "0")) if len(second) > 2 else 0
    return ((int(hour) * 100 + int(minute)) * 100 + int(second[:2])) * 1_000_000 + micro


MAX_MESSAGE_CHARS = 16_384
"""A message longer than this (continuation lines included) is cut."""


def record_message(fields: HeaderFields, more: list[str]) -> str:
    """The message of a record: its header line's, then its continuation lines, one per line."""
    if more:
        return "\n".join([fields.message, *more])[:MAX_MESSAGE_CHARS]
    return fields.message[:MAX_MESSAGE_CHARS]


def activity_event(raw: bytes, location: Location, time: datetime | None, host: str | None, family: str) -> Event:
    """The event of a plain activity record from its bytes (``raw``: its lines, each ending with
    its line feed but perhaps the file's last): the one ``--all`` reads for it, made when a run's
    end is asked for (``ActivityRun.first``)."""
    text = raw.removesuffix(b"\n")
    try:  # as ``decode`` reads each line: a line feed never stands inside a UTF-8 character
        first, *more = text.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        first, *more = map(decode, text.split(b"\n"))
    line = first.rstrip("\r")
    if more:
        more = [continued.rstrip("\r") for continued in more]
    fields = match_header(line, cache=False)
    assert fields is not None  # the scanner keeps only the bytes of a header line's record
    return _new(
        Event,
        (
            "activity", location, time, host, family, fields.pid, fields.tid, fields.job, fields.function,
            record_message(fields, more), line, None, None, None,
        ),
    )  # fmt: skip


_new = tuple.__new__
