"""The ``cvlogs`` command line: a thin typer shell over the library, one module per command.

Data goes to stdout or ``-o FILE``; progress and messages go to stderr.  Exit status: 0 when no
error-severity finding remains after filtering, 1 when one does, 2 for a usage or input error,
3 when a dependency or the machine failed (``cvlogs.errors``).
A new command is a module here that registers on ``cvlogs.cli.app.app``, imported below.

The command modules do without ``from __future__ import annotations``: typer reads every command's
signature three times as it builds the commands, and each annotation written as a string was
compiled and evaluated every time (from ``main`` to the first file read: 77 -> 29 million
instructions, measured).
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress

from cvlogs.cli import events, rules, scan, schema, timeline, watch
from cvlogs.cli.app import app
from cvlogs.errors import DependencyFailed, environment_failure

__all__ = ["app", "events", "main", "rules", "scan", "schema", "timeline", "watch"]


def main() -> None:
    """Console-script entry point."""
    # A scan makes tens of thousands of small acyclic objects (events and their fields), which
    # reference counting frees; a cyclic collection every 700 allocations cost about a sixth of
    # the report stage and a third of the main process's share of the scan (measured).
    gc.set_threshold(50_000, 20, 20)
    # numpy's OpenBLAS starts a thread per core when numpy is imported, and it spins for a while:
    # about 55 ms of CPU on the other core, which the worker then shares.  cvlogs does no linear
    # algebra; a value the user set is kept.  (Only the program: the library leaves it alone.)
    # In time: numpy comes with the scanner, imported when files are read (tests/test_cli.py).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # What each report is built from (the scan's events and their correlation) is handed to this
    # list and never freed: freeing those objects one by one as the report is returned cost
    # 20-35 ms of main-process CPU on the 1M-line bench corpora (measured), as the process ends.
    built_from: list[object] = []
    try:
        app(obj=built_from)
        status = 0
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
    # A scan leaves hundreds of thousands of small objects; freeing them one by one as the
    # interpreter shuts down took about 60 ms (measured) and serves no one.  Every file and
    # pool is closed by now (context managers), so only the output buffers need flushing.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # a closed pipe (cvlogs ... | head): nothing left to tell
    except OSError as error:  # a full disk under a redirected stdout: the data is incomplete
        with suppress(OSError):
            print(f"cvlogs: cannot write to standard output: {environment_failure(error)}", file=sys.stderr)
        status = DependencyFailed.exit_status
    with suppress(OSError):
        sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
