"""The events table: explicit columns and dtypes, one row per event."""

from __future__ import annotations

from pathlib import Path

import cvlogs
from cvlogs.table import COLUMNS


def test_read_events_builds_the_documented_table(samples: Path) -> None:
    """``cvlogs.read_events`` returns exactly the documented columns, typed, one row per event."""
    frame = cvlogs.read_events(samples)
    assert list(frame.columns) == list(COLUMNS)
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        name: ("string" if dtype == "string[pyarrow]" else dtype) for name, dtype in COLUMNS.items()
    }
    assert len(frame) == len(cvlogs.scan_paths([samples]).listed_events)
    tenant = frame[(frame.account_id == "444455556666") & (frame.kind == "validate")]
    assert len(tenant) == 4  # three on accessnode1, one on accessnode2 (the banner file)


def test_all_lines_adds_every_other_record(samples: Path) -> None:
    """``all_lines=True`` adds the records no grammar cares about, as kind 'other'."""
    relevant = cvlogs.read_events(samples)
    everything = cvlogs.read_events(samples, all_lines=True)
    assert len(everything) > len(relevant)
    assert set(everything.kind.unique()) >= {"other", "connect", "validate", "error"}
