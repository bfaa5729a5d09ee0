"""cvlogs against lnav on the same generated directories: wall time, peak memory, one table.

    python bench/compare.py                       # 1,000,000 lines, Amazon shares 0.02, 0.125, 0.5
    python bench/compare.py --lines 5000000 --runs 3
    python bench/compare.py --shares 0.125        # one corpus
    python bench/compare.py --baseline ../old/.venv/bin/python   # and another checkout's cvlogs

One corpus per Amazon share (``bench/generate.py --amazon-share``: the share of noise lines that
are Amazon-class activity).  It times ``cvlogs scan DIR --format json`` (the whole job: parse,
correlate, diagnose, report) and, when lnav is installed (Debian package ``lnav``), ``lnav -n -c
';SELECT count(*) ...' DIR`` with the format file ``bench/commvault_log.json`` installed into a
private lnav home.  Runs alternate (cvlogs, lnav, over every share in turn) so that both tools
see the same machine weather; the table gives medians and every run.  CPU seconds (user +
system, of the process tree) are printed too: on a shared machine they move less than wall time.
Peak RSS includes child processes (cvlogs' worker processes).  With ``--baseline PYTHON`` (the
interpreter of another checkout, with cvlogs installed in it) that cvlogs runs in turn too, and
the table compares both with lnav: how a change moved the figures, measured in the same weather.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent


def timed(command: list[str], where: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB, the largest process of the command) of one run,
    in the folder ``where``: ``python -m`` imports from the working folder first, so a baseline's
    interpreter run in this checkout would time this checkout's cvlogs."""
    wrapper = [sys.executable, "-c", _MEASURE, *command]
    start = time.perf_counter()
    result = subprocess.run(wrapper, capture_output=True, text=True, env=env, cwd=where, check=False)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):  # 1: cvlogs found an error-severity finding
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-800:]}")
    cpu, rss = result.stdout.strip().splitlines()[-1].split()
    return seconds, float(cpu), float(rss)


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
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
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
    parser.add_argument("--shares", default="0.02,0.125,0.5", help="Amazon shares, comma-separated")
    parser.add_argument("--baseline", metavar="PYTHON", help="another checkout's interpreter: its cvlogs runs too")
    parser.add_argument("--compile-only", action="store_true", help=argparse.SUPPRESS)  # the baseline's bytecode
    args = parser.parse_args()
    if args.compile_only:
        compile_bytecode()
        return
    shares = [float(share) for share in args.shares.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        corpora = {share: Path(scratch, f"share-{share}", "Log_Files") for share in shares}
        for share, corpus in corpora.items():
            files = generate(corpus, args.lines, amazon_share=share)
            size = sum(f.stat().st_size for f in files) / 1e6
            print(f"Amazon share {share}: {len(files)} files, {args.lines:,} lines, {size:.1f} MB")
        compile_bytecode()
        if args.baseline:  # this script under the baseline's interpreter compiles the baseline's cvlogs
            subprocess.run([args.baseline, __file__, "--compile-only"], check=True)
        load = os.getloadavg()[0]
        ours, theirs, before = _measure(args, corpora, Path(scratch))
    weather = f"load average {load:.2f} before the runs, {os.getloadavg()[0]:.2f} after"  # other work skews wall times
    print(f"\n{args.lines:,} lines, {os.cpu_count()} CPUs, {args.runs} alternating runs, {weather};\n"
          "median wall time (runs); CPU seconds (median) and peak RSS as cvlogs / lnav:\n")  # fmt: skip
    print("| Amazon share | cvlogs scan --format json | lnav (format + count) | ratio | CPU s | peak RSS |")
    print("|---|---|---|---|---|---|")
    for share in shares:
        mine, other = ours[share], theirs[share]
        if other:
            ratio = f"{_median(mine, 0) / _median(other, 0):.2f}"
            cpu = f"{_median(mine, 1):.2f} / {_median(other, 1):.2f}"
            rss = f"{max(r[2] for r in mine):.0f} / {max(r[2] for r in other):.0f} MB"
            print(f"| {share} | {_cell(mine)} | {_cell(other)} | {ratio} | {cpu} | {rss} |")
        else:
            print(f"| {share} | {_cell(mine)} | - | - | {_median(mine, 1):.2f} | {max(r[2] for r in mine):.0f} MB |")
    if not any(theirs.values()):
        print("lnav is not installed (apt-get install lnav): no comparison")
    elif args.baseline:
        print(f"\nThe baseline ({args.baseline}) in the same runs:\n")
        print("| Amazon share | baseline | ratio to lnav | this checkout / baseline | CPU s (baseline) |")
        print("|---|---|---|---|---|")
        for share in shares:
            old, mine, other = before[share], ours[share], theirs[share]
            against_lnav = _median(old, 0) / _median(other, 0)
            change = _median(mine, 0) / _median(old, 0)
            print(f"| {share} | {_cell(old)} | {against_lnav:.2f} | {change:.2f} | {_median(old, 1):.2f} |")


def _measure(args: argparse.Namespace, corpora: dict[float, Path], scratch: Path) -> tuple[Runs, Runs, Runs]:
    """The runs of this checkout's cvlogs, lnav's and the baseline's, each in turn on every corpus."""
    ours: Runs = {share: [] for share in corpora}
    theirs: Runs = {share: [] for share in corpora}
    before: Runs = {share: [] for share in corpora}
    report_path = scratch / "report.json"
    env = lnav_home(scratch)
    for _ in range(args.runs):
        for share, corpus in corpora.items():
            for python, runs in [(sys.executable, ours[share]), (args.baseline, before[share])]:
                if python is None:
                    continue
                report_path.unlink(missing_ok=True)
                command = [python, "-m", "cvlogs.cli", "scan", str(corpus), "--format", "json"]
                runs.append(timed([*command, "--jobs", str(args.jobs), "-o", str(report_path)], scratch))
                checked_report(report_path, args.lines)
            if env is not None:
                lnav = ["lnav", "-n", "-c", ";SELECT count(*) FROM commvault_log", str(corpus)]
                theirs[share].append(timed(lnav, scratch, env))
    return ours, theirs, before


Run = tuple[float, float, float]
"""Wall seconds, CPU seconds, peak RSS in MB."""
Runs = dict[float, list[Run]]
"""The runs of one tool, per Amazon share."""


def _median(runs: list[Run], field: int) -> float:
    return statistics.median(run[field] for run in runs)


def _cell(runs: list[Run]) -> str:
    return f"{_median(runs, 0):.2f} s ({', '.join(f'{run[0]:.2f}' for run in runs)})"


if __name__ == "__main__":
    main()
