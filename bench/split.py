"""Reading one large file in parts by two processes against reading it whole: wall time, one table.

    python bench/split.py                          # one file of 5,000,000 lines, and the 10-file corpus
    python bench/split.py --lines 1000000 --runs 5
    python bench/split.py --sizes 8,16,32,64,128   # single files of these MB, cut whatever their size:
                                                   # where a split starts to pay

The single file is ``bench/generate.py``'s corpus concatenated into one vsbkp.log (a bundle with
one multi-gigabyte log is the case splitting is for); the directory is the corpus as generated.
Each run is ``cvlogs scan PATH --format json --jobs N`` in a fresh process, with splitting as
shipped (``split.TAIL_BYTES``, ``split.LONE_FILE_BYTES``) or switched off (both set past any
file); runs alternate so both see the same machine weather, and the two reports must be
byte-identical.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from compare import checked_report, compile_bytecode, timed
from generate import generate

_SCAN = (
    "import sys, cvlogs.parsing.split as split; split.TAIL_BYTES, split.LONE_FILE_BYTES = map(int, sys.argv[1:3]); "
    "from cvlogs.cli import main; sys.argv = ['cvlogs', *sys.argv[3:]]; main()"
)
_NEVER = 1 << 62


def scan(path: Path, cut: tuple[int, int], jobs: int, report: Path) -> tuple[float, float, bytes]:
    """Wall and CPU seconds of one scan, ``cut`` the smallest part and lone file, and its report."""
    report.unlink(missing_ok=True)
    command = [sys.executable, "-c", _SCAN, *map(str, cut), "scan", str(path), "--format", "json"]
    seconds, cpu, _ = timed([*command, "--jobs", str(jobs), "-o", str(report)], report.parent)
    return seconds, cpu, report.read_bytes()


def single_file(corpus: Path, target: Path, size: int | None = None) -> Path:
    """The corpus's files one after the other as one vsbkp.log (the first ``size`` bytes, cut at a line)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for file in sorted(corpus.iterdir()):
            with file.open("rb") as handle:
                shutil.copyfileobj(handle, out)
    if size is not None:
        with target.open("r+b") as handle:
            handle.seek(size)
            rest = handle.read(1 << 16)
            handle.truncate(size + rest.index(b"\n") + 1)
    return target


def lines_of(path: Path) -> int:
    files = [path] if path.is_file() else list(path.iterdir())
    total = 0
    for file in files:
        with file.open("rb") as handle:
            while block := handle.read(1 << 24):
                total += block.count(b"\n")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sizes", help="single files of these sizes in MB, comma-separated, instead")
    args = parser.parse_args()
    from cvlogs.parsing import split  # noqa: PLC0415  (the figure shipped, read in this process)

    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch, "corpus")
        generate(corpus, args.lines)
        targets: dict[str, Path] = {}
        if args.sizes:
            for size in args.sizes.split(","):
                megabytes = int(size)
                targets[f"one file, {megabytes} MB"] = single_file(
                    corpus, Path(scratch, f"one-{megabytes}", "vsbkp.log"), megabytes << 20
                )
        else:
            file = single_file(corpus, Path(scratch, "one", "vsbkp.log"))
            targets[f"one file, {args.lines:,} lines, {file.stat().st_size / 1e6:.0f} MB"] = file.parent
            targets[f"the corpus, {len(list(corpus.iterdir()))} files"] = corpus
        compile_bytecode()
        report = Path(scratch, "report.json")
        counts = {name: lines_of(path) for name, path in targets.items()}
        times: dict[tuple[str, bool], list[tuple[float, float]]] = {}
        for _ in range(args.runs):
            for name, path in targets.items():
                reports = []
                for splitting in (True, False):
                    # with --sizes, a file alone is cut whatever its size
                    shipped = (split.TAIL_BYTES, 0 if args.sizes else split.LONE_FILE_BYTES)
                    seconds, cpu, text = scan(path, shipped if splitting else (_NEVER, _NEVER), args.jobs, report)
                    checked_report(report, counts[name])
                    times.setdefault((name, splitting), []).append((seconds, cpu))
                    reports.append(text)
                if reports[0] != reports[1]:
                    raise SystemExit(f"{name}: the reports differ with and without splitting")
    least = f"{split.TAIL_BYTES >> 20} MB"
    print(f"\n{args.runs} alternating runs, --jobs {args.jobs}, {os.cpu_count()} CPUs, the last parts of {least};\n"
          "median wall time (runs), median CPU seconds; the reports are identical:\n")  # fmt: skip
    print("| corpus | split | whole | ratio | CPU s split / whole |")
    print("|---|---|---|---|---|")
    for name in targets:
        parts, whole = times[name, True], times[name, False]
        a, b = statistics.median(s for s, _ in parts), statistics.median(s for s, _ in whole)
        shown = [", ".join(f"{s:.2f}" for s, _ in runs) for runs in (parts, whole)]
        cpus = " / ".join(f"{statistics.median(c for _, c in runs):.1f}" for runs in (parts, whole))
        print(f"| {name} | {a:.2f} s ({shown[0]}) | {b:.2f} s ({shown[1]}) | {a / b:.2f} | {cpus} |")


if __name__ == "__main__":
    main()
