"""``cvlogs watch`` driven in a subprocess against a folder that a writer thread fills.

The writer grows the logs, rolls them over (rename and a new file; rename and gzip), truncates
them and splits lines across writes; the tests check that every line arrives once, the findings
and the exit statuses of --until-ok (success, failure) and --timeout, and that the findings of a
watch equal those of a scan of the finished files.
"""

from __future__ import annotations

import gzip
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cvlogs.render.json_report import finding_dict, iso
from cvlogs.report import report_of
from cvlogs.watch import parse_duration

SAMPLE_LOGS = Path(__file__).resolve().parent.parent / "sample_logs"
HOST = "node1"
ROLE = "arn:aws:iam::{account}:role/CVTenantRole"
DENIED = (
    "AmazonConnection::ValidateCredentials() - Assume role failed: An error occurred (AccessDenied) when calling "
    "the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-0123456789abcdef0 "
    "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{account}:role/CVTenantRole"
)


BANNER = (  # the layout of a Commvault 11 log's banner (see sample_logs/accessnode2/vsrst.log)
    "*" * 92,
    "* Machine    : node1:Node1 (Node1) (Instance001)" + " " * 41 + "*",
    "* Module     : vsbkp" + " " * 71 + "*",
    "* Version    : 11.2801.20" + " " * 66 + "*",
    "*" * 92,
    "",
)


def line(tid: str, second: int, text: str, job: str = "88100") -> str:
    return f"4012  {tid}  11/20 10:{second // 60:02d}:{second % 60:02d} {job}  {text}"


def connect(tid: str, second: int, account: str) -> str:
    role = ROLE.format(account=account)
    return line(tid, second, f"CAmazonInfo::Connect() - Connecting to Url=[default], username[{role}]")


def assume(tid: str, second: int, account: str) -> str:
    return line(tid, second, f"AmazonConnection::ValidateCredentials() - Assume role [{ROLE.format(account=account)}]")


def activity(tid: str, second: int) -> str:
    return line(tid, second, "CAmazonEC2::DescribeInstances() - Found [2] instances in region [eu-west-1]")


def noise(tid: str, second: int) -> str:
    return line(tid, second, "CVArchive::Heartbeat() - heartbeat sent to the CommServe")


class Watch:
    """A ``cvlogs watch --format jsonl`` subprocess whose JSON lines are read as they come."""

    def __init__(self, folder: Path, *args: str) -> None:
        command = [sys.executable, "-m", "cvlogs.cli", "watch", str(folder), "--format", "jsonl"]
        self.process = subprocess.Popen(
            [*command, "--host-name", HOST, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.objects: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            self._queue.put(json.loads(text))
        self._queue.put(None)

    def until(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        """Wait for an object that ``wanted`` accepts (objects read meanwhile are kept)."""
        for seen in self.objects:
            if wanted(seen):
                return seen
        stop = time.monotonic() + timeout
        while (item := self._next(stop - time.monotonic())) is not None:
            if wanted(item):
                return item
        raise AssertionError(f"not seen within {timeout} s; stderr: {self._stderr()}; last: {self.objects[-3:]}")

    def quiet(self, seconds: float) -> None:
        """Read until nothing has come for ``seconds`` (every record settled and reported)."""
        while self._next(seconds) is not None:
            pass

    def _next(self, timeout: float) -> dict[str, Any] | None:
        """The next object within ``timeout`` seconds (kept in ``objects``), None at the end or after it."""
        try:
            item = self._queue.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        if item is not None:
            self.objects.append(item)
        return item

    def ready(self) -> None:
        """Wait until every current log is followed (lines written from now on are watched)."""
        self.until(lambda o: o["type"] == "watch")
        time.sleep(0.1)

    def end(self, timeout: float = 15.0) -> int:
        status = self.process.wait(timeout=timeout)
        while (item := self._queue.get(timeout=timeout)) is not None:
            self.objects.append(item)
        return status

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.end()

    def _stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return "(running)"
        return self.process.stderr.read()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["type"] == kind]


@contextmanager
def watching(folder: Path, *args: str) -> Iterator[Watch]:
    watch = Watch(folder, *args)
    try:
        watch.ready()
        yield watch
    finally:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait()


def append(path: Path, text: str, newline: str = "\n") -> None:
    with path.open("ab") as out:
        out.write(text.encode() + (newline.encode() if newline else b""))


def step_with(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda o: o["type"] == "step" and o["text"] == text


class Writer:
    """Writes one log the way Commvault does, remembering every line and every credential line."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.credential: list[str] = []
        """Credential lines, in the order they were written."""
        self.lines = 0
        """Every line written since the watch started."""

    def write(self, text: str, newline: str = "\n", credential: bool = True) -> None:
        append(self.log, text, newline)
        self.lines += 1
        if credential:
            self.credential.append(text)


def _grow(writer: Writer, watch: Watch, old_partial: str) -> None:
    """The unfinished line the watch started on, then lines, one of them in two writes."""
    append(writer.log, old_partial[30:])
    writer.lines += 1
    writer.credential.append(old_partial)
    writer.write(assume("aaaa", 1, "111111111111"))
    writer.write(noise("aaaa", 2), credential=False)
    last = activity("aaaa", 3)
    append(writer.log, last[:20], newline="")  # a partial line waits for its newline
    time.sleep(0.5)
    writer.write(last[20:], credential=False)
    writer.credential.append(last)
    watch.until(step_with(last))


def _roll(writer: Writer, watch: Watch) -> None:
    """Rename, then a new file that starts with a banner and has CRLF lines."""
    writer.log.rename(writer.log.with_name("vsbkp_2026_11_20_10_05_00.log"))
    writer.log.write_bytes(b"")
    for text in BANNER:
        writer.write(text, newline="\r\n", credential=False)
    writer.write(connect("bbbb", 10, "222222222222"), newline="\r\n")
    writer.write(assume("bbbb", 11, "222222222222"), newline="\r\n")
    watch.until(step_with(writer.credential[-1]))


def _roll_and_gzip(writer: Writer, watch: Watch) -> None:
    """A last line, then rename and compress at once: the open handle still reads the old file."""
    writer.write(activity("bbbb", 12))
    rolled = writer.log.with_name("vsbkp_2026_11_20_10_06_00.log")
    writer.log.rename(rolled)
    with rolled.open("rb") as raw, gzip.open(rolled.with_suffix(".log.gz"), "wb") as packed:
        shutil.copyfileobj(raw, packed)
    rolled.unlink()
    writer.log.write_bytes(b"")
    writer.write(connect("cccc", 20, "333333333333"))
    writer.write(assume("cccc", 21, "333333333333"))
    watch.until(step_with(writer.credential[-1]))


def _truncate(writer: Writer, watch: Watch) -> None:
    """Truncated in place (copy-truncate), then written again from the start."""
    writer.log.write_bytes(b"")
    watch.until(lambda o: o["type"] == "file" and o["event"] == "truncated")
    writer.write(connect("dddd", 30, "444444444444"))
    writer.write(assume("dddd", 31, "444444444444"))
    writer.write(activity("dddd", 32))
    watch.until(step_with(writer.credential[-1]))


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "polling"])
def test_every_line_once_through_growth_rollover_gzip_truncation_and_partial_lines(tmp_path: Path, poll: bool) -> None:
    """Lines split across writes, two roll-overs (one compressed), a banner, CRLF and a truncation:
    every credential line is a step exactly once, and the line count is every line written."""
    writer = Writer(tmp_path / "vsbkp.log")
    old_partial = connect("aaaa", 0, "111111111111")
    writer.log.write_text(noise("0000", 0) + "\n" + old_partial[:30])  # the file ends inside a line
    with watching(tmp_path, "--timeout", "60", *(["--poll"] if poll else [])) as watch:
        _grow(writer, watch, old_partial)
        _roll(writer, watch)
        _roll_and_gzip(writer, watch)
        _truncate(writer, watch)
        assert watch.interrupt() == 0, watch.objects[-3:]

    steps = [o["text"] for o in watch.of("step")]
    assert steps == writer.credential  # none lost, none repeated, in order (CR and partial lines joined)
    summary = watch.of("summary")[0]
    assert summary["reason"] == "interrupted"
    assert summary["lines"] == writer.lines
    rolls = [o for o in watch.of("file") if o["event"] in {"rolled", "replaced"}]
    assert len(rolls) == 2
    assert rolls[0]["to"] == "vsbkp_2026_11_20_10_05_00.log"
    numbers = {o["text"]: o["line"] for o in watch.of("step")}
    assert numbers[old_partial] == 2  # numbered as a scan of the file numbers it
    assert numbers[writer.credential[3]] == len(BANNER) + 1  # the new file's first connect, after its banner
    outcomes = {a["account_id"]: a["outcome"] for a in summary["accounts"]}
    assert outcomes == {"111111111111": "ok", "222222222222": "ok", "333333333333": "running", "444444444444": "ok"}


def _sequence(account: str, *, fail: bool) -> list[str]:
    steps = [connect("eeee", 40, account)]
    steps.append(line("eeee", 41, DENIED.format(account=account)) if fail else assume("eeee", 41, account))
    if not fail:
        steps.append(activity("eeee", 42))
    return steps


@pytest.mark.parametrize(("fail", "status"), [(False, 0), (True, 1)], ids=["success", "failure"])
def test_until_ok_exits_when_the_account_succeeds_or_fails(tmp_path: Path, fail: bool, status: int) -> None:
    """--until-ok: 0 once the watched account completes a successful sequence, 1 once it fails."""
    log = tmp_path / "vsbkp.log"
    log.write_text("")
    with watching(tmp_path, "--account", "555555555555", "--until-ok", "--timeout", "20") as watch:
        for text in _sequence("666666666666", fail=True):  # another account's failure does not count
            append(log, text)
        for text in _sequence("555555555555", fail=fail):
            append(log, text)
        assert watch.end() == status
    findings = watch.of("finding")
    watched = [f for f in findings if f["account_id"] == "555555555555"]
    assert [f["rule"] for f in watched] == (["CVL201"] if fail else [])
    assert all(f["account_id"] != "666666666666" for f in findings)  # filtered like scan --account
    assert {s["account_id"] for s in watch.of("step")} == {"555555555555"}
    assert watch.of("summary")[0]["reason"] == ("failed" if fail else "ok")


@pytest.mark.parametrize(("fail", "status"), [(False, 0), (True, 1)], ids=["success", "failure"])
def test_until_done_waits_for_the_running_sequence_to_end(tmp_path: Path, fail: bool, status: int) -> None:
    """--until-done: a failure does not stop the watch; the end of the account's sequence (quiet for
    --idle here) does, with 1 when the account failed."""
    log = tmp_path / "vsbkp.log"
    log.write_text("")
    with watching(tmp_path, "--account", "555555555555", "--until-done", "--idle", "1s", "--timeout", "20") as watch:
        for text in _sequence("555555555555", fail=fail):
            append(log, text)
        watch.until(lambda o: o["type"] == "step" and o["kind"] in {"activity", "error"})
        started = time.monotonic()
        assert watch.end() == status
    assert time.monotonic() - started >= 0.5  # it waited for the sequence to go quiet
    assert watch.of("summary")[0]["reason"] == "done"


def test_from_start_replays_rolled_and_current_files_then_follows(tmp_path: Path) -> None:
    """--from-start: a sequence that began in a compressed rolled file and goes on in the current
    one is one sequence, as in a scan; the watch then follows and --until-ok sees it succeed."""
    rolled = tmp_path / "vsbkp_2026_11_20_10_00_30.log.gz"
    with gzip.open(rolled, "wt") as out:
        out.write(connect("ffff", 10, "777777777777") + "\n" + assume("ffff", 11, "777777777777") + "\n")
    (tmp_path / "vsbkp.log").write_text(noise("ffff", 40) + "\n")
    with watching(tmp_path, "--from-start", "--account", "777777777777", "--until-ok", "--timeout", "20") as watch:
        append(tmp_path / "vsbkp.log", activity("ffff", 50))
        assert watch.end() == 0
    steps = [(o["path"], o["line"], o["kind"], o["outcome"]) for o in watch.of("step")]
    assert steps == [
        (rolled.name, 1, "connect", "running"),
        (rolled.name, 2, "validate", "running"),
        ("vsbkp.log", 2, "activity", "ok"),
    ]


def test_all_logs_follows_other_commvault_logs(tmp_path: Path) -> None:
    """--all-logs: a CVMA.log is followed too (without it, only the four families are)."""
    for name in ("CVMA.log", "vsbkp.log"):
        (tmp_path / name).write_text("")
    with watching(tmp_path, "--all-logs", "--until-ok", "--timeout", "20") as watch:
        for text in _sequence("888888888888", fail=False):
            append(tmp_path / "CVMA.log", text)
        assert watch.end() == 0
    assert {o["path"] for o in watch.of("file")} == {"CVMA.log", "vsbkp.log"}
    assert [o["path"] for o in watch.of("step")] == ["CVMA.log"] * 3


def test_timeout_exits_3_when_nothing_decides(tmp_path: Path) -> None:
    """--timeout: exit 3 when the time runs out before --until-ok is met."""
    (tmp_path / "vsbkp.log").write_text("")
    started = time.monotonic()
    with watching(tmp_path, "--until-ok", "--timeout", "1s") as watch:
        assert watch.end() == 3
    assert time.monotonic() - started < 10
    assert watch.of("summary")[0]["reason"] == "timeout"


@pytest.mark.parametrize(
    "args",
    [["--until-ok", "--until-done"], ["--timeout", "soon"], ["--account", "12345"], ["--format", "xml"]],
    ids=["both-untils", "bad-duration", "bad-account", "bad-format"],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cvlogs.cli", "watch", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("cvlogs: ")


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cvlogs.cli", "watch", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2


@pytest.mark.parametrize(
    "corpus",
    [
        {name: name for name in ("cvd.log", "vsbkp.log", "vsdiscovery.log", "vsrst.log")},
        {"vsrst.log": "accessnode2/vsrst.log"},  # a banner, CRLF, line-numbered functions, a mid-file banner
    ],
    ids=["sample-logs", "real-layout"],
)
def test_watch_finds_what_scan_finds_on_the_finished_files(tmp_path: Path, corpus: dict[str, str]) -> None:
    """Sample logs written line by line into a watched folder: the findings watch fired, put
    together, are the findings of a scan of the files as they stand at the end (same codes,
    messages, evidence and remedies; counts summed over the occurrences watch reported)."""
    sources = {name: (SAMPLE_LOGS / sample).read_bytes().splitlines(keepends=True) for name, sample in corpus.items()}
    for name in sources:
        (tmp_path / name).write_text("")
    with watching(tmp_path, "--timeout", "60") as watch:
        for index in range(max(map(len, sources.values()))):
            for name, lines in sources.items():
                if index < len(lines):
                    with (tmp_path / name).open("ab") as out:
                        out.write(lines[index])
        watch.quiet(1.0)
        status = watch.interrupt()
    for name in sources:
        os.utime(tmp_path / name)
    scanned_files = _scan(tmp_path)
    steps = {(o["path"], o["line"], o["kind"], o["time"], o["text"]) for o in watch.of("step")}
    # A scan lists an activity run by its first and last records (runs in the samples hold at most two).
    events = {(e.location.path, e.location.line, e.kind, iso(e.time), e.text) for e in scanned_files.listed_events}
    assert steps == events  # the same lines, numbers, kinds and times (banners, CRLF, years)
    scan = report_of(scanned_files)
    assert status == scan.exit_status  # Ctrl-C: 1 when an error finding fired, as scan exits
    expected = {(f.rule, f.account_id, f.role_arn): finding_dict(f) for f in scan.findings}
    fired: dict[tuple[str, str | None, str | None], list[dict[str, Any]]] = {}
    for finding in watch.of("finding"):
        del finding["type"]
        fired.setdefault((finding["rule"], finding["account_id"], finding["role_arn"]), []).append(finding)
    assert set(fired) == set(expected)
    for key, found in fired.items():
        scanned = expected[key]
        assert sum(f["count"] for f in found) == scanned["count"], key
        assert {f["remedy"] for f in found} == {scanned["remedy"]}
        evidence = [e for f in found for e in f["evidence"]]
        assert all(e in evidence for e in scanned["evidence"]), key
        if len(found) == 1:
            assert found[0] == scanned, key
        else:
            assert scanned["message"].startswith(min(found, key=lambda f: f["first_seen"])["message"]), key
    assert len(expected) > 10 or len(corpus) == 1  # the sample corpus exercises many rules


def _scan(folder: Path) -> Any:
    from cvlogs.intake import discover  # noqa: PLC0415
    from cvlogs.parsing import collect, scan_sources  # noqa: PLC0415

    sources, skipped = discover([folder], host=HOST, host_named=True)
    return collect(scan_sources(sources), skipped)


def test_durations() -> None:
    assert parse_duration("90") == 90
    assert parse_duration("1.5m") == 90
    assert parse_duration("2h") == 7200
    assert parse_duration("250ms") == 0.25


def test_closed_sequences_leave_the_window(tmp_path: Path) -> None:
    """In process: two hundred sequences fed one batch each keep only the open ones and the last
    ``keep_closed`` closed ones in memory, and every success is still counted."""
    from cvlogs.watch.engine import Batch, Engine  # noqa: PLC0415

    engine = Engine(HOST, keep_closed=8)
    lines = 0
    for number in range(200):
        account = f"{100000000000 + number % 7}"
        records = [connect("abcd", number, account), assume("abcd", number, account), activity("abcd", number)]
        data = "".join(text + "\n" for text in records).encode()
        engine.feed(Batch("vsbkp.log", "vsbkp", data, lines, lines == 0, datetime.now()))
        lines += len(records)
    assert len(engine.window) <= 3 * (8 + 1)
    assert sum(state.succeeded for state in engine.accounts.values()) == 200
    assert engine.lines == 600
