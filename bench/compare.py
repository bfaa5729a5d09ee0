"""cvlogs against lnav on the same generated directory: wall time, lines per second, peak memory.

    python bench/compare.py                       # 1,000,000 lines, 5 alternating runs each
    python bench/compare.py --lines 5000000 --runs 3

It times ``cvlogs scan DIR --format json`` (the whole job: parse, correlate, diagnose, report)
and, when lnav is installed (Debian package ``lnav``), ``lnav -n -c ';SELECT count(*) ...' DIR``
with the format file ``bench/commvault_log.json`` installed into a private lnav home.  Runs
alternate (cvlogs, lnav, cvlogs, ...) so that both see the same machine weather; the median is
reported.  Peak RSS includes child processes (cvlogs' worker processes).  Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, the largest process of the command) of one run."""
    wrapper = [sys.executable, "-c", _MEASURE, *command]
    start = time.perf_counter()
    result = subprocess.run(wrapper, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):  # 1: cvlogs found an error-severity finding
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-800:]}")
    return seconds, float(result.stdout.strip().splitlines()[-1])


def checked_report(path: Path, lines: int) -> None:
    """Refuse a timing whose report is missing or did not read every line (a crash also exits 1)."""
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))["summary"]
    except (OSError, ValueError, KeyError) as error:
        raise SystemExit(f"cvlogs wrote no report to {path}: {error}") from None
    if summary["lines"] != lines:
        raise SystemExit(f"cvlogs read {summary['lines']:,} lines, not {lines:,}")


def compile_bytecode() -> None:
    """Compile cvlogs to bytecode first, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE set
    (CI images often set it) an editable checkout would otherwise be compiled on every run."""
    import cvlogs.grammars  # noqa: PLC0415  (the grammars live outside the cvlogs folder)

    for package in (cvlogs, cvlogs.grammars):
        compileall.compile_dir(Path(package.__file__ or "").parent, quiet=1)


# Runs the command and prints the peak RSS of its process tree's largest member (RUSAGE_CHILDREN
# reports the maximum over waited-for descendants, which is what a user's machine must hold).
_MEASURE = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
sys.exit(code)
"""


def lnav_home(scratch: Path) -> dict[str, str] | None:
    """A private HOME with the commvault_log format installed, or None without lnav."""
    lnav = shutil.which("lnav")
    if lnav is None:
        return None
    env = {**os.environ, "HOME": str(scratch / "lnav-home")}
    Path(env["HOME"]).mkdir()
    subprocess.run([lnav, "-i", str(HERE / "commvault_log.json")], env=env, check=True, capture_output=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch, "Log_Files")
        files = generate(corpus, args.lines)
        size = sum(f.stat().st_size for f in files) / 1e6
        print(f"corpus: {len(files)} files, {args.lines:,} lines, {size:.1f} MB; {os.cpu_count()} CPUs")
        report_path = Path(scratch, "report.json")
        cvlogs = [sys.executable, "-m", "cvlogs.cli", "scan", str(corpus), "--format", "json", "--jobs", str(args.jobs)]
        cvlogs += ["-o", str(report_path)]
        compile_bytecode()
        env = lnav_home(Path(scratch))
        lnav = ["lnav", "-n", "-c", ";SELECT count(*) FROM commvault_log", str(corpus)]
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(args.runs):
            report_path.unlink(missing_ok=True)
            ours.append(timed(cvlogs))
            checked_report(report_path, args.lines)
            if env is not None:
                theirs.append(timed(lnav, env))
    report("cvlogs scan --format json", ours, args.lines)
    if theirs:
        report("lnav index + count(*)", theirs, args.lines)
        ratio = statistics.median(s for s, _ in ours) / statistics.median(s for s, _ in theirs)
        print(f"ratio cvlogs / lnav wall time: {ratio:.2f}")
    else:
        print("lnav is not installed (apt-get install lnav): no comparison")
    print(f"(runner peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


def report(name: str, runs: list[tuple[float, float]], lines: int) -> None:
    seconds = statistics.median(s for s, _ in runs)
    each = ", ".join(f"{s:.2f}" for s, _ in runs)
    print(f"{name}: median {seconds:.2f} s ({each}); {lines / seconds:,.0f} lines/s; "
          f"peak RSS {max(m for _, m in runs):.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
