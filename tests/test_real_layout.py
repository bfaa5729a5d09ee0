"""Logs in the layout of real Commvault 11.x machines: banners, every function shape, zones, hosts.

Every fixture here is written by this project.  The layouts follow a public Commvault 11.28 Log
Files folder (``../shared/docs/log-format.md``): CRLF endings, a ``*`` banner then a blank line,
the installers' indented banner, source line numbers in ``A::B(1482)``, ``A::B`` and ``A::B:``
without parentheses, free functions, the forwarder's ``PT:00001 CN:00001`` and a banner appended
mid-file by a restart.  Names, addresses, ids and texts are invented.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from cvlogs.grammars import banner as banner_grammar
from typer.testing import CliRunner

from cvlogs.anonymize import Pseudonyms, host_scrubber
from cvlogs.cli import app
from cvlogs.intake import discover
from cvlogs.parsing import scan_paths, scan_sources
from cvlogs.parsing.chunks import PREFIX_BYTES
from cvlogs.parsing.lineindex import LineIndex, headers_by_regex
from cvlogs.parsing.lines import match_header
from cvlogs.parsing.prefilter import StemFinder, naive_starts
from cvlogs.parsing.scanner import PREFILTER
from cvlogs.report import report_of

from .conftest import write_log

runner = CliRunner()
ROLE = "arn:aws:iam::444455556666:role/CVTenantRole"
OLD_MTIME = datetime(2030, 3, 1, 12, 0, 0)
"""The copies' modification time: a year no banner says, so that dating by it shows."""


def star_banner(machine: str, module: str, date: str, zone: str, address: str = "192.0.2.30") -> list[str]:
    border = "*" * 92
    entries = [
        ("Machine", f"{machine}:{machine.capitalize()} ({machine.capitalize()}) (Instance002)"),
        ("IP Addrs", address),
        ("Module", module),
        ("Commserver", "cs07:cs07.example.net"),
        ("Version", "11.2801.20"),
        ("Date", f"{date} ({zone})"),
        ("OS Type", "Windows Server 2019 Datacenter"),
    ]
    return [border, *(f"* {key:<11}: {value}".ljust(91) + "*" for key, value in entries), border, ""]


def indented_banner(machine: str, module: str, date: str) -> list[str]:
    border = "*" * 67
    entries = [("Machine", machine.upper()), ("Module", module), ("Product Version", "11.2801.0"), ("Date", date)]
    return [border, *(f"  {key:<15}\t: {value}" for key, value in entries), border]


SHAPES = [
    "5120  1a8   12/31 23:59:50 ### ### - ---------- VSBKP STARTED ----------",
    "5120  1a8   12/31 23:59:51 ### CvProcess::Init(88) - Initialising",
    "5120  1a8   12/31 23:59:52 ### TailServerPool::Init: Max number of threads [8]",
    "5120  1a8   12/31 23:59:53 ###  ManagedLogger::SetThreads - Max threads set to [64]",
    "5120  1a8   12/31 23:59:54 ####### receivePatchFile() - Received file [CvSnapAmazon.dll]",
    "5120  1a8   12/31 23:59:55 1 Sync::Registry::Helper::GetUserDetails(1482) - No keys found",
    "5120  1a8   12/31 23:59:56 ### ### MainView.InitWindow() - Instance name returned",
    f"5120  2b4   01/01 00:00:01 88301 CAmazonInfo::Connect(412) - Connecting to Url=[default], username[{ROLE}]",
    f"5120  2b4   01/01 00:00:02 88301 AmazonConnection::ValidateCredentials(233) - Assume role [{ROLE}]",
    "5120  2b4   01/01 00:00:03 88301 CAmazonInfo::CreateSnapshot(977) - Creating snapshot of [vol-0a1]",
    "  continued: the snapshot request",
]
FUNCTIONS = {
    "CvProcess::Init()", "TailServerPool::Init", "ManagedLogger::SetThreads", "receivePatchFile()",
    "Sync::Registry::Helper::GetUserDetails()", "MainView.InitWindow()", "CAmazonInfo::Connect()",
    "AmazonConnection::ValidateCredentials()", "CAmazonInfo::CreateSnapshot()",
}  # fmt: skip
RESTART = [
    "6044  3c0   01/02 08:00:00 ### ### - ---------- VSBKP STARTED ----------",
    "6044  3c0   01/02 08:00:01 ### CvProcess::Init(88) - Initialising after a restart",
]
FORWARDER = [
    "3740 1440 01/01 06:43:47 PT:00001 CN:00001 [local->cs07:8400] Bound to the tunnel",
    "3740 1440 01/01 06:43:47 PT:00001 ######## Creating tunnel ANY => 198.51.100.7",
]


def _crlf(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def two_hosts(tmp_path: Path) -> Path:
    """Two machines in two zones; the first with a mid-file banner that moves the year on."""
    folder = tmp_path / "Log_Files"
    first = star_banner("accessnode3", "vsbkp", "2025/12/31", "Eastern Standard Time GMT-05:00")
    restart = star_banner("accessnode3", "vsbkp", "2026/01/02", "Eastern Standard Time GMT-05:00")
    write_log(folder, "vsbkp.log", _crlf([*first, *SHAPES, *restart, *RESTART]), OLD_MTIME)
    second = star_banner("accessnode4", "vsbkp", "2026/01/01", "W. Europe Standard Time GMT+01:00", "192.0.2.40")
    later = [
        f"7001  4d2   01/01 05:30:00 88401 CAmazonInfo::Connect(412) - Connecting to Url=[default], username[{ROLE}]",
        f"7001  4d2   01/01 05:30:01 88401 AmazonConnection::ValidateCredentials(233) - Assume role [{ROLE}]",
    ]
    write_log(tmp_path / "other", "vsbkp.log", _crlf([*second, *later]), OLD_MTIME)
    write_log(folder, "cvfwd.log", _crlf([*star_banner("accessnode3", "cvfwd", "2026/01/01", "GMT-05:00"), *FORWARDER]))
    write_log(folder, "Install.log", _crlf(indented_banner("accessnode3", "Install.log", "1/2/2026") + RESTART))
    return tmp_path


@pytest.mark.parametrize(("text", "expected"), banner_grammar.SAMPLES)
def test_banner_samples_parse_to_their_named_results(text: str, expected: dict[str, object]) -> None:
    """Both banner layouts yield machine, addresses, module, CommServe, version, date, zone and OS."""
    found = banner_grammar.BANNER.parse_string(text, parse_all=True).as_dict()
    assert {key: found.get(key) for key in expected} == expected


def test_banner_lines_are_their_own_kind(two_hosts: Path) -> None:
    """lines = records + continuations + banner + unparsed; a banner is never unparsed (no CVL902)."""
    result = scan_paths([two_hosts / "Log_Files"], all_logs=True)
    by_name = {Path(f.path).name: f for f in result.files}
    first = by_name["vsbkp.log"]
    assert (first.lines, first.records, first.continuations, first.banner, first.unparsed) == (33, 12, 1, 20, 0)
    assert by_name["Install.log"].banner == 6  # the indented layout, no blank line after it
    report = report_of(result)
    assert "CVL902" not in {f.rule for f in report.findings}


def test_the_banner_dates_the_lines_and_a_mid_file_banner_moves_the_year(two_hosts: Path) -> None:
    """The banner's date beats the modification time (2030 here); the restart's banner dates what follows."""
    file = next(f for f in scan_paths([two_hosts / "Log_Files"]).files if f.path == "vsbkp.log")
    assert file.year_source == "banner"
    assert file.first_time == datetime(2025, 12, 31, 23, 59, 50)
    assert file.last_time == datetime(2026, 1, 2, 8, 0, 1)
    times = [e.time for e in scan_paths([two_hosts / "Log_Files"], keep_all=True).files[-1].events]
    assert all(t is not None and t.year in (2025, 2026) for t in times)


def test_the_year_of_a_line_beats_the_banner(tmp_path: Path) -> None:
    """Year precedence: a year written in the line, then the banner, the rolled name, the mtime."""
    lines = [*star_banner("accessnode3", "vsbkp", "2025/06/30", "GMT-05:00"), "4012 1a2c 06/30/2027 10:00:01 1 x"]
    write_log(tmp_path, "vsbkp_2028_01_01_00_00_00.log", _crlf(lines), OLD_MTIME)
    write_log(tmp_path, "vsrst_2028_07_01_00_00_00.log", _crlf(["4012 1a2c 06/30 10:00:01 1 x"]), OLD_MTIME)
    write_log(tmp_path, "cvd.log", _crlf(["4012 1a2c 02/27 10:00:01 1 x"]), OLD_MTIME)
    files = {f.path: f for f in scan_paths([tmp_path]).files}
    assert files["vsbkp_2028_01_01_00_00_00.log"].year_source == "line"
    assert files["vsbkp_2028_01_01_00_00_00.log"].first_time == datetime(2027, 6, 30, 10, 0, 1)
    assert (files["vsrst_2028_07_01_00_00_00.log"].year_source, files["vsrst_2028_07_01_00_00_00.log"].year) == (
        "rolled name",
        2028,
    )
    assert (files["cvd.log"].year_source, files["cvd.log"].year) == ("modification time", 2030)


def test_the_banner_names_the_machine_unless_the_user_does(two_hosts: Path) -> None:
    """A plain file belongs to its banner's machine; --host-name wins over the banner."""
    sources, _ = discover([two_hosts], host="thismachine")
    hosts = {s.path: s.host for s in sources}
    assert set(hosts.values()) == {"thismachine"}
    read = {f.path: f.host for f in scan_sources(sources)}  # type: ignore[union-attr]
    assert read == {"Log_Files/vsbkp.log": "accessnode3", "other/vsbkp.log": "accessnode4"}
    named, _ = discover([two_hosts], host="chosen", host_named=True)
    assert {f.host for f in scan_sources(named)} == {"chosen"}  # type: ignore[union-attr]


def test_every_function_shape_leaves_the_message_clean(two_hosts: Path) -> None:
    """The function column holds every shape's name (no line number); no message starts with one."""
    result = scan_paths([two_hosts / "Log_Files" / "vsbkp.log"], keep_all=True)
    events = result.files[0].events
    assert {e.function for e in events if e.function} == FUNCTIONS
    shaped = re.compile(r"^[\w~.:]+(?:\(\d*\))?\s+-|^\w+::\w+")
    assert not [e.message for e in events if shaped.match(e.message)]
    kinds = {e.function: e.kind for e in events}
    assert kinds["CAmazonInfo::Connect()"] == "connect"
    assert kinds["AmazonConnection::ValidateCredentials()"] == "validate"
    assert kinds["CAmazonInfo::CreateSnapshot()"] == "activity"  # an Amazon class, line number and all
    numbered = match_header(SHAPES[5])
    assert numbered is not None
    assert numbered.source_line == 1482


def test_the_forwarders_two_tokens_are_job_and_message() -> None:
    """``PT:00001 CN:00001``: the job, then the start of the message; never a function."""
    fields = match_header(FORWARDER[0])
    assert fields is not None
    assert (fields.job, fields.function, fields.message[:8]) == ("PT:00001", "", "CN:00001")


def test_automaton_prefilter_and_record_parser_agree_on_the_real_layout(two_hosts: Path) -> None:
    """On the real layout the automaton finds the regex's header lines and the stem search misses none."""
    for path in sorted((two_hosts / "Log_Files").iterdir()):
        chunk = path.read_bytes()
        index = LineIndex.of(chunk)
        assert index.headers.tolist() == np.flatnonzero(headers_by_regex(chunk, index.starts)).tolist()
        assert all(match_header(index.line(n).decode().rstrip("\r")) for n in index.headers.tolist())
        pattern = re.compile(PREFIX_BYTES)
        assert all(pattern.match(index.line(n)) is None for n in set(range(index.count)) - set(index.headers.tolist()))
        finder = StemFinder(PREFILTER, chunk)
        assert set(finder.starts(chunk)) == naive_starts(PREFILTER, chunk)


def test_a_named_file_is_read_whatever_its_name(tmp_path: Path) -> None:
    """``cvlogs scan mixed_vsbkp.log``: read (family from the banner's module); a non-log named: exit 2."""
    copy = write_log(tmp_path, "mixed_vsbkp.log", _crlf([*star_banner("n1", "vsbkp", "2026/01/01", ""), *SHAPES]))
    result = runner.invoke(app, ["scan", str(copy), "--format", "json"])
    document = json.loads(result.stdout)
    assert [(f["path"], f["family"], f["host"]) for f in document["files"]] == [("mixed_vsbkp.log", "vsbkp", "n1")]
    notes = write_log(tmp_path, "notes.log", "just some text\n")
    refused = runner.invoke(app, ["scan", str(notes)])
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1
    assert "notes.log (not a Commvault log" in refused.stderr
    listed = runner.invoke(app, ["events", str(notes), "--format", "csv"])
    assert listed.exit_code == 2
    assert "cvlogs: nothing to read in" in listed.stderr


def test_all_logs_reads_every_commvault_log(two_hosts: Path) -> None:
    """--all-logs reads cvfwd.log and Install.log, families from their banners' modules."""
    plain = json.loads(runner.invoke(app, ["scan", str(two_hosts), "--format", "json"]).stdout)
    every = json.loads(runner.invoke(app, ["scan", str(two_hosts), "--format", "json", "--all-logs"]).stdout)
    assert {f["family"] for f in plain["files"]} == {"vsbkp"}
    assert {f["family"] for f in every["files"]} == {"vsbkp", "cvfwd", "install"}


def test_a_scan_that_finds_nothing_exits_2_and_says_why(tmp_path: Path) -> None:
    """Nothing to read: exit 2, one line naming what was looked at and why each file was skipped."""
    write_log(tmp_path, "CVMA.log", "4012 1a2c 11/20 10:00:01 1 x\n")
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert str(tmp_path) in result.stderr
    assert "CVMA.log (not a cvd, vsdiscovery, vsbkp or vsrst log)" in result.stderr
    assert "--all-logs" in result.stderr


def test_zones_are_kept_per_file_and_order_the_timeline_on_utc(two_hosts: Path) -> None:
    """utc_offset per file in JSON; accessnode4's 05:30 (UTC+1) comes before accessnode3's 00:00 (UTC-5)."""
    document = json.loads(runner.invoke(app, ["scan", str(two_hosts), "--format", "json"]).stdout)
    assert {f["host"]: f["utc_offset"] for f in document["files"]} == {"accessnode3": "-05:00", "accessnode4": "+01:00"}
    assert {m["host"]: m["versions"] for m in document["environment"]} == {
        "accessnode3": ["11.2801.20"],
        "accessnode4": ["11.2801.20"],
    }
    steps = [s for s in report_of(scan_paths([two_hosts])).timeline if s.kind == "connect"]
    assert [(s.host, s.time, s.utc_offset) for s in steps] == [
        ("accessnode4", datetime(2026, 1, 1, 5, 30), 60),
        ("accessnode3", datetime(2026, 1, 1, 0, 0, 1), -300),
    ]
    shown = runner.invoke(app, ["timeline", str(two_hosts), "--account", "444455556666"]).stdout
    assert "2026-01-01T05:30:00+01:00" in shown


def test_anonymized_hosts_leave_no_name_address_or_instance(two_hosts: Path) -> None:
    """--anonymize-hosts replaces machines, CommServe, addresses and instances everywhere; --map keeps the map."""
    mapping = two_hosts.parent / f"{two_hosts.name}-map.json"
    before = sorted(two_hosts.rglob("*"))
    args = ["scan", str(two_hosts), "--all-logs", "--format", "json", "--anonymize-hosts", "--anonymize-accounts"]
    result = runner.invoke(app, [*args, "--map", str(mapping)])
    for secret in ("accessnode", "192.0.2.", "198.51.100.7", "Instance002", "cs07", "444455556666"):
        assert secret.lower() not in result.stdout.lower(), secret
    assert "host-001" in result.stdout
    kept = json.loads(mapping.read_text())
    assert kept["hosts"]["host-001"] in {"accessnode3", "accessnode4"}
    assert "444455556666" in kept["accounts"].values()
    again = runner.invoke(app, args)
    assert sorted(two_hosts.rglob("*")) == before
    assert again.stdout == result.stdout  # stable pseudonyms, and no map without --map


def test_the_host_scrubber_reaches_names_inside_identifiers(two_hosts: Path) -> None:
    """Names glued to ``_`` or ``\\`` (mutex and service names) and addresses in any text are replaced."""
    pseudonyms = Pseudonyms()
    scrub = host_scrubber(scan_paths([two_hosts]).files, pseudonyms)
    text = r"KEY=Global\Instance002_CV_MUTEX service CVODS_accessnode3_1 from 192.0.2.30 (AccessNode4)"
    scrubbed = scrub(text)
    assert not re.search(r"(?i)instance002|accessnode|192\.0\.2", scrubbed)
    assert scrub(text) == scrubbed  # stable
    assert set(pseudonyms.hosts) == {"accessnode3", "accessnode4", "cs07", "cs07.example.net"}


def test_a_bundle_folder_names_the_host_and_the_banner_dates_the_file(tmp_path: Path) -> None:
    """In a Send Logs bundle the folder is the host, whatever the banner says; the banner's date
    beats the bundle's name, which dates the files without a banner."""
    bundle = tmp_path / "sendLogFiles_4711_2027_01_03_10_00_00_123_J88.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("clientA/vsbkp.log", _crlf([*star_banner("accessnode3", "vsbkp", "2025/12/31", ""), *SHAPES]))
        archive.writestr("clientA/vsrst.log", _crlf(RESTART))
    files = {f.path.rsplit("!", 1)[1]: f for f in scan_paths([bundle]).files}
    assert {path: f.host for path, f in files.items()} == {
        "clientA/vsbkp.log": "clientA",
        "clientA/vsrst.log": "clientA",
    }
    assert (files["clientA/vsbkp.log"].year_source, files["clientA/vsbkp.log"].year) == ("banner", 2026)
    assert (files["clientA/vsrst.log"].year_source, files["clientA/vsrst.log"].year) == ("bundle name", 2027)
