"""Writing the events table, file by file: terminal table, CSV, JSON lines or Parquet.

Every format writes the columns of ``cvlogs.columns`` (one declaration), each row an event with
the diagnosis joined.  Bulk rows go through the csv/json writers and pyarrow (hundreds of times
faster than a rich table); the terminal table shows at most ``TABLE_LIMIT`` rows and says how
many it left out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from functools import partial

from cvlogs.columns import COLUMNS, NAMES, Attributed, Value, row_values
from cvlogs.errors import DependencyFailed
from cvlogs.output import dataset_output, text_output
from cvlogs.redact import printable, redact

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
    output: str | None,
    kinds: set[str],
    redacted: bool,
    raw_csv: bool = False,
) -> int:
    """Write the selected events of each file in turn (``cvlogs.pipeline.events``); returns how many.

    Unless the report is unredacted, every text is redacted (messages with their continuation
    lines, paths, hosts).  CSV cells that a spreadsheet would take for a formula are quoted
    (``csv_cell``) unless ``raw_csv``; table and CSV cells show control characters as ``\\xNN``.
    """
    clean = redact if redacted else str

    def selected() -> Rows:
        for batch in rows:
            yield [row_values(row, clean) for row in batch if _kept(row, kinds)]

    writers: dict[EventFormat, Callable[[Rows, str | None], int]] = {
        EventFormat.table: _write_table,
        EventFormat.csv: partial(_write_csv, cell=printable if raw_csv else csv_cell),
        EventFormat.jsonl: _write_jsonl,
        EventFormat.parquet: _write_parquet,
    }
    return writers[output_format](selected(), output)


def _kept(row: Attributed, kinds: set[str]) -> bool:
    return not kinds or row.event.kind in kinds


def _text(value: Value) -> Value:
    """A value as text formats write it: times in ISO 8601."""
    return value.isoformat() if isinstance(value, datetime) else value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) gets a leading ``'`` (OWASP's advice against CSV
    injection); control characters show as ``\\xNN``."""
    return printable("'" + text if text.startswith(_FORMULA_START) else text)


def _write_csv(batches: Rows, output: str | None, cell: Callable[[str], str]) -> int:
    count = 0
    with text_output(output) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(NAMES)
        for batch in batches:
            writer.writerows([[cell(v) if isinstance(v, str) else v for v in map(_text, row)] for row in batch])
            count += len(batch)
    return count


def _write_jsonl(batches: Rows, output: str | None) -> int:
    count = 0
    with text_output(output) as handle:
        for batch in batches:
            handle.writelines(
                json.dumps(dict(zip(NAMES, map(_text, row), strict=True)), ensure_ascii=False) + "\n" for row in batch
            )
            count += len(batch)
    return count


_SHOWN = ("time", "path", "line", "kind", "attributed_account", "rule", "error_code", "message")


def _write_table(batches: Rows, output: str | None) -> int:
    from rich.console import Console  # noqa: PLC0415  (rich only for the terminal table)
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    positions = [NAMES.index(name) for name in _SHOWN]
    table = Table(*_SHOWN)
    count = 0
    for batch in batches:
        for row in batch:
            if count < TABLE_LIMIT:  # plain Text: a message's [brackets] are not rich markup
                table.add_row(*(Text("" if row[i] is None else printable(str(_text(row[i])))) for i in positions))
            count += 1
    with text_output(output) as handle:
        Console(file=handle, highlight=False, width=None if output is None else 200).print(table)
    if count > TABLE_LIMIT:
        Console(stderr=True).print(
            f"showing {TABLE_LIMIT} of {count:,} events; use --format csv or jsonl for all", markup=False
        )
    return count


def _write_parquet(batches: Rows, output: str | None) -> int:
    """A Parquet dataset in the directory ``output``, partitioned by host and family (hive style),
    one part per log file, readable by pandas, DuckDB and Spark; categories dictionary-encoded."""
    import pyarrow as pa  # noqa: PLC0415  (pyarrow loads only for Parquet output)
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert output is not None
    types = {
        "timestamp": pa.timestamp("us"),
        "string": pa.string(),
        "int64": pa.int64(),
        "dictionary": pa.dictionary(pa.int32(), pa.string()),
    }
    schema = pa.schema([(column.name, types[column.arrow]) for column in COLUMNS])
    count = 0
    with dataset_output(output) as (filesystem, root):
        for number, batch in enumerate(batches):
            if batch:
                columns = dict(zip(NAMES, map(list, zip(*batch, strict=True)), strict=True))
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
