"""The events table as pandas: the columns of ``cvlogs.columns``, with their declared dtypes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from cvlogs.columns import COLUMNS, Attributed, row_values


def events_frame(batches: Iterable[list[Attributed]], clean: Callable[[str], str] = str) -> pd.DataFrame:
    """A DataFrame with one row per attributed event and exactly the declared columns."""
    data: list[list[object]] = [[] for _ in COLUMNS]
    for batch in batches:
        for row in batch:
            for values, value in zip(data, row_values(row, clean), strict=True):
                values.append(value)
    return pd.DataFrame(
        {column.name: pd.Series(values, dtype=column.pandas) for column, values in zip(COLUMNS, data, strict=True)}
    )
