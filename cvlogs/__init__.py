"""cvlogs: why does cross-account STS AssumeRole fail on a Commvault access node?

The Python API for notebooks and scripts::

    import cvlogs
    frame = cvlogs.read_events(["/var/log/commvault/Log_Files"])
    frame[frame.kind == "error"].groupby("account_id").size()
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cvlogs.errors import CvlogsError
from cvlogs.model import Event, FileResult, ScanResult, SkippedSource
from cvlogs.parsing import scan_paths

if TYPE_CHECKING:  # pandas costs ~100 MB and a second to import: only the table needs it
    import pandas as pd

__version__ = "0.1.0"
"""The one place the version is written (pyproject.toml reads it from here)."""

__all__ = [
    "CvlogsError",
    "Event",
    "FileResult",
    "ScanResult",
    "SkippedSource",
    "__version__",
    "read_events",
    "scan_paths",
]


def read_events(paths: Iterable[str | os.PathLike[str]] | str, all_lines: bool = False) -> pd.DataFrame:
    """The events under ``paths`` (directories, log files, .gz/.bz2/.zip) as one pandas table.

    By default the table holds the credential events (connect, validate, error, unrecognized)
    and Amazon activity, of which a run of lines on one thread and job between two credential
    steps shows only its first and last; ``all_lines=True`` lists every record, the others with
    kind ``other``.
    """
    from cvlogs.table import events_frame  # noqa: PLC0415  (lazy: pandas is heavy, see above)

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return events_frame(scan_paths(paths, keep_all=all_lines).listed_events)
