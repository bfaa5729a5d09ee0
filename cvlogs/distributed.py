"""Running the per-file task on a Dask cluster (``--scheduler``): the same task, the same merge.

The unit of work is a file, never a part of one (a local scan splits a large file between its
processes, ``cvlogs.parsing.split``; a cluster has files enough to keep its workers busy):
``scan_source`` is sent to the cluster's workers and the results come back in the order of the
sources, so reports are identical whichever ran them.  Workers must be able to read the paths:
scan a shared file system (NFS, SMB, a mounted bucket) mounted at the same place on every worker.
Dask is an optional extra (``pip install 'cvlogs[dask]'``); a local scan never imports it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

from cvlogs.errors import CvlogsError, DependencyFailed
from cvlogs.intake import LogSource
from cvlogs.model import FileResult, SkippedSource
from cvlogs.parsing import Progress, scan_source


def scan_on_cluster(
    sources: list[LogSource], scheduler: str, keep_all: bool = False, progress: Progress | None = None
) -> Iterator[FileResult | SkippedSource]:
    """Each source's result, read on the Dask cluster at ``scheduler`` (``local`` starts one)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed  # noqa: PLC0415  (optional extra)
    except ImportError as error:
        raise CvlogsError("--scheduler needs Dask: pip install 'cvlogs[dask]'") from error
    try:
        with ExitStack() as stack:
            if scheduler == "local":
                workers = os.cpu_count() or 1
                cluster: Any = stack.enter_context(
                    LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
                )
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            futures = client.map(scan_source, sources, keep_all=keep_all, pure=False)
            if progress is not None:
                for done in as_completed(futures):
                    progress(done.result())
            results: list[FileResult | SkippedSource] = client.gather(futures)
    except CvlogsError:
        raise
    except Exception as error:  # Dask's own types: a bad address (ValueError), a dead scheduler, a lost worker
        text = str(error).splitlines()[0][:300] if str(error) else ""
        raise DependencyFailed(f"the Dask scheduler at {scheduler} failed: {type(error).__name__}: {text}") from None
    yield from results
