"""Archives are read in one pass: a solid 7z block decompressed once, a nested archive spooled
once, duplicated names each read once, a truncated tar's complete members kept, a total cap."""

from __future__ import annotations

import gzip
import io
import os
import random
import signal
import tarfile
import zipfile
from pathlib import Path

import py7zr
import pytest
from typer.testing import CliRunner

from cvlogs import containers
from cvlogs.cli import app
from cvlogs.intake import Limits, discover
from cvlogs.parsing import scan_paths
from cvlogs.sevenzip import SevenZip

runner = CliRunner()


def _log(number: int, lines: int = 50) -> str:
    return "".join(
        f"{number} a 11/20 10:{n // 60:02d}:{n % 60:02d} 7 x::y() - line {n} of {number}\n" for n in range(lines)
    )


def test_a_solid_7z_is_decompressed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """30 logs in one solid block: one decompression pass for all of them (it was one per member)."""
    with py7zr.SevenZipFile(tmp_path / "bundle.7z", "w") as archive:
        for number in range(30):
            archive.writestr(_log(number), f"node/vsbkp_{number}.log")
    passes = []
    extract = SevenZip._extract

    def counted(self: SevenZip, key: str) -> None:
        passes.append(key)
        extract(self, key)

    monkeypatch.setattr(SevenZip, "_extract", counted)
    result = scan_paths([tmp_path / "bundle.7z"], jobs=1)
    assert len(result.files) == 30
    assert all(f.lines == 50 for f in result.files)
    assert len(passes) == 1


def test_a_corrupt_7z_fails_once_and_keeps_what_came_before(tmp_path: Path) -> None:
    """A PPMd or zstd 7z with a corrupt stream: every member skipped with a reason, no traceback."""
    for number, method in enumerate((py7zr.FILTER_PPMD, py7zr.FILTER_ZSTD)):
        target = tmp_path / f"bad{number}.7z"
        with py7zr.SevenZipFile(target, "w", filters=[{"id": method}]) as archive:
            for member in range(3):
                archive.writestr(_log(member, 500) + f"{random.random()}\n", f"vsbkp_{member}.log")
        data = bytearray(target.read_bytes())
        for offset in range(40, len(data) - 200, 5):
            data[offset] ^= 0x5A
        target.write_bytes(bytes(data))
    (tmp_path / "vsbkp.log").write_text(_log(9, 3))  # something readable: a scan of nothing is exit 2
    result = runner.invoke(app, ["scan", str(tmp_path), "-f", "json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.stdout.count('"reason"') >= 2


def test_a_nested_archive_is_spooled_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A zip inside a zip with 40 logs: the inner zip is copied out once to list it, once to read
    every member (it was copied once per member)."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for number in range(40):
            archive.writestr(f"vsbkp_{number}.log", _log(number, 5))
    with zipfile.ZipFile(tmp_path / "outer.zip", "w") as archive:
        archive.writestr("node1.zip", inner.getvalue())
    copies = []
    spooled = containers.spooled

    def counted(stream: io.BufferedIOBase, limit: int):  # type: ignore[no-untyped-def]
        copies.append(limit)
        return spooled(stream, limit)  # type: ignore[arg-type]

    monkeypatch.setattr(containers, "spooled", counted)
    monkeypatch.setattr("cvlogs.intake.spooled", counted)
    result = scan_paths([tmp_path / "outer.zip"], jobs=1)
    assert len(result.files) == 40
    assert len(copies) == 2


@pytest.mark.parametrize("kind", ["zip", "tar", "7z"])
def test_duplicate_member_names_are_each_read_once(tmp_path: Path, kind: str) -> None:
    """Two members named vsbkp.log: both are read, the second shown as a copy."""
    first, second = _log(1, 3), _log(2, 7)
    target = tmp_path / f"dup.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("vsbkp.log", first)
            with pytest.warns(UserWarning, match="Duplicate name"):
                archive.writestr("vsbkp.log", second)
    elif kind == "tar":
        with tarfile.open(target, "w") as archive:
            for text in (first, second):
                info = tarfile.TarInfo("vsbkp.log")
                info.size = len(text)
                archive.addfile(info, io.BytesIO(text.encode()))
    else:
        with py7zr.SevenZipFile(target, "w") as archive:
            archive.writestr(first, "vsbkp.log")
            archive.writestr(second, "vsbkp.log")
    result = scan_paths([target], jobs=1)
    assert sorted((f.path, f.lines) for f in result.files) == [
        (f"dup.{kind}!vsbkp.log", 3),
        (f"dup.{kind}!vsbkp.log [copy 2 of a repeated name]", 7),
    ]


def test_a_truncated_tar_keeps_its_complete_members(tmp_path: Path) -> None:
    """A .tar.gz cut in its last member: the complete members are read, the cut one is skipped."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for number in range(3):
            text = _log(number, 200 if number < 2 else 5000).encode()
            info = tarfile.TarInfo(f"vsbkp_{number}.log")
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
    whole = gzip.compress(raw.getvalue())
    (tmp_path / "cut.tar.gz").write_bytes(whole[: len(whole) * 3 // 4])
    result = scan_paths([tmp_path / "cut.tar.gz"], jobs=1)
    assert sorted(f.path for f in result.files) == ["cut.tar.gz!vsbkp_0.log", "cut.tar.gz!vsbkp_1.log"]
    assert [s.path for s in result.skipped] == ["cut.tar.gz!vsbkp_2.log"]


def test_a_total_cap_bounds_what_one_input_may_decompress(tmp_path: Path) -> None:
    """Five 100 kB logs under a 250 kB total: two are read, three skipped naming the option."""
    with zipfile.ZipFile(tmp_path / "many.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(5):
            archive.writestr(f"vsbkp_{number}.log", _log(number, 2000)[:100_000])
    sources, skipped = discover([tmp_path / "many.zip"], Limits(max_total_bytes=250_000))
    assert len(sources) == 2
    assert len(skipped) == 3
    assert all("--max-total-bytes" in s.reason for s in skipped)
    default, _ = discover([tmp_path / "many.zip"])
    assert len(default) == 5  # the default (200 times the input, at least 256 MiB) leaves real logs alone


def test_an_empty_member_name_is_skipped(tmp_path: Path) -> None:
    """A zip entry without a name (it made zipfile raise IndexError) is skipped with its reason."""
    info = zipfile.ZipInfo("x")
    info.filename = ""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("vsbkp.log", _log(1, 2))
        archive.writestr("placeholder", "x")
    data = raw.getvalue().replace(b"placeholder", b"\x00" * 11)  # names: NULs, then stripped below
    (tmp_path / "odd.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "odd.zip") as archive:
        assert any("\x00" in i.filename or not i.filename for i in archive.infolist())
    result = runner.invoke(app, ["scan", str(tmp_path / "odd.zip"), "-f", "json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert '"odd.zip!vsbkp.log"' in result.stdout


def test_a_crashing_ppmd_decoder_takes_only_its_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyppmd can kill the interpreter on a corrupt stream (a segfault, an abort in its dealloc):
    a PPMd 7z is decompressed in a forked child, and a crash there skips the archive's members."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    with py7zr.SevenZipFile(tmp_path / "ppmd.7z", "w", filters=[{"id": py7zr.FILTER_PPMD}]) as archive:
        archive.writestr(_log(1, 5), "vsbkp_1.log")
    (tmp_path / "vsbkp.log").write_text(_log(2, 5))
    good = scan_paths([tmp_path / "ppmd.7z"], jobs=1)
    assert [f.lines for f in good.files] == [5]  # read through the child when nothing crashes

    def crash(*_: object, **__: object) -> None:
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(py7zr.SevenZipFile, "extract", crash)
    result = scan_paths([tmp_path], jobs=1)
    assert [f.path for f in result.files] == ["vsbkp.log"]
    assert ["crashed" in s.reason for s in result.skipped] == [True]


def test_compressed_logs_inside_an_archive_count_towards_the_total_when_read(tmp_path: Path) -> None:
    """Five .gz logs of 1 MB each that declare only their compressed size: the total cap holds
    when they are read (a .gz bomb per member no longer multiplies the per-member cap)."""
    with zipfile.ZipFile(tmp_path / "gz.zip", "w") as archive:
        for number in range(5):
            archive.writestr(f"vsbkp_{number}.log.gz", gzip.compress(_log(number, 40_000).encode()[:1_000_000]))
    result = scan_paths([tmp_path / "gz.zip"], jobs=1, limits=Limits(max_total_bytes=2_500_000))
    assert len(result.files) == 2
    assert len(result.skipped) == 3
    assert all("--max-total-bytes" in s.reason for s in result.skipped)
