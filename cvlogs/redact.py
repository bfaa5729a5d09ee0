"""Redaction: what a support ticket must never carry (report-contract.md, "Secrets").

The secrets are a grammar (``grammars/secrets.py``, matched by its fast path in
``cvlogs.parsing.secrets``): access key ids keep their prefix and last four characters
(``AKIA…WXYZ``), enough to match them against IAM without leaking them; every other secret
becomes ``[REDACTED]``.  ``scrub`` applies a text change to every string of a report's records
(messages, evidence, paths, member names, hosts), so nothing is written unchanged by accident.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from cvlogs.parsing.secrets import REDACTED, mask

__all__ = ["REDACTED", "printable", "redact", "redact_lines", "scrub", "shown"]

T = TypeVar("T")
#: Fields that hold cvlogs' own words, never a log's (a remedy's "ExternalId: copy ..." is no key,
#: and a documentation URL's 40-character path is no secret key).
OWN_TEXT = frozenset({"remedy", "docs", "rule", "name", "severity", "version", "schema"})


def redact(text: str) -> str:
    """``text`` with every secret masked; idempotent.  Give it whole records (continuation lines
    joined): a PEM block or a wrapped value is recognised only with its lines together."""
    return mask(text) if text else text


def redact_lines(lines: list[str]) -> list[str]:
    """Consecutive lines redacted together, one result per line: a PEM block or a wrapped value
    spread over them is recognised only with its lines joined (redaction keeps line breaks)."""
    joined = redact("\n".join(lines)).split("\n")
    return joined if len(joined) == len(lines) else [REDACTED] * len(lines)


# C0 controls but tab and line feed, DEL and C1 controls: ESC[2J, ESC]0;title, a lone CR that
# overwrites what a terminal showed.  A line feed stays (continuation lines are part of a message).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character but tab and line feed shown as ``\\xNN``."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found[0]):02x}", text)


def shown(text: str, redact_secrets: bool = True) -> str:
    """``text`` as cvlogs may show it anywhere (a report, a table cell, stderr): printable, and
    redacted unless the user opted out."""
    return printable(redact(text) if redact_secrets else text)


#: The fields that hold names (of files, members, folders, machines) rather than log text.
NAME_FIELDS = frozenset(
    {"path", "host", "hosts", "reason", "machine", "client", "display_name", "instance", "commserve"}
)


def scrub(value: T, change: Callable[[str], str], only: frozenset[str] | None = None) -> T:
    """``value`` with ``change`` applied to every string in it (or, with ``only``, to the strings
    of the fields so named): inside dataclasses, named tuples, tuples and frozensets,
    recursively.  Unchanged parts are returned as they are (no copy)."""
    return _scrub(value, change, only, only is None)  # type: ignore[no-any-return]


def _scrub(value: Any, change: Callable[[str], str], only: frozenset[str] | None, here: bool) -> Any:
    if isinstance(value, str):
        new = change(value) if here else value
        return value if new == value else new
    if isinstance(value, tuple):
        names = getattr(type(value), "_fields", None)  # a named tuple: its fields by name
        items = [
            _scrub(item, change, only, here if names is None else _applies(name, only))
            for name, item in zip(names or [""] * len(value), value, strict=True)
        ]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)._make(items) if names is not None else tuple(items)  # type: ignore[attr-defined]
    if isinstance(value, frozenset):
        return frozenset(_scrub(item, change, only, here) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for name in _fields(type(value)):
            if name in OWN_TEXT:
                continue
            old = getattr(value, name)
            new = _scrub(old, change, only, _applies(name, only))
            if new is not old:
                changed[name] = new
        return dataclasses.replace(value, **changed) if changed else value
    return value


def _applies(name: str, only: frozenset[str] | None) -> bool:
    return only is None or name in only


@cache
def _fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))
