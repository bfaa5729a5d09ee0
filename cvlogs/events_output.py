"""Writing the events table as it is produced, file by file: table, CSV, JSON lines or Parquet.

Bulk rows go through the csv/json writers and pyarrow (hundreds of times faster than a rich
table); the terminal table shows at most ``TABLE_LIMIT`` rows and says how many it left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from functools import partial
from typing import Any

from cvlogs.errors import DependencyFailed
from cvlogs.model import COLUMNS, Event, FileResult
from cvlogs.output import dataset_output, text_output
from cvlogs.redact import printable, redact
from cvlogs.report import Filters

TABLE_LIMIT = 1000


class EventFormat(StrEnum):
    """The output formats of ``cvlogs events``."""

    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


def event_row(event: Event, redact_secrets: bool = True) -> dict[str, Any]:
    """One event as a flat row with the table's columns (time as ISO text); unless ``redact_secrets``
    is off, every text is redacted (the whole message with its continuation lines, paths, hosts)."""
    row = {
        "time": event.time.isoformat() if event.time else None,
        "host": event.host,
        "path": event.location.path,
        "line": event.location.line,
        "family": event.family,
        "pid": event.pid,
        "tid": event.tid,
        "job": event.job,
        "function": event.function,
        "kind": event.kind,
        "account_id": event.account_id,
        "role_arn": event.role_arn,
        "error_code": event.error.code if event.error else None,
        "message": event.message,
    }
    if not redact_secrets:
        return row
    return {name: redact(value) if isinstance(value, str) else value for name, value in row.items()}


def write_events(
    results: Iterable[FileResult],
    *,
    output_format: EventFormat,
    output: str | None,
    filters: Filters,
    kinds: set[str],
    redact_secrets: bool = True,
    raw_csv: bool = False,
) -> int:
    """Write the selected events of each file as it arrives; returns how many were written.

    CSV cells that a spreadsheet would take for a formula are quoted (``csv_cell``) unless
    ``raw_csv``; table and CSV cells show control characters as ``\\xNN``.
    """

    def selected() -> Iterator[list[dict[str, Any]]]:
        for result in results:
            yield [
                event_row(e, redact_secrets)
                for e in result.listed_events
                if (not kinds or e.kind in kinds)
                and filters.keeps_time(e.time)
                and (not filters.accounts or e.account_id in filters.accounts)
            ]

    writers: dict[EventFormat, Callable[[Iterator[list[dict[str, Any]]], str | None], int]] = {
        EventFormat.table: _write_table,
        EventFormat.csv: partial(_write_csv, cell=printable if raw_csv else csv_cell),
        EventFormat.jsonl: _write_jsonl,
        EventFormat.parquet: _write_parquet,
    }
    return writers[output_format](selected(), output)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) gets a leading ``'`` (OWASP's advice against CSV
    injection); control characters show as ``\\xNN``."""
    return printable("'" + text if text.startswith(_FORMULA_START) else text)


def _write_csv(batches: Iterator[list[dict[str, Any]]], output: str | None, cell: Callable[[str], str]) -> int:
    count = 0
    with text_output(output) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for batch in batches:
            writer.writerows({k: cell(v) if isinstance(v, str) else v for k, v in row.items()} for row in batch)
            count += len(batch)
    return count


def _write_jsonl(batches: Iterator[list[dict[str, Any]]], output: str | None) -> int:
    count = 0
    with text_output(output) as handle:
        for batch in batches:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in batch)
            count += len(batch)
    return count


def _write_table(batches: Iterator[list[dict[str, Any]]], output: str | None) -> int:
    from rich.console import Console  # noqa: PLC0415  (rich only for the terminal table)
    from rich.table import Table  # noqa: PLC0415

    shown = ("time", "path", "line", "kind", "account_id", "error_code", "message")
    table = Table(*shown)
    count = 0
    for batch in batches:
        for row in batch:
            if count < TABLE_LIMIT:
                table.add_row(*(printable(str(row[c])) if row[c] is not None else "" for c in shown))
            count += 1
    with text_output(output) as handle:
        Console(file=handle, highlight=False, width=None if output is None else 200).print(table)
    if count > TABLE_LIMIT:
        Console(stderr=True).print(f"showing {TABLE_LIMIT} of {count:,} events; use --format csv or jsonl for all")
    return count


def _write_parquet(batches: Iterator[list[dict[str, Any]]], output: str | None) -> int:
    """A Parquet dataset in the directory ``output``, partitioned by host and family (hive style),
    one part per log file, readable by pandas, DuckDB and Spark."""
    import pyarrow as pa  # noqa: PLC0415  (pyarrow loads only for Parquet output)
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert output is not None
    schema = pa.schema(
        [
            ("time", pa.timestamp("us")),
            *((name, pa.string()) for name in ("host", "path")),
            ("line", pa.int64()),
            ("family", pa.string()),
            ("pid", pa.int64()),
            *(
                (name, pa.string())
                for name in ("tid", "job", "function", "kind", "account_id", "role_arn", "error_code")
            ),
            ("message", pa.string()),
        ]
    )
    count = 0
    with dataset_output(output) as (filesystem, root):
        for number, batch in enumerate(batches):
            if batch:
                columns = {name: [row[name] for row in batch] for name in schema.names}
                columns["time"] = [_timestamp(value) for value in columns["time"]]
                try:
                    pq.write_to_dataset(
                        pa.table(columns, schema=schema),
                        root_path=root,
                        filesystem=filesystem,
                        partition_cols=["host", "family"],
                        basename_template=f"part-{number:05d}-{{i}}.parquet",
                        existing_data_behavior="overwrite_or_ignore",
                    )
                except (OSError, pa.ArrowException) as error:
                    raise DependencyFailed(f"cannot write {output}: {type(error).__name__}: {error}") from None
                count += len(batch)
    return count


def _timestamp(value: str | None) -> Any:
    from datetime import datetime  # noqa: PLC0415

    return None if value is None else datetime.fromisoformat(value)
