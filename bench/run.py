"""Benchmark the parse stage on a generated access-node directory: lines per second and peak memory.

    python bench/run.py                     # 1,000,000 lines, 5 runs
    python bench/run.py --lines 5000000 --runs 3

Each run is a fresh process, so its peak RSS is its own.  Figures are printed, never asserted:
machines are shared and noisy, so compare figures of one run with each other, not with a target.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from generate import generate

_CHILD = """
import json, resource, sys, time
from cvlogs.parsing import scan_paths
import cvlogs.parsing.scanner  # imported lazily by scan_paths: keep the import out of the timing
start = time.perf_counter()
result = scan_paths([sys.argv[1]])
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "lines": sum(f.lines for f in result.files),
    "events": len(result.events),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def measure(corpus: Path) -> dict[str, float]:
    """One parse of ``corpus`` in a fresh interpreter."""
    output = subprocess.run(
        [sys.executable, "-c", _CHILD, str(corpus)], check=True, capture_output=True, text=True
    ).stdout
    figures: dict[str, float] = json.loads(output)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="an existing directory (default: generate one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = args.corpus or Path(scratch, "Log_Files")
        if args.corpus is None:
            files = generate(corpus, args.lines)
            size = sum(f.stat().st_size for f in files) / 1e6
            print(f"corpus: {len(files)} files, {args.lines:,} lines, {size:.1f} MB (bench/generate.py)")
        runs = [measure(corpus) for _ in range(args.runs)]
    seconds = statistics.median(r["seconds"] for r in runs)
    lines = runs[0]["lines"]
    print(f"parse stage, one process, median of {args.runs} runs:")
    each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"  wall time     {seconds:8.2f} s   (runs: {each})")
    print(f"  lines/second  {lines / seconds:12,.0f}")
    print(f"  events kept   {int(runs[0]['events']):12,}")
    print(f"  peak RSS      {max(r['peak_rss_mb'] for r in runs):8.0f} MB")
    print(f"  (this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
