"""Writing the events table, file by file: terminal table, CSV, JSON lines or Parquet.

Every format writes the columns of ``cvlogs.columns`` (one declaration), each row an event with
the diagnosis joined.  Bulk rows go through the csv/json writers and pyarrow (hundreds of times
faster than a rich table); the terminal table shows at most ``TABLE_LIMIT`` rows and says how
many it left out.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO

from cvlogs.columns import COLUMNS, NAMES, Attributed, Value, row_values
from cvlogs.errors import CvlogsError
from cvlogs.redact import redact

TABLE_LIMIT = 1000
Rows = Iterator[list[list[Value]]]
"""The selected rows of each file, as value lists in column order."""


class EventFormat(StrEnum):
    """The output formats of ``cvlogs events``."""

    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


def write_events(
    rows: Iterable[list[Attributed]],
    *,
    output_format: EventFormat,
    output: Path | None,
    kinds: set[str],
    redacted: bool,
) -> int:
    """Write the selected events of each file in turn (``cvlogs.pipeline.events``); returns how many."""
    clean = redact if redacted else str

    def selected() -> Rows:
        for batch in rows:
            yield [row_values(row, clean) for row in batch if _kept(row, kinds)]

    writers = {
        EventFormat.table: _write_table,
        EventFormat.csv: _write_csv,
        EventFormat.jsonl: _write_jsonl,
        EventFormat.parquet: _write_parquet,
    }
    return writers[output_format](selected(), output)


def _kept(row: Attributed, kinds: set[str]) -> bool:
    return not kinds or row.event.kind in kinds


def _text(value: Value) -> Value:
    """A value as text formats write it: times in ISO 8601."""
    return value.isoformat() if isinstance(value, datetime) else value


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


def _write_csv(batches: Rows, output: Path | None) -> int:
    count = 0
    with _text_output(output) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(NAMES)
        for batch in batches:
            writer.writerows([list(map(_text, row)) for row in batch])
            count += len(batch)
    return count


def _write_jsonl(batches: Rows, output: Path | None) -> int:
    count = 0
    with _text_output(output) as handle:
        for batch in batches:
            handle.writelines(
                json.dumps(dict(zip(NAMES, map(_text, row), strict=True)), ensure_ascii=False) + "\n" for row in batch
            )
            count += len(batch)
    return count


_SHOWN = ("time", "path", "line", "kind", "attributed_account", "rule", "error_code", "message")


def _write_table(batches: Rows, output: Path | None) -> int:
    from rich.console import Console  # noqa: PLC0415  (rich only for the terminal table)
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    positions = [NAMES.index(name) for name in _SHOWN]
    table = Table(*_SHOWN)
    count = 0
    for batch in batches:
        for row in batch:
            if count < TABLE_LIMIT:  # plain Text: a message's [brackets] are not rich markup
                table.add_row(*(Text("" if row[i] is None else str(_text(row[i]))) for i in positions))
            count += 1
    with _text_output(output) as handle:
        Console(file=handle, highlight=False, width=None if output is None else 200).print(table)
    if count > TABLE_LIMIT:
        Console(stderr=True).print(
            f"showing {TABLE_LIMIT} of {count:,} events; use --format csv or jsonl for all", markup=False
        )
    return count


def _write_parquet(batches: Rows, output: Path | None) -> int:
    """A Parquet dataset in the directory ``output``, partitioned by host and family (hive style),
    one part per log file, readable by pandas, DuckDB and Spark; categories dictionary-encoded."""
    import pyarrow as pa  # noqa: PLC0415  (pyarrow loads only for Parquet output)
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert output is not None
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise CvlogsError(f"{output} exists: give a new or empty directory for the Parquet dataset")
    types = {
        "timestamp": pa.timestamp("us"),
        "string": pa.string(),
        "int64": pa.int64(),
        "dictionary": pa.dictionary(pa.int32(), pa.string()),
    }
    schema = pa.schema([(column.name, types[column.arrow]) for column in COLUMNS])
    count = 0
    output.mkdir(parents=True, exist_ok=True)
    try:
        for number, batch in enumerate(batches):
            if batch:
                columns = dict(zip(NAMES, map(list, zip(*batch, strict=True)), strict=True))
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
