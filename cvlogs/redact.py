"""Redaction: what a support ticket must never carry (report-contract.md, "Secrets").

The secrets are a grammar (``grammars/secrets.py``, matched by its fast path in
``cvlogs.parsing.secrets``): access key ids keep their prefix and last four characters
(``AKIA…WXYZ``), enough to match them against IAM without leaking them; every other secret
becomes ``[REDACTED]``.  ``scrub`` applies a text change to every string of a report's records
(messages, evidence, paths, member names, hosts), so nothing is written unchanged by accident.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
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
    recursively.  Unchanged parts are returned as they are (no copy).  ``change`` is called once
    per distinct string: a report repeats its hosts, paths, account ids and statuses thousands of
    times (a span per sequence), and each repeat is then one dictionary look-up."""
    return _Scrubber(change, only).scrub(value, only is None)  # type: ignore[no-any-return]


#: Types that hold no string: a report's times, counts and line numbers are passed over without a call.
_ATOMS = frozenset({int, float, bool, type(None), datetime, date})
#: What a field's declared type says of its values (``_how``): nothing to change (numbers, times,
#: flags, cvlogs' own words as a ``Literal``), a string, a tuple of strings, anything else.
_SKIP, _TEXT, _TEXTS, _WALK = range(4)
Plan = tuple[tuple[str, int, bool], ...]
"""Per field of a record that may hold text: its name, ``_how`` it holds it, whether to change it."""


class _Scrubber:
    """One walk of ``scrub``: ``change``, the strings it has already changed, and per record type
    the fields to visit.  A report holds a record per account (100,000 tenants: 100,000 account
    summaries), so what each field can hold is read once per type from its annotations, not found
    out again on every record by trying every field."""

    def __init__(self, change: Callable[[str], str], only: frozenset[str] | None) -> None:
        self.change = change
        self.only = only
        self.done: dict[str, str] = {}
        self.plans: dict[type, Plan | None] = {}

    def text(self, value: str) -> str:
        new = self.done.get(value)
        if new is None:
            new = self.change(value)
            new = self.done[value] = value if new == value else new
        return new

    def scrub(self, value: Any, here: bool) -> Any:
        kind = type(value)
        if kind is str:
            return self.text(value) if here else value
        plan = self.plans[kind] if kind in self.plans else self.plans.setdefault(kind, self.plan(kind))
        if plan is not None:
            return self.record(value, plan)
        if isinstance(value, tuple):
            items = [self.scrub(item, here) for item in value]
            return value if all(new is old for new, old in zip(items, value, strict=True)) else tuple(items)
        if isinstance(value, frozenset):
            return frozenset(self.scrub(item, here) for item in value)
        if isinstance(value, str):
            return self.text(value) if here else value
        return value

    def record(self, value: Any, plan: Plan) -> Any:
        """A dataclass or a named tuple with ``change`` applied to the fields of ``plan``."""
        changed = {}
        new: Any
        for name, how, here in plan:
            old = getattr(value, name)
            if how == _TEXT and type(old) is str:
                new = self.text(old)
            elif how == _TEXTS and type(old) is tuple:
                new = self.texts(old)
            elif type(old) in _ATOMS:
                continue
            else:
                new = self.scrub(old, here)
            if new is not old:
                changed[name] = new
        if not changed:
            return value
        if hasattr(value, "_replace"):  # a named tuple
            return value._replace(**changed)
        return dataclasses.replace(value, **changed)

    def texts(self, value: tuple[Any, ...]) -> tuple[Any, ...]:
        items = [self.text(item) if type(item) is str else self.scrub(item, True) for item in value]
        return value if all(new is old for new, old in zip(items, value, strict=True)) else tuple(items)

    def plan(self, kind: type) -> Plan | None:
        """The fields of a dataclass or named tuple type to visit (None for any other type): not
        cvlogs' own words (``OWN_TEXT``), not of a type that holds no text, and a string only
        where ``change`` applies to it."""
        if dataclasses.is_dataclass(kind):
            names = tuple(f.name for f in dataclasses.fields(kind))
        elif issubclass(kind, tuple) and hasattr(kind, "_fields"):
            names = kind._fields
        else:
            return None
        hints = _hints(kind)
        fields = []
        for name in names:
            how = _how(hints.get(name, Any))
            here = self.only is None or name in self.only
            if name not in OWN_TEXT and how != _SKIP and (here or how == _WALK):
                fields.append((name, how, here))
        return tuple(fields)


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    """A record type's field annotations, resolved (once per type: each scrub of a report, two of
    them per report, would resolve them again)."""
    try:
        return typing.get_type_hints(kind)
    except NameError:  # an annotation only a type checker can resolve: every field is walked
        return {}


def _how(hint: Any) -> int:
    """What values of the type ``hint`` hold: nothing to change, a string, strings, or anything."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = [a for a in typing.get_args(hint) if a is not type(None)] if union else [hint]
    if all(option in _ATOMS or typing.get_origin(option) is typing.Literal for option in options):
        return _SKIP
    if len(options) == 1 and _is_text(options[0]):
        return _TEXT
    if len(options) == 1 and typing.get_origin(options[0]) is tuple:
        items = typing.get_args(options[0])
        if len(items) == 2 and items[1] is Ellipsis and _is_text(items[0]):
            return _TEXTS
    return _WALK


def _is_text(hint: Any) -> bool:
    """``str`` or a ``NewType`` of it (``AccountId``)."""
    return hint is str or getattr(hint, "__supertype__", None) is str
