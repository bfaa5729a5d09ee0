"""Commvault Send Logs bundles: 7z (split, nested), per-machine folders and archives, hosts."""

from __future__ import annotations

import io
import tarfile
import zipfile
from datetime import datetime
from pathlib import Path

import py7zr
import pytest
from typer.testing import CliRunner

from cvlogs.cli import app
from cvlogs.correlate import correlate
from cvlogs.diagnostics import diagnose
from cvlogs.parsing import scan_paths
from cvlogs.report import Filters, report_of

BUNDLE = "sendLogFiles_4711_2027_01_03_10_00_00_123_J88.7z"
ROLE = "arn:aws:iam::{account}:role/CVTenantRole"
HEALTHY = (
    "4012 1a2c 12/31 23:58:00 88 CAmazonInfo::Connect() - Connecting to Url=[default], username[{role}]\n"
    "4012 1a2c 12/31 23:58:01 88 AmazonConnection::ValidateCredentials() - Assume role [{role}]\n"
    "4012 1a2c 01/01 00:00:05 88 CAmazonEC2::DescribeInstances() - Found [2] instances\n"
)
DENIED = (
    "4012 2b3d 01/02 08:00:00 89 CAmazonInfo::Connect() - Connecting to Url=[default], username[{role}]\n"
    "4012 2b3d 01/02 08:00:01 89 AmazonConnection::ValidateCredentials() - An error occurred (AccessDenied) when "
    "calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-1 is not "
    "authorized to perform: sts:AssumeRole on resource: {role}\n"
)
runner = CliRunner()


def _log(template: str, account: str) -> bytes:
    return template.format(role=ROLE.format(account=account)).encode()


def _seven_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A bundle with per-client folders, nested per-machine 7z archives and a UNIX tar.gz collection."""
    node3 = _seven_zip({"Log Files/vsbkp.log": _log(HEALTHY, "777788889999")})
    node4 = _seven_zip({"Log Files/vsrst.log": _log(DENIED, "210987654321")})
    unix = _tar_gz({"var/log/commvault/Log_Files/vsdiscovery.log": _log(HEALTHY, "444455556666")})
    data = _seven_zip(
        {
            "accessnode1/vsbkp.log": _log(HEALTHY, "444455556666"),
            "accessnode2/vsbkp.log": _log(DENIED, "123456789012"),
            "accessnode2/notes.txt": b"collected by support",
            "node3.7z": node3,
            "node4.7z": node4,
            "node5_logs.tar.gz": unix,
        }
    )
    path = tmp_path / BUNDLE
    path.write_bytes(data)
    return path


def test_bundles_give_every_file_its_host(bundle: Path) -> None:
    """Folders and nested archives of a bundle are machines; every line is accounted for."""
    result = scan_paths([bundle])
    hosts = {f.path.rsplit("!", 1)[-1]: f.host for f in result.files}
    assert hosts == {
        "accessnode1/vsbkp.log": "accessnode1",
        "accessnode2/vsbkp.log": "accessnode2",
        "Log Files/vsbkp.log": "node3",
        "Log Files/vsrst.log": "node4",
        "var/log/commvault/Log_Files/vsdiscovery.log": "node5_logs",
    }
    assert sum(f.lines for f in result.files) == 3 + 2 + 3 + 2 + 3
    assert all(f.lines == f.records for f in result.files)
    assert [s.path for s in result.skipped] == [f"{BUNDLE}!accessnode2/notes.txt"]


def test_findings_and_accounts_carry_their_hosts(bundle: Path) -> None:
    """The failing machines are named in findings and accounts."""
    report = report_of(scan_paths([bundle]))
    denied = {f.account_id: f.hosts for f in report.findings if f.rule == "CVL201"}
    assert denied == {"123456789012": ("accessnode2",), "210987654321": ("node4",)}
    accounts = {a.account_id: (a.status, a.hosts) for a in report.accounts}
    assert accounts["444455556666"] == ("ok", ("accessnode1", "node5_logs"))
    assert accounts["123456789012"] == ("failing", ("accessnode2",))


def test_the_bundle_name_dates_its_logs(bundle: Path) -> None:
    """Made on 2027-01-03, the bundle's December lines belong to 2026."""
    result = scan_paths([bundle])
    node1 = next(f for f in result.files if f.host == "accessnode1")
    assert (node1.first_time, node1.last_time) == (datetime(2026, 12, 31, 23, 58), datetime(2027, 1, 1, 0, 0, 5))


def test_split_volumes_read_like_the_whole_bundle(bundle: Path, tmp_path: Path) -> None:
    """bundle.7z.001, .002, .003 give the same files and lines as the bundle itself."""
    split = tmp_path / "split"
    split.mkdir()
    data = bundle.read_bytes()
    third = len(data) // 3 + 1
    for number in range(3):
        (split / f"{BUNDLE}.{number + 1:03d}").write_bytes(data[number * third : (number + 1) * third])
    whole = scan_paths([bundle])
    parts = scan_paths([split])
    assert [(f.host, f.lines) for f in parts.files] == [(f.host, f.lines) for f in whole.files]
    assert [s.path for s in parts.skipped if "later volume" in s.reason] == [f"{BUNDLE}.002", f"{BUNDLE}.003"]


def test_correlation_never_joins_lines_of_different_hosts(tmp_path: Path) -> None:
    """Same pid, thread and job on two machines: two sequences, each missing a step."""
    role = ROLE.format(account="444455556666")
    connect = f"4012 1a2c 01/02 08:00:00 89 CAmazonInfo::Connect() - Connecting to Url=[default], username[{role}]\n"
    validate = f"4012 1a2c 01/02 08:00:01 89 AmazonConnection::ValidateCredentials() - Assume role [{role}]\n"
    later = connect.replace("08:00:00", "08:05:00")
    data = _seven_zip({"nodeA/vsbkp.log": (connect + later).encode(), "nodeB/vsbkp.log": validate.encode()})
    (tmp_path / BUNDLE).write_bytes(data)
    findings = diagnose(correlate(scan_paths([tmp_path])))
    assert {(f.rule, f.hosts) for f in findings} == {("CVL101", ("nodeA",)), ("CVL102", ("nodeB",))}


def test_scrubbed_bundles_still_scan(tmp_path: Path) -> None:
    """Masked host names and addresses do not stop a scan."""
    scrubbed = (
        _log(DENIED, "123456789012").replace(b"4012", b"4012") + b"4012 2b3d 01/02 08:00:02 89 x::y() - from x.x.x.x\n"
    )
    (tmp_path / BUNDLE).write_bytes(_seven_zip({"XXXXXXXX01/vsbkp.log": scrubbed}))
    report = report_of(scan_paths([tmp_path]))
    assert [f.host for f in report.files] == ["XXXXXXXX01"]
    assert {f.rule for f in report.findings} == {"CVL201"}


def test_host_filter_selects_machines(bundle: Path) -> None:
    """--host keeps the chosen machines only."""
    report = report_of(scan_paths([bundle]), filters=Filters(hosts=("accessnode2",)))
    assert {f.host for f in report.files} == {"accessnode2"}
    assert {f.account_id for f in report.findings if f.account_id} == {"123456789012"}
    result = runner.invoke(app, ["scan", str(bundle), "--host", "node4", "--format", "json"])
    assert '"210987654321"' in result.stdout
    assert '"123456789012"' not in result.stdout


def test_plain_directories_take_the_host_name_option(tmp_path: Path) -> None:
    """Plain files belong to --host-name (default: this machine's name)."""
    (tmp_path / "vsbkp.log").write_bytes(_log(HEALTHY, "444455556666"))
    result = runner.invoke(app, ["scan", str(tmp_path), "--format", "json", "--host-name", "an-access-node"])
    assert '"host": "an-access-node"' in result.stdout


def test_corrupt_bundles_are_skipped(tmp_path: Path) -> None:
    """A damaged 7z is skipped with its reason; other files are still scanned."""
    (tmp_path / BUNDLE).write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 200)
    (tmp_path / "vsbkp.log").write_bytes(_log(HEALTHY, "444455556666"))
    result = scan_paths([tmp_path])
    assert [f.path for f in result.files] == ["vsbkp.log"]
    assert result.skipped[0].path == BUNDLE


def test_password_protected_and_empty_bundles_are_reported(tmp_path: Path) -> None:
    """A password-protected member and an empty archive are listed with plain reasons."""
    with py7zr.SevenZipFile(tmp_path / BUNDLE, "w", password="secret") as archive:
        archive.writestr(_log(HEALTHY, "444455556666"), "node/vsbkp.log")
    with py7zr.SevenZipFile(tmp_path / "empty.7z", "w"):
        pass
    reasons = {s.path: s.reason for s in scan_paths([tmp_path]).skipped}
    assert reasons[f"{BUNDLE}!node/vsbkp.log"].startswith("password-protected 7z archive")
    assert reasons["empty.7z"] == "archive holds no files"


def test_a_zip_of_rolled_logs_in_a_machine_folder_belongs_to_that_machine(tmp_path: Path) -> None:
    """proxy01/cvd_logs.zip holds proxy01's rolled logs: host proxy01, kept by --host proxy01."""
    rolled = io.BytesIO()
    with zipfile.ZipFile(rolled, "w") as archive:
        archive.writestr("vsbkp_2027_01_02_09_00_00.log", _log(DENIED, "123456789012"))
    bundle = tmp_path / BUNDLE
    bundle.write_bytes(
        _seven_zip({"proxy01/vsbkp.log": _log(HEALTHY, "444455556666"), "proxy01/cvd_logs.zip": rolled.getvalue()})
    )
    assert {f.host for f in scan_paths([bundle]).files} == {"proxy01"}
    report = report_of(scan_paths([bundle]), filters=Filters(hosts=("proxy01",)))
    assert {f.account_id for f in report.findings if f.rule == "CVL201"} == {"123456789012"}
