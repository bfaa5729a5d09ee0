"""Do the readers of a scan end together?  The work as cut (``split.pieces``) against every file
read whole, on existing directories: wall time, CPU and the gap between the readers' ends.

    python bench/balance.py /tmp/c15/s0.02 /tmp/c15/s0.125 /tmp/c15/s0.5 --runs 7
    python bench/balance.py DIR --jobs 3

Each run is ``cvlogs scan DIR --format json --jobs N`` in a fresh process; runs alternate between
the two ways of cutting so both see the same machine weather, and the two reports must be
byte-identical.  The *end gap* is the time between the first and the last reader finding no
piece left (each reader prints the moment, on the monotonic clock all processes share): what the
first reader to run out waits, doing nothing, before the report can start.  CPU is user +
system seconds of the process tree.  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare import compile_bytecode

# The scan, with the moment each reader first finds no piece left printed to stderr.
_SCAN = """
import os, sys, time
import cvlogs.parsing.readers as readers
import cvlogs.parsing.split as split
split.TAIL_BYTES = int(sys.argv[1])
take = readers._take
said = []
def _take(taken, count):
    position = take(taken, count)
    if position is None and not said:
        said.append(True)
        print("ran out", time.monotonic(), file=sys.stderr, flush=True)
    return position
readers._take = _take
from cvlogs.cli import main
sys.argv = ["cvlogs", *sys.argv[2:]]
main()
"""
_WHOLE = 1 << 62
"""A smallest part past any file: nothing is cut."""

Run = tuple[float, float, float]


def scan(path: Path, tail: int, jobs: int, report: Path) -> tuple[Run, bytes]:
    """Wall seconds, CPU seconds and the readers' end gap of one scan, and its report."""
    report.unlink(missing_ok=True)
    command = [sys.executable, "-c", _SCAN, str(tail), "scan", str(path), "--format", "json", "--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*command, "-o", str(report)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: cvlogs found an error-severity finding
        raise SystemExit(f"cvlogs failed ({done.returncode}): {done.stderr[-800:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    ends = [float(line.split()[-1]) for line in done.stderr.splitlines() if line.startswith("ran out ")]
    return (seconds, cpu, max(ends) - min(ends) if ends else 0.0), report.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    from cvlogs.parsing import split  # noqa: PLC0415  (the figure shipped, read in this process)

    compile_bytecode()
    ways = {"cut": split.TAIL_BYTES, "whole": _WHOLE}
    runs: dict[tuple[Path, str], list[Run]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch, "report.json")
        for turn in range(args.runs):
            for path in args.dirs:
                reports = []
                for way in list(ways) if turn % 2 == 0 else list(ways)[::-1]:
                    measured, text = scan(path, ways[way], args.jobs, report)
                    runs.setdefault((path, way), []).append(measured)
                    reports.append(text)
                if reports[0] != reports[1]:
                    raise SystemExit(f"{path}: the reports differ cut and whole")
    print(f"\n{args.runs} alternating runs, --jobs {args.jobs}, {os.cpu_count()} CPUs; medians (runs);")
    print("the reports are identical:\n")
    print("| directory | work | wall | CPU s | end gap |")
    print("|---|---|---|---|---|")
    for (path, way), series in runs.items():
        cells = []
        for field in range(3):
            values = [run[field] for run in series]
            cells.append(f"{statistics.median(values):.2f} s ({', '.join(f'{v:.2f}' for v in values)})")
        print(f"| {path.name} | {way} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
