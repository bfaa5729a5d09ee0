"""The events table: explicit columns and dtypes, one row per event."""

from __future__ import annotations

import socket
from pathlib import Path

import cvlogs
from cvlogs.columns import DTYPES, NAMES


def test_read_events_builds_the_documented_table(samples: Path) -> None:
    """``cvlogs.read_events`` returns exactly the documented columns, typed, one row per event."""
    frame = cvlogs.read_events(samples)
    assert list(frame.columns) == list(NAMES)
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        name: ("string" if dtype == "string[pyarrow]" else dtype) for name, dtype in DTYPES.items()
    }
    assert len(frame) == len(cvlogs.scan_paths([samples]).listed_events)
    tenant = frame[(frame.account_id == "444455556666") & (frame.kind == "validate")]
    assert len(tenant) == 4  # three on accessnode1, one on accessnode2 (the banner file)
    assert frame.host.notna().all()
    assert socket.gethostname() in set(frame.host)  # plain files belong to this machine, as on the command line


def test_every_error_carries_its_account_sequence_and_rule(samples: Path) -> None:
    """Correlation gives each error the account of its sequence; every error is evidence of a rule."""
    frame = cvlogs.read_events(samples)
    errors = frame[frame.kind == "error"]
    assert errors.account_id.isna().sum() > 0  # some errors name no account themselves
    assert errors.rule.notna().all()
    in_sequences = errors[errors.sequence.notna()]
    assert in_sequences.attributed_account.notna().all()
    steps = frame[frame.sequence.notna()]
    assert (steps.groupby("sequence").attributed_account.nunique(dropna=False) == 1).all()


def test_all_lines_adds_every_other_record(samples: Path) -> None:
    """``all_lines=True`` adds the records no grammar cares about, as kind 'other'."""
    relevant = cvlogs.read_events(samples)
    everything = cvlogs.read_events(samples, all_lines=True)
    assert len(everything) > len(relevant)
    assert set(everything.kind.unique()) >= {"other", "connect", "validate", "error"}
