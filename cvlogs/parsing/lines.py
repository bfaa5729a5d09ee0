"""One log line's header by the fast path: the compiled form of the pyparsing header grammar."""

from __future__ import annotations

from dataclasses import dataclass

from cvlogs.grammars import header

HEADER_RE = header.HEADER.re


def decode(raw: bytes) -> str:
    """UTF-8 where it is, Latin-1 otherwise: never fails, never loses a byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass(frozen=True, slots=True)
class HeaderFields:
    """The header of one line, from the compiled header pattern (the fast path)."""

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


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


def match_header(line: str) -> HeaderFields | None:
    """The fast path: the compiled form of ``grammars.header.HEADER`` plus its trailer split."""
    found = HEADER_RE.match(line)
    if found is None:
        return None
    message, _ = header.split_trailer(found["message"])
    return HeaderFields(
        pid=int(found["pid"]),
        tid=found["tid"],
        month=int(found["month"]),
        day=int(found["day"]),
        clock=found["time"],
        year=_full_year(found["year"]),
        job=found["job"] or "",
        function=found["function"] or "",
        class_name=found["class_name"] or "",
        method=found["method"] or "",
        message=message,
    )
