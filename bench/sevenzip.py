"""Benchmark reading the logs of a solid 7z bundle: one pass per archive against one per member.

    python bench/sevenzip.py                       # 50, 100, 200 and 400 logs
    python bench/sevenzip.py --logs 100 400 --lines 2000

For each size it builds a solid 7z (LZMA2, one block) of ``N`` logs and prints:

- *per member*: what cvlogs did before issue 18, measured with py7zr directly: for every member,
  ``extract(targets=[member])`` then ``reset()`` (the old ``SevenZip.open``), which decompresses
  the block from its start up to that member;
- *one pass*: ``scan_paths`` on the bundle with ``--jobs 1`` (listing, the one decompression
  pass, and parsing every line), and the number of passes it made.

Figures are printed, never asserted (the machine is shared: compare figures within one run).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import py7zr
import py7zr.io

from cvlogs.parsing import scan_paths
from cvlogs.sevenzip import SevenZip


class _Null(py7zr.io.Py7zIO):
    """A writer that only counts (the old path wrote into a spool; the decompression dominates)."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, s: bytes | bytearray) -> int:
        self.count += len(s)
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.count


class _Factory(py7zr.io.WriterFactory):
    def create(self, filename: str) -> py7zr.io.Py7zIO:
        return _Null()


def build(folder: Path, logs: int, lines: int) -> Path:
    rng = random.Random(logs)
    target = folder / f"sendLogFiles_1_2026_11_20_10_00_00_{logs}.7z"
    with py7zr.SevenZipFile(target, "w", filters=[{"id": py7zr.FILTER_LZMA2, "preset": 6}]) as archive:
        for number in range(logs):
            text = "".join(
                f"{rng.randint(1000, 9999)} {rng.randint(1, 0xFFFF):x} 11/20 10:{n // 600 % 60:02d}:{n // 10 % 60:02d} "
                f"{rng.randint(1, 99999)} CVJob::Run() - stream {rng.random():.6f} block {n}\n"
                for n in range(lines)
            )
            stamp = f"2026_11_20_{number // 3600:02d}_{number // 60 % 60:02d}_{number % 60:02d}"
            archive.writestr(text, f"node1/vsbkp_{stamp}.log")  # rolled names: every one a log
    return target


def per_member(bundle: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with py7zr.SevenZipFile(bundle) as archive:
        names = [info.filename for info in archive.list() if not info.is_directory]
        for name in names:
            archive.extract(targets=[name], factory=_Factory())
            archive.reset()
    return time.perf_counter() - start, len(names)


def one_pass(bundle: Path) -> tuple[float, int, int]:
    passes = []
    original = SevenZip._extract

    def counted(self: SevenZip, key: str) -> None:
        passes.append(key)
        original(self, key)

    SevenZip._extract = counted  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        result = scan_paths([bundle], jobs=1)
        seconds = time.perf_counter() - start
    finally:
        SevenZip._extract = original  # type: ignore[method-assign]
    return seconds, len(result.files), len(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--lines", type=int, default=1000, help="lines per log (default 1000)")
    parser.add_argument("--skip-per-member-above", type=int, default=400, help="the old path is quadratic")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for logs in options.logs:
            bundle = build(Path(folder), logs, options.lines)
            size = bundle.stat().st_size
            print(f"{logs} logs x {options.lines} lines, solid 7z of {size / 1e6:.2f} MB:")
            if logs <= options.skip_per_member_above:
                seconds, members = per_member(bundle)
                print(f"  per member (before): {seconds:8.2f} s for {members} extract calls")
            seconds, files, passes = one_pass(bundle)
            print(f"  one pass   (after):  {seconds:8.2f} s, {files} files scanned, {passes} decompression pass(es)")


if __name__ == "__main__":
    main()
