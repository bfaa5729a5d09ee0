"""Soak ``cvlogs watch``: write a million lines through it and print what it cost.

The bench corpus (``generate.py``) is written into a watched folder the way an access node writes
it: appended in blocks to the current logs, each rolled file's lines renamed away to its rolled
name when they are done, then a new current file.  A ``cvlogs watch --format jsonl`` process
follows the folder; this script samples its resident memory while it works, then measures its
CPU time while the folder is quiet, stops it with Ctrl-C (SIGINT) and checks that it read every
line.  It prints figures; it asserts nothing (the budget is RSS < 150 MB and no CPU while quiet).

    python bench/watch_soak.py --lines 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402  (the bench folder is not a package)

_ROLLED = re.compile(r"^(?P<family>[a-z]+)_\d{4}(?:_\d{2}){5}\.log$")
_BLOCK = 256 * 1024


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith(field + ":"):
            return int(row.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _write(corpus: list[Path], folder: Path, pause: float) -> int:
    """Write every corpus file into ``folder``: rolled ones are renamed away when complete."""
    lines = 0
    for source in corpus:
        rolled = _ROLLED.match(source.name)
        current = folder / (f"{rolled['family']}.log" if rolled else source.name)
        with source.open("rb") as raw, current.open("ab") as out:
            while block := raw.read(_BLOCK):
                out.write(block)
                out.flush()
                lines += block.count(b"\n")
                if pause:
                    time.sleep(pause)
        if rolled:
            current.rename(folder / source.name)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--quiet", type=float, default=10.0, help="seconds of quiet over which CPU is measured")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between blocks written")
    parser.add_argument("--poll", action="store_true", help="watch with the polling observer")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        corpus = generate(root / "corpus", args.lines)
        # Rolled files first (oldest first), then the current ones: the order they were written in.
        corpus.sort(key=lambda p: (_ROLLED.match(p.name) is None, p.name))
        folder = root / "Log_Files"
        folder.mkdir()
        for family in ("cvd", "vsbkp", "vsdiscovery", "vsrst"):
            (folder / f"{family}.log").write_bytes(b"")
        out = (root / "watch.jsonl").open("w")
        command = [sys.executable, "-m", "cvlogs.cli", "watch", str(folder), "--format", "jsonl"]
        watcher = subprocess.Popen([*command, "--host-name", "bench", *(["--poll"] if args.poll else [])], stdout=out)
        time.sleep(2.0)  # started and following
        peak = 0
        sampling = True

        def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, _rss_kb(watcher.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        written = _write(corpus, folder, args.pause)
        wrote = time.monotonic() - started
        size = (root / "watch.jsonl").stat().st_size
        while True:  # caught up: the output stops growing
            time.sleep(1.0)
            grown = (root / "watch.jsonl").stat().st_size
            if grown == size:
                break
            size = grown
        caught_up = time.monotonic() - started - 1.0
        before = _cpu_seconds(watcher.pid)
        time.sleep(args.quiet)
        quiet_cpu = _cpu_seconds(watcher.pid) - before
        rss_end = _rss_kb(watcher.pid)
        hwm = _rss_kb(watcher.pid, "VmHWM")
        sampling = False
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=120)
        out.close()
        objects = [json.loads(line) for line in (root / "watch.jsonl").read_text().splitlines()]
    summary = next(o for o in objects if o["type"] == "summary")
    kinds = {kind: sum(1 for o in objects if o["type"] == kind) for kind in ("step", "finding", "file")}
    print(f"lines written {written:,} in {wrote:.1f} s; watch read {summary['lines']:,} (exit {watcher.returncode})")
    print(f"caught up after {caught_up:.1f} s: {summary['lines'] / caught_up:,.0f} lines/s")
    print(f"steps {kinds['step']:,}, findings {kinds['finding']:,}, file notices {kinds['file']:,}")
    print(f"RSS: peak sampled {peak / 1024:.0f} MB, high-water mark {hwm / 1024:.0f} MB, at the end {rss_end / 1024:.0f} MB")
    print(f"CPU while quiet: {quiet_cpu:.2f} s over {args.quiet:.0f} s ({100 * quiet_cpu / args.quiet:.1f} %)")


if __name__ == "__main__":
    main()
