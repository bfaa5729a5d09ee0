"""Finding log files: families by name, rolled and compressed files, archives, skipped files."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from cvlogs.errors import CvlogsError
from cvlogs.intake import classify_name, discover

from .conftest import write_log

LINE = "4012 1a2c 11/20 10:00:01 123 vsbkp::main() - hello\n"


@pytest.mark.parametrize(
    ("name", "family", "rolled", "compression"),
    [
        ("vsbkp.log", "vsbkp", None, None),
        ("CVD.log", "cvd", None, None),
        ("VSDiscovery.LOG", "vsdiscovery", None, None),
        ("vsrst_2026_11_19_22_15_03.log", "vsrst", datetime(2026, 11, 19, 22, 15, 3), None),
        ("vsbkp_2026_11_19_22_15_03.log.gz", "vsbkp", datetime(2026, 11, 19, 22, 15, 3), ".gz"),
        ("cvd_2026_01_02_03_04_05.log.BZ2", "cvd", datetime(2026, 1, 2, 3, 4, 5), ".bz2"),
        ("vsbkp.log.1", "vsbkp", None, None),
        ("vsbkp_1.log", "vsbkp", None, None),
        ("vsrst.log.old.gz", "vsrst", None, ".gz"),
        ("vsdiscovery_2026_11_19_22_15_03.log.xz", "vsdiscovery", datetime(2026, 11, 19, 22, 15, 3), ".xz"),
    ],
)
def test_names_give_family_roll_time_and_compression(
    name: str, family: str, rolled: datetime | None, compression: str | None
) -> None:
    """Names match case-insensitively, with rolled timestamps and compression suffixes."""
    assert classify_name(name) == (family, rolled, compression)


@pytest.mark.parametrize("name", ["notes.txt", "vsbkp.log.txt", "CvPerfMgr.log", "myvsbkp.log", "cvd.log.zip"])
def test_other_names_are_not_logs(name: str) -> None:
    """Files of other families are not ours."""
    assert classify_name(name) is None


def test_discover_reads_plain_compressed_and_zipped_files(tmp_path: Path) -> None:
    """A directory yields every log, decompressed on the fly, and lists what it skipped."""
    write_log(tmp_path, "vsbkp.log", LINE)
    (tmp_path / "vsrst_2026_11_19_22_15_03.log.gz").write_bytes(gzip.compress(LINE.encode()))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cvd_2026_11_19_22_15_03.log.bz2").write_bytes(bz2.compress(LINE.encode()))
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        archive.writestr("Log Files/vsdiscovery.log", LINE)
        archive.writestr("Log Files/readme.txt", "hello")
    write_log(tmp_path, "notes.txt", "hello")
    sources, skipped = discover([tmp_path])
    assert sorted(s.path for s in sources) == [
        "bundle.zip!Log Files/vsdiscovery.log",
        "sub/cvd_2026_11_19_22_15_03.log.bz2",
        "vsbkp.log",
        "vsrst_2026_11_19_22_15_03.log.gz",
    ]
    for source in sources:
        with source.open() as stream:
            assert stream.read() == LINE.encode()
    assert {s.path for s in skipped} == {"bundle.zip!Log Files/readme.txt", "notes.txt"}


def test_rolled_name_dates_the_file(tmp_path: Path) -> None:
    """A rolled name's timestamp is the year hint; otherwise the modification time is."""
    write_log(tmp_path, "vsbkp_2024_12_31_23_00_00.log", LINE)
    write_log(tmp_path, "vsbkp.log", LINE, mtime=datetime(2025, 3, 1))
    sources, _ = discover([tmp_path])
    hints = {s.path: s.year_hint for s in sources}
    assert hints["vsbkp_2024_12_31_23_00_00.log"] == datetime(2024, 12, 31, 23)
    assert hints["vsbkp.log"] is not None
    assert hints["vsbkp.log"].year == 2025


def test_corrupt_zip_is_skipped_with_a_reason(tmp_path: Path) -> None:
    """A broken archive is reported, not fatal."""
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    write_log(tmp_path, "vsbkp.log", LINE)
    sources, skipped = discover([tmp_path])
    assert [s.path for s in sources] == ["vsbkp.log"]
    assert skipped[0].path == "broken.zip"
    assert "corrupt" in skipped[0].reason


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    """A PATH that does not exist is a CvlogsError (exit 2 in the CLI)."""
    with pytest.raises(CvlogsError, match="no such file"):
        discover([tmp_path / "nope"])


def test_a_single_file_path_is_reported_by_its_name(tmp_path: Path) -> None:
    """A file given directly is reported by its own name."""
    path = write_log(tmp_path, "vsbkp.log", LINE)
    sources, _ = discover([path])
    assert [s.path for s in sources] == ["vsbkp.log"]


def test_xz_logs_and_tar_xz_collections_are_read(tmp_path: Path) -> None:
    """xz-compressed logs and .tar.xz collections read like the others."""
    (tmp_path / "vsbkp_2026_11_19_22_15_03.log.xz").write_bytes(lzma.compress(LINE.encode()))
    with tarfile.open(tmp_path / "node.tar.xz", "w:xz") as archive:
        data = LINE.encode()
        info = tarfile.TarInfo("Log_Files/vsrst.log")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    sources, skipped = discover([tmp_path])
    assert sorted(s.path for s in sources) == ["node.tar.xz!Log_Files/vsrst.log", "vsbkp_2026_11_19_22_15_03.log.xz"]
    for source in sources:
        with source.open() as stream:
            assert stream.read() == LINE.encode()
    assert skipped == []
