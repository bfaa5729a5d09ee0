"""Instructions executed to read one log file, by this checkout's cvlogs and another's (valgrind).

    python bench/instructions.py FILE                                  # this checkout
    python bench/instructions.py FILE --baseline ../old/.venv/bin/python

On a shared machine wall and CPU seconds move by a factor of two between hours and by a third
between runs of one minute; the number of instructions a process executes does not move at all.
It is counted by valgrind's cachegrind (``apt-get install valgrind``; about fifty times slower
than a plain run, so one file of a bench corpus rather than a corpus), for a run that reads FILE
with ``scan_source`` in one process and for one that only imports the scanner: the difference is
the reading.  Instructions are not time (numpy's passes over memory cost more per instruction than
the interpreter's loop does), but two versions of the code compared on the same file show which
does less work, whatever the weather.  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

_RUN = """
import gc, sys
gc.set_threshold(50_000, 20, 20)  # as the command line sets it
from cvlogs.intake import discover
from cvlogs.parsing.scanner import scan_source
source = discover([sys.argv[1]])[0][0]
if sys.argv[2] == "read":
    scan_source(source)
"""


def instructions(python: str, path: str, what: str) -> int:
    """Instructions of one run of ``_RUN`` under cachegrind."""
    return instructions_of([python, "-c", _RUN, os.path.abspath(path), what])


def instructions_of(run: list[str], environment: Mapping[str, str] | None = None) -> int:
    """Instructions (``I refs``) executed by the process that ``run`` starts, counted by valgrind's
    cachegrind, in an empty folder: ``python -c`` imports from the working folder first (this
    checkout's cvlogs, say).  Processes it forks are followed but not counted."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += ["--trace-children=yes", *run]
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=empty, check=True)
    started = re.search(r"==(\d+)==", done.stderr)  # the process valgrind started names itself first
    found = started and re.search(rf"=={started.group(1)}== I\s+refs:\s+([\d,]+)", done.stderr)
    if not found:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-800:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a log file (one file of a bench/generate.py corpus, say)")
    parser.add_argument("--baseline", metavar="PYTHON", help="another checkout's interpreter, cvlogs installed")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    pythons = {"this checkout": sys.executable} | ({"baseline": args.baseline} if args.baseline else {})
    runs = [(name, what) for name in pythons for what in ("import", "read")]
    with ThreadPoolExecutor() as pool:  # the counts do not depend on what else runs
        counted = pool.map(lambda run: instructions(pythons[run[0]], args.file, run[1]), runs)
        counts = dict(zip(runs, counted, strict=True))
    print(f"{args.file}: instructions (millions) to import the scanner, and to read the file besides\n")
    print("| cvlogs | import | read |")
    print("|---|---|---|")
    for name in pythons:
        imported, read = counts[name, "import"], counts[name, "read"] - counts[name, "import"]
        print(f"| {name} | {imported / 1e6:,.0f} | {read / 1e6:,.0f} |")
    if args.baseline:
        mine, old = (counts[name, "read"] - counts[name, "import"] for name in pythons)
        print(f"\nreading: this checkout / baseline = {mine / old:.3f}")


if __name__ == "__main__":
    main()
