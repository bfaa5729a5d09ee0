"""One log line's header by the fast path: the compiled form of the pyparsing header grammar."""

from __future__ import annotations

import re
from functools import lru_cache
from sys import intern
from typing import Any, NamedTuple

from cvlogs.grammars import header

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


_new = tuple.__new__
