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
from generate import generate

_ROLLED = re.compile(r"^(?P<family>[a-z]+)_\d{4}(?:_\d{2}){5}\.log$")


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith(field + ":"):
            return int(row.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _write(corpus: list[Path], folder: Path, pause: float, size: int) -> int:
    """Write every corpus file into ``folder``: rolled ones are renamed away when complete."""
    lines = 0
    for source in corpus:
        rolled = _ROLLED.match(source.name)
        current = folder / (f"{rolled['family']}.log" if rolled else source.name)
        with source.open("rb") as raw, current.open("ab") as out:
            while block := raw.read(size):
                out.write(block)
                out.flush()
                lines += block.count(b"\n")
                if pause:
                    time.sleep(pause)
        if rolled:
            current.rename(folder / source.name)
    return lines


def _sampler(pid: int) -> tuple[threading.Event, list[int]]:
    """Sample the RSS of ``pid`` every 0.1 s until the event is set; the peak is ``peak[0]``."""
    stop, peak = threading.Event(), [0]

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_kb(pid))
            stop.wait(0.1)

    threading.Thread(target=sample, daemon=True).start()
    return stop, peak


def _caught_up(output: Path) -> None:
    """Wait until the watch's output stops growing for two seconds."""
    size = output.stat().st_size
    while True:
        time.sleep(2.0)
        grown = output.stat().st_size
        if grown == size:
            return
        size = grown


def _soak(args: argparse.Namespace, root: Path) -> dict[str, float]:
    corpus = generate(root / "corpus", args.lines)
    # Rolled files first (oldest first), then the current ones: the order they were written in.
    corpus.sort(key=lambda p: (_ROLLED.match(p.name) is None, p.name))
    folder = root / "Log_Files"
    folder.mkdir()
    for family in ("cvd", "vsbkp", "vsdiscovery", "vsrst"):
        (folder / f"{family}.log").write_bytes(b"")
    output = root / "watch.jsonl"
    command = [sys.executable, "-m", "cvlogs.cli", "watch", str(folder), "--format", "jsonl", "--host-name", "bench"]
    with output.open("w") as out:
        watcher = subprocess.Popen([*command, *(["--poll"] if args.poll else [])], stdout=out)
        time.sleep(2.0)  # started and following
        stop, peak = _sampler(watcher.pid)
        started = time.monotonic()
        written = _write(corpus, folder, args.pause, args.block)
        wrote = time.monotonic() - started
        _caught_up(output)
        caught_up = time.monotonic() - started - 2.0
        before = _cpu_seconds(watcher.pid)
        time.sleep(args.quiet)
        figures = {
            "written": written, "wrote": wrote, "caught_up": caught_up,
            "quiet_cpu": _cpu_seconds(watcher.pid) - before, "rss_end": _rss_kb(watcher.pid) / 1024,
            "hwm": _rss_kb(watcher.pid, "VmHWM") / 1024, "peak": peak[0] / 1024,
        }  # fmt: skip
        stop.set()
        watcher.send_signal(signal.SIGINT)
        figures["exit"] = watcher.wait(timeout=120)
    objects = [json.loads(line) for line in output.read_text().splitlines()]
    figures["read"] = next(o for o in objects if o["type"] == "summary")["lines"]
    for kind in ("step", "finding", "file"):
        figures[kind] = sum(1 for o in objects if o["type"] == kind)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--quiet", type=float, default=10.0, help="seconds of quiet over which CPU is measured")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between blocks written")
    parser.add_argument("--block", type=int, default=256 * 1024, help="bytes per write")
    parser.add_argument("--poll", action="store_true", help="watch with the polling observer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        f = _soak(args, Path(scratch))
    print(f"lines written {f['written']:,.0f} in {f['wrote']:.1f} s ({args.block:,} bytes a write)")
    print(f"watch read {f['read']:,.0f} lines (exit {f['exit']:.0f}), caught up after {f['caught_up']:.1f} s: "
          f"{f['read'] / f['caught_up']:,.0f} lines/s")  # fmt: skip
    print(f"steps {f['step']:,.0f}, findings {f['finding']:,.0f}, file notices {f['file']:,.0f}")
    print(f"RSS: peak sampled {f['peak']:.0f} MB, high-water mark {f['hwm']:.0f} MB, at the end {f['rss_end']:.0f} MB")
    print(
        f"CPU while quiet: {f['quiet_cpu']:.2f} s over {args.quiet:.0f} s ({100 * f['quiet_cpu'] / args.quiet:.1f} %)"
    )


if __name__ == "__main__":
    main()
