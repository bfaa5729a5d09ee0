"""Writing the events table as it is produced, file by file: table, CSV, JSON lines or Parquet.

Bulk rows go through the csv/json writers and pyarrow (hundreds of times faster than a rich
table); the terminal table shows at most ``TABLE_LIMIT`` rows and says how many it left out.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from cvlogs.errors import CvlogsError
from cvlogs.model import COLUMNS, Event, FileResult
from cvlogs.redact import redact
from cvlogs.report import Filters

TABLE_LIMIT = 1000


class EventFormat(StrEnum):
    """The output formats of ``cvlogs events``."""

    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


def event_row(event: Event, redact_secrets: bool = True) -> dict[str, Any]:
    """One event as a flat row with the table's columns (time as ISO text)."""
    clean = redact if redact_secrets else str
    return {
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
        "role_arn": None if event.role_arn is None else clean(event.role_arn),
        "error_code": event.error.code if event.error else None,
        "message": clean(event.message),
    }


def write_events(
    results: Iterable[FileResult],
    *,
    output_format: EventFormat,
    output: Path | None,
    filters: Filters,
    kinds: set[str],
    redact_secrets: bool = True,
) -> int:
    """Write the selected events of each file as it arrives; returns how many were written."""

    def selected() -> Iterator[list[dict[str, Any]]]:
        for result in results:
            yield [
                event_row(e, redact_secrets)
                for e in result.listed_events
                if (not kinds or e.kind in kinds)
                and filters.keeps_time(e.time)
                and (not filters.accounts or e.account_id in filters.accounts)
            ]

    writers = {
        EventFormat.table: _write_table,
        EventFormat.csv: _write_csv,
        EventFormat.jsonl: _write_jsonl,
        EventFormat.parquet: _write_parquet,
    }
    return writers[output_format](selected(), output)


@contextmanager
def _text_output(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as error:
        raise CvlogsError(f"cannot write {output}: {error.strerror}") from None


def _write_csv(batches: Iterator[list[dict[str, Any]]], output: Path | None) -> int:
    count = 0
    with _text_output(output) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        for batch in batches:
            writer.writerows(batch)
            count += len(batch)
    return count


def _write_jsonl(batches: Iterator[list[dict[str, Any]]], output: Path | None) -> int:
    count = 0
    with _text_output(output) as handle:
        for batch in batches:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in batch)
            count += len(batch)
    return count


def _write_table(batches: Iterator[list[dict[str, Any]]], output: Path | None) -> int:
    from rich.console import Console  # noqa: PLC0415  (rich only for the terminal table)
    from rich.table import Table  # noqa: PLC0415

    shown = ("time", "path", "line", "kind", "account_id", "error_code", "message")
    table = Table(*shown)
    count = 0
    for batch in batches:
        for row in batch:
            if count < TABLE_LIMIT:
                table.add_row(*(str(row[c]) if row[c] is not None else "" for c in shown))
            count += 1
    with _text_output(output) as handle:
        Console(file=handle, highlight=False, width=None if output is None else 200).print(table)
    if count > TABLE_LIMIT:
        Console(stderr=True).print(f"showing {TABLE_LIMIT} of {count:,} events; use --format csv or jsonl for all")
    return count


def _write_parquet(batches: Iterator[list[dict[str, Any]]], output: Path | None) -> int:
    """A Parquet dataset in the directory ``output``, partitioned by host and family (hive style),
    one part per log file, readable by pandas, DuckDB and Spark."""
    import pyarrow as pa  # noqa: PLC0415  (pyarrow loads only for Parquet output)
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert output is not None
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise CvlogsError(f"{output} exists: give a new or empty directory for the Parquet dataset")
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
    output.mkdir(parents=True, exist_ok=True)
    try:
        for number, batch in enumerate(batches):
            if batch:
                columns = {name: [row[name] for row in batch] for name in schema.names}
                columns["time"] = [_timestamp(value) for value in columns["time"]]
                pq.write_to_dataset(
                    pa.table(columns, schema=schema),
                    root_path=output,
                    partition_cols=["host", "family"],
                    basename_template=f"part-{number:05d}-{{i}}.parquet",
                    existing_data_behavior="overwrite_or_ignore",
                )
                count += len(batch)
    except OSError as error:
        raise CvlogsError(f"cannot write {output}: {error}") from None
    return count


def _timestamp(value: str | None) -> Any:
    from datetime import datetime  # noqa: PLC0415

    return None if value is None else datetime.fromisoformat(value)
