"""Finding the banners of a chunk and reading them with the banner grammar.

A banner is two border lines (``grammars.banner.BORDER_PATTERN``) with at most
``MAX_ENTRIES`` entry lines between them, which the banner grammar reads; the blank line that
follows one belongs to it.  Border lines are rare (one or two a file): numpy picks the lines
that start with ``*`` and only those are matched, and the grammar runs once per banner, never
per line.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

import numpy as np
import pyparsing as pp

from cvlogs.grammars import banner as grammar
from cvlogs.model import Banner
from cvlogs.parsing.chunks import BORDER, PREFIX_AT
from cvlogs.parsing.lineindex import LineIndex
from cvlogs.parsing.lines import decode

_STAR = ord("*")


class Found(NamedTuple):
    """A banner of a chunk: its first and last line (0-based, inclusive) and what it says."""

    first: int
    last: int
    banner: Banner


def find_banners(index: LineIndex, first_number: int) -> list[Found]:
    """The banners of a chunk, in line order; ``first_number`` is the file line number of its line 0."""
    chunk = index.chunk
    if not chunk:
        return []
    # The first byte of every line at once (a numpy gather): only lines that start with '*' can
    # be borders.  Measured 20x cheaper than ``bytes.find`` of a run of stars, whose search
    # slows down on the frequent line feeds and stars of real logs.
    data = np.frombuffer(chunk, dtype=np.uint8)
    starred = np.flatnonzero(data[index.starts] == _STAR)
    borders = [line for line in starred.tolist() if BORDER.fullmatch(index.line(line))]
    found: list[Found] = []
    opening = 0
    while opening + 1 < len(borders):
        start, end = borders[opening], borders[opening + 1]
        read = _read(index, start, end, first_number) if end - start - 1 <= grammar.MAX_ENTRIES else None
        if read is None:
            opening += 1
            continue
        after = end + 1
        if after < index.count and not index.line(after).strip():
            end = after  # the blank line a banner is followed by
        found.append(Found(start, end, read))
        opening += 2
    return found


def _read(index: LineIndex, start: int, end: int, first_number: int) -> Banner | None:
    text = "\n".join(decode(index.line(n)).rstrip("\r") for n in range(start, end + 1))
    try:
        results = grammar.BANNER.parse_string(text, parse_all=True)
    except pp.ParseException:
        return None
    return banner_of(results.as_dict(), first_number + start)


def banner_of(fields: dict[str, object], line: int) -> Banner:
    """A ``Banner`` from the grammar's named results."""

    def text(name: str) -> str | None:
        value = fields.get(name)
        return str(value).strip() or None if value is not None else None

    machine = text("host_name") or text("physical_machine") or text("client")
    addresses = fields.get("ip_addresses") or ()
    return Banner(
        machine=machine.lower() if machine else None,
        client=text("client"),
        display_name=text("display_name"),
        instance=text("instance"),
        ip_addresses=tuple(str(a) for a in addresses) if isinstance(addresses, (list, tuple)) else (),
        module=text("module"),
        commserve=text("commserve"),
        version=text("version"),
        date=_date(text("date")),
        zone=text("zone"),
        utc_offset=_offset(text("utc_offset")),
        os=text("os"),
        line=line,
    )


def _date(value: str | None) -> date | None:
    """``2022/06/30`` (the services) or ``6/30/2022`` (the installers)."""
    if value is None:
        return None
    parts = [int(part) for part in value.split("/")]
    year, month, day = parts if parts[0] > 31 else (parts[2], parts[0], parts[1])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _offset(value: str | None) -> int | None:
    """``-08:00`` as minutes east of UTC (-480)."""
    if value is None:
        return None
    hours, minutes = value[1:].split(":")
    sign = -1 if value[0] == "-" else 1
    return sign * (int(hours) * 60 + int(minutes))


def family_of_module(module: str | None) -> str | None:
    """A log family from a banner's module: ``cvd``, ``vsbkp``..., or the module itself, lower-cased."""
    if not module:
        return None
    name = re.sub(r"\.log$", "", module.strip(), flags=re.IGNORECASE).lower()
    return re.sub(r"[^a-z0-9_.-]+", "_", name) or None


def looks_like_commvault(head: bytes) -> bool:
    """Whether a file's first non-blank line (of its first five) is a banner border or a log line."""
    for raw in head[:8192].split(b"\n")[:5]:
        line = raw.rstrip(b"\r")
        if line.strip():
            return BORDER.fullmatch(line) is not None or PREFIX_AT.match(line) is not None
    return False
