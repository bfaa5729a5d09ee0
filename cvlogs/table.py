"""The one place where events become a pandas table, column by column, with explicit dtypes."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from cvlogs.model import COLUMNS, Event


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """A DataFrame with one row per event and exactly the columns of ``COLUMNS``."""
    data: dict[str, list[object]] = {name: [] for name in COLUMNS}
    for event in events:
        data["time"].append(event.time)
        data["host"].append(event.host)
        data["path"].append(event.location.path)
        data["line"].append(event.location.line)
        data["family"].append(event.family)
        data["pid"].append(event.pid)
        data["tid"].append(event.tid)
        data["job"].append(event.job)
        data["function"].append(event.function)
        data["kind"].append(event.kind)
        data["account_id"].append(event.account_id)
        data["role_arn"].append(event.role_arn)
        data["error_code"].append(None if event.error is None else event.error.code)
        data["message"].append(event.message)
    return pd.DataFrame({name: pd.Series(values, dtype=COLUMNS[name]) for name, values in data.items()})
