"""The events table's schema, declared once: each column's name, pandas dtype, Arrow type and getter.

Every writer reads this declaration: the pandas table (``cvlogs.read_events``), CSV, JSON lines,
Parquet and the terminal table.  A row is an ``Attributed`` event: the event as parsed plus what
the diagnosis adds to it (the account its sequence speaks of, the sequence's id, the rule it is
evidence of), so an analyst can reproduce the report's verdicts from the table alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from cvlogs.model import Event

ArrowType = Literal["timestamp", "string", "int64", "dictionary"]
"""How a column is stored in Parquet: ``dictionary`` is a dictionary-encoded string (a category)."""


class Attributed(NamedTuple):
    """One event with the diagnosis around it."""

    event: Event
    account: str | None
    """The account of the event's sequence (from correlation), else the one the event names."""
    sequence: str | None
    """The stable id of the sequence the event is a step of: ``host:path:line`` of its first step."""
    rule: str | None
    """The rule code of the finding this event is evidence of (the most severe one)."""
    severity: str | None
    """That rule's severity: error, warning or info."""


Value = str | int | datetime | None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the events table."""

    name: str
    pandas: str
    """The pandas dtype (``read_events``)."""
    arrow: ArrowType
    get: Callable[[Attributed], Value]


def _error_code(row: Attributed) -> str | None:
    error = row.event.error
    return None if error is None else error.code


_STRING = "string[pyarrow]"
COLUMNS: tuple[Column, ...] = (
    Column("time", "datetime64[ns]", "timestamp", lambda r: r.event.time),
    Column("host", "category", "dictionary", lambda r: r.event.host),
    Column("path", _STRING, "string", lambda r: r.event.location.path),
    Column("line", "int64", "int64", lambda r: r.event.location.line),
    Column("family", "category", "dictionary", lambda r: r.event.family),
    Column("pid", "int64", "int64", lambda r: r.event.pid),
    Column("tid", _STRING, "string", lambda r: r.event.tid),
    Column("job", _STRING, "string", lambda r: r.event.job),
    Column("function", _STRING, "string", lambda r: r.event.function),
    Column("kind", "category", "dictionary", lambda r: r.event.kind),
    Column("account_id", _STRING, "string", lambda r: r.event.account_id),
    Column("attributed_account", _STRING, "string", lambda r: r.account),
    Column("sequence", _STRING, "string", lambda r: r.sequence),
    Column("rule", "category", "dictionary", lambda r: r.rule),
    Column("severity", "category", "dictionary", lambda r: r.severity),
    Column("role_arn", _STRING, "string", lambda r: r.event.role_arn),
    Column("error_code", _STRING, "string", _error_code),
    Column("message", _STRING, "string", lambda r: r.event.message),
)
"""The columns in table order."""

NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
DTYPES: dict[str, str] = {column.name: column.pandas for column in COLUMNS}


def row_values(row: Attributed, clean: Callable[[str], str]) -> list[Value]:
    """The row's values in column order, every text passed through ``clean`` (redaction: secrets
    hide in messages, and in paths and host names too)."""
    values: list[Value] = []
    for column in COLUMNS:
        value = column.get(row)
        values.append(clean(value) if isinstance(value, str) else value)
    return values
