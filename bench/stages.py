"""CPU seconds of what a scan does besides reading: the report stage and moving results between processes.

    python bench/stages.py DIR               # 5 runs
    python bench/stages.py DIR --runs 9

DIR is read once, in this process (``bench/generate.py`` makes one); the scan is pickled to a
temporary file, and each run is a fresh process that loads it and measures, with the garbage
collector set as the command line sets it:

- ``report``: ``report_of`` as ``cvlogs scan --format json`` calls it, then the JSON document
  written to memory (the serial part after reading, in the main process);
- ``dumps`` / ``loads``: pickling each file's result as a worker hands it back, and unpickling it
  as the main process does (``FileResult.__reduce__``).

CPU seconds (``time.process_time``) move less than wall time on a shared machine; the table gives
medians and every run.  To compare two versions of the code, run this script from each in turn,
several times.  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import io
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # a run: the pickled scan to measure
    args = parser.parse_args()
    if args.measure:
        print(" ".join(f"{name} {seconds:.4f}" for name, seconds in measure(Path(args.measure)).items()))
        return
    if not args.directory:
        parser.error("DIR is required")
    from cvlogs.pipeline import ScanOptions, read  # noqa: PLC0415  (runs import it themselves)

    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder, "scan.pickle")
        saved.write_bytes(pickle.dumps(read(args.directory, ScanOptions(jobs=1)), pickle.HIGHEST_PROTOCOL))
        runs: dict[str, list[float]] = {}
        for _ in range(args.runs):
            command = [sys.executable, __file__, "--measure", str(saved)]
            line = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
            for name, figure in zip(line[::2], line[1::2], strict=True):
                runs.setdefault(name, []).append(float(figure))
    for name, seconds in runs.items():
        every = " ".join(f"{s:.3f}" for s in seconds)
        print(f"{name:8} median {statistics.median(seconds):.3f} s CPU   runs: {every}")


def measure(saved: Path) -> dict[str, float]:
    from cvlogs.render import Format, RenderOptions, write  # noqa: PLC0415
    from cvlogs.report import report_of  # noqa: PLC0415

    scan = pickle.loads(saved.read_bytes())
    gc.set_threshold(50_000, 20, 20)  # as ``cvlogs.cli.main`` sets it
    dumps = loads = 0.0
    for result in scan.files:
        start = time.process_time()
        data = pickle.dumps((0, result), pickle.HIGHEST_PROTOCOL)
        middle = time.process_time()
        pickle.loads(data)
        dumps, loads = dumps + middle - start, loads + time.process_time() - middle
    start = time.process_time()
    # What ``scan --format json`` asks for; like the command, it keeps what the report was built
    # from (the command never frees it) until the figures are taken.
    kept: list[object] = []
    report = report_of(scan, with_timeline=False, with_steps=False, kept=kept)
    write(report, Format.json, io.StringIO(), RenderOptions())
    return {"report": time.process_time() - start, "dumps": dumps, "loads": loads}


if __name__ == "__main__":
    main()
