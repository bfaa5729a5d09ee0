"""cvlogs: why does cross-account STS AssumeRole fail on a Commvault access node?

The Python API for notebooks and scripts::

    import cvlogs
    report = cvlogs.scan("/var/log/commvault/Log_Files")          # what ``cvlogs scan`` reports
    frame = cvlogs.read_events("/var/log/commvault/Log_Files")    # one row per credential event
    frame[frame.kind == "error"].groupby("attributed_account").size()
"""

from __future__ import annotations

from cvlogs import compiled

compiled.seed()  # first: the patterns stored with the package, before any module compiles them

import dataclasses
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cvlogs.errors import CvlogsError
from cvlogs.model import Event, FileResult, ScanResult, SkippedSource
from cvlogs.parsing import scan_paths
from cvlogs.pipeline import DEFAULT as DEFAULT_OPTIONS
from cvlogs.pipeline import ScanOptions, events, scan
from cvlogs.version import __version__

if TYPE_CHECKING:  # pandas costs ~100 MB and a second to import: only the table needs it
    import pandas as pd


__all__ = [
    "CvlogsError",
    "Event",
    "FileResult",
    "ScanOptions",
    "ScanResult",
    "SkippedSource",
    "__version__",
    "read_events",
    "scan",
    "scan_paths",
]


def read_events(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    all_lines: bool = False,
    options: ScanOptions = DEFAULT_OPTIONS,
) -> pd.DataFrame:
    """The events under ``paths`` as one pandas table, with the diagnosis joined to each row.

    By default the table holds the credential events (connect, validate, error, unrecognized)
    and Amazon activity, of which a run of lines on one thread and job between two credential
    steps shows only its first and last; ``all_lines=True`` lists every record, the others with
    kind ``other``.  Each row carries the account its sequence speaks of
    (``attributed_account``), the sequence's id and the rule it is evidence of, as
    ``cvlogs scan`` with the same ``options`` reports them.
    """
    from cvlogs.redact import redact  # noqa: PLC0415  (``cvlogs.redact`` stays the module's name)
    from cvlogs.table import events_frame  # noqa: PLC0415  (lazy: pandas is heavy, see above)

    report, rows = events(paths, dataclasses.replace(options, keep_all=all_lines or options.keep_all))
    return events_frame(rows, redact if report.redacted else str)
