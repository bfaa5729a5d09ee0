"""Hostile and broken input: never crash, never lose a line, never block, never write near the logs."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import io
import os
import re
import stat
import tarfile
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pyparsing as pp
import pytest
from cvlogs.grammars import arn, aws_errors, credentials, header, secrets, vocabulary
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cvlogs import redact as redaction
from cvlogs.cli import app
from cvlogs.intake import Limits, discover
from cvlogs.model import SkippedSource
from cvlogs.parsing import messages, scan_paths, scan_source
from cvlogs.parsing import secrets as secret_path
from cvlogs.parsing.arns import analyse_role_arn
from cvlogs.parsing.chunks import MAX_LINE_BYTES
from cvlogs.parsing.lineindex import _HEADERLESS
from cvlogs.parsing.messages import find_error, interpret

from .conftest import write_log

LINE = "1 a 11/20 10:00:00 7 AmazonConnection::ValidateCredentials() - Assume role [arn:aws:iam::444455556666:role/R]\n"
runner = CliRunner()

# --- fuzzing ----------------------------------------------------------------------------------

MESSAGE_GRAMMARS = [credentials.CONNECT, credentials.ASSUME_ROLE, arn.ARN, *(f.grammar for f in aws_errors.FACTS)]
NASTY = st.text(
    alphabet=st.sampled_from(list("arn:aws:iam::[]()\"' \t-–User:is not authorized0123456789xX/.")), max_size=200
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), NASTY))
def test_grammars_fail_only_with_parse_exceptions(text: str) -> None:
    """Every grammar either parses or raises ParseException: nothing else escapes."""
    for grammar in [header.HEADER, *MESSAGE_GRAMMARS]:
        with contextlib.suppress(pp.ParseException):
            grammar.parse_string(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.one_of(st.text(max_size=300), NASTY))
def test_message_registry_never_raises(class_name: str, method: str, text: str) -> None:
    """Interpreting any message, error facts and ARNs included, never raises."""
    interpret(class_name, method, messages.mask_volatile(text))
    find_error(text, text.lower())
    analyse_role_arn(text)
    redaction.redact(text)


# --- archives -----------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")


def test_unsafe_and_link_members_are_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    """'..' and absolute member names and symlink members are reported; good members are read."""
    _zip(
        tmp_path / "bundle.zip",
        {"../../evil/vsbkp.log": LINE.encode(), "/abs/vsrst.log": LINE.encode(), "ok/vsbkp.log": LINE.encode()},
        links=("link/cvd.log",),
    )
    with tarfile.open(tmp_path / "logs.tar.gz", "w:gz") as archive:
        link = tarfile.TarInfo("Log_Files/vsbkp.log")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
        archive.addfile(link)
    result = scan_paths([tmp_path])
    assert [f.path for f in result.files] == ["bundle.zip!ok/vsbkp.log"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert "unsafe member name" in reasons["bundle.zip!../../evil/vsbkp.log"]
    assert "unsafe member name" in reasons["bundle.zip!/abs/vsrst.log"]
    assert "symbolic link" in reasons["bundle.zip!link/cvd.log"]
    assert "symbolic link" in reasons["logs.tar.gz!Log_Files/vsbkp.log"]


@pytest.mark.parametrize("kind", ["gz", "bz2", "zip"])
def test_archive_bombs_stop_at_the_cap(tmp_path: Path, kind: str) -> None:
    """A small file that expands enormously is skipped at the cap, with a reason and the option to raise it."""
    payload = (LINE * 30_000).encode()  # about 3.5 MB, compresses to a few kilobytes
    if kind == "gz":
        (tmp_path / "vsbkp_2026_11_20_23_00_00.log.gz").write_bytes(gzip.compress(payload))
    elif kind == "bz2":
        (tmp_path / "vsbkp_2026_11_20_23_00_00.log.bz2").write_bytes(bz2.compress(payload))
    else:
        _zip(tmp_path / "bomb.zip", {"vsbkp.log": payload})
    write_log(tmp_path, "vsrst_2026_11_20_23_00_00.log", LINE)
    limits = Limits(max_member_bytes=1 << 20)
    result = scan_paths([tmp_path], limits=limits)
    assert [f.path for f in result.files] == ["vsrst_2026_11_20_23_00_00.log"]
    (reason,) = [s.reason for s in result.skipped]
    assert "--max-member-bytes" in reason
    raised = scan_paths([tmp_path], limits=Limits(max_member_bytes=1 << 30))
    assert sum(f.lines for f in raised.files) == 30_001


def test_the_cap_option_reaches_the_command_line(tmp_path: Path) -> None:
    """--max-member-bytes is a scan option; with the only log over the cap, nothing is read (exit 2, and why)."""
    (tmp_path / "vsbkp_2026_11_20_23_00_00.log.gz").write_bytes(gzip.compress((LINE * 50_000).encode()))
    result = runner.invoke(app, ["scan", str(tmp_path), "--format", "json", "--max-member-bytes", "100000"])
    assert result.exit_code == 2
    assert "archive bomb" in result.stderr


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("vsbkp_2026_11_20_23_00_00.log.gz", lambda data: gzip.compress(data)[:-40]),
        ("vsbkp_2026_11_20_23_00_00.log.bz2", lambda data: bz2.compress(data)[: len(bz2.compress(data)) // 2]),
        ("vsbkp_2026_11_20_23_00_00.log.gz", lambda data: b"\x1f\x8b" + os.urandom(200)),
        ("broken.zip", lambda data: b"PK\x03\x04" + os.urandom(300)),
        ("broken.tar.gz", lambda data: gzip.compress(b"not a tar at all" * 40)),
    ],
)
def test_truncated_or_corrupt_files_are_skipped_and_others_read(
    tmp_path: Path, name: str, damage: Callable[[bytes], bytes]
) -> None:
    """A broken file is skipped with its reason; every other file is still scanned."""
    (tmp_path / name).write_bytes(damage((LINE * 5000).encode()))
    write_log(tmp_path, "vsrst_2026_11_20_23_00_00.log", LINE)
    result = scan_paths([tmp_path])
    assert [f.path for f in result.files] == ["vsrst_2026_11_20_23_00_00.log"]
    assert [s.path for s in result.skipped] == [name]
    assert result.skipped[0].reason


def test_a_corrupt_zip_member_skips_only_that_member(tmp_path: Path) -> None:
    """A member whose data is damaged is skipped; its siblings are read."""
    _zip(tmp_path / "bundle.zip", {"a/vsbkp.log": (LINE * 3000).encode(), "b/vsrst.log": LINE.encode()})
    data = bytearray((tmp_path / "bundle.zip").read_bytes())
    data[200:260] = b"\0" * 60  # inside the first member's compressed data
    (tmp_path / "bundle.zip").write_bytes(bytes(data))
    result = scan_paths([tmp_path])
    assert [f.path for f in result.files] == ["bundle.zip!b/vsrst.log"]
    assert [s.path for s in result.skipped] == ["bundle.zip!a/vsbkp.log"]


def test_nested_archives_stop_at_the_depth_limit(tmp_path: Path) -> None:
    """Archives inside archives are read down to --max-depth, and reported beyond it."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("vsbkp.log", LINE)
    middle = io.BytesIO()
    with zipfile.ZipFile(middle, "w") as archive:
        archive.writestr("inner.zip", inner.getvalue())
        archive.writestr("vsrst.log", LINE)
    _zip(tmp_path / "outer.zip", {"middle.zip": middle.getvalue()})
    deep = scan_paths([tmp_path], limits=Limits(max_depth=3))
    assert [f.path for f in deep.files] == [
        "outer.zip!middle.zip!inner.zip!vsbkp.log",
        "outer.zip!middle.zip!vsrst.log",
    ]
    shallow = scan_paths([tmp_path], limits=Limits(max_depth=2))
    assert [f.path for f in shallow.files] == ["outer.zip!middle.zip!vsrst.log"]
    assert "nested deeper than 2" in shallow.skipped[0].reason


# --- the file system ------------------------------------------------------------------------------


def test_fifos_devices_and_link_loops_are_skipped_without_blocking(tmp_path: Path) -> None:
    """A FIFO or device is never opened; a symlink loop is reported, not followed forever."""
    os.mkfifo(tmp_path / "vsbkp.log")
    (tmp_path / "cvd.log").symlink_to("/dev/zero")
    (tmp_path / "a_vsrst.log").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "vsrst.log")
    (tmp_path / "vsrst.log").symlink_to(tmp_path / "b")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)  # a directory loop
    write_log(tmp_path / "sub", "vsdiscovery.log", LINE)
    result = scan_paths([tmp_path])
    assert [f.path for f in result.files] == ["sub/vsdiscovery.log"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert "FIFO" in reasons["vsbkp.log"]
    assert "out of the scanned folder" in reasons["cvd.log"]  # /dev/zero: outside, so never opened
    assert "unreadable" in reasons["vsrst.log"]


def test_a_file_that_vanishes_before_it_is_read_is_skipped(tmp_path: Path) -> None:
    """Between discovery and reading a file may go away (or lose its permissions)."""
    path = write_log(tmp_path, "vsbkp.log", LINE)
    (source,) = discover([tmp_path])[0]
    path.unlink()
    result = scan_source(source)
    assert isinstance(result, SkippedSource)
    assert "FileNotFoundError" in result.reason


def test_empty_files_are_read(tmp_path: Path) -> None:
    """An empty log has no lines and no trouble."""
    write_log(tmp_path, "vsbkp.log", b"")
    (file,) = scan_paths([tmp_path]).files
    assert (file.lines, file.records, file.first_time) == (0, 0, None)


def test_a_huge_line_without_newline_is_counted_in_bounded_memory(tmp_path: Path) -> None:
    """A 10 MB line (and a 30 MB one ending the file) count as one line each; memory stays bounded."""
    big = b"1 a 11/20 10:00:01 7 CAmazonInfo::Z() - token " + b"A" * (10 << 20)
    write_log(tmp_path, "vsbkp.log", LINE.encode() + big + b"\n" + LINE.encode() + b"B" * (30 << 20))
    tracemalloc.start()
    (file,) = scan_paths([tmp_path]).files
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (file.lines, file.records, file.continuations) == (4, 3, 1)
    assert peak < 8 * (8 << 20) + 4 * MAX_LINE_BYTES  # a few chunks, never the 30 MB line


def test_a_file_that_grows_while_read_keeps_its_accounting(tmp_path: Path) -> None:
    """Lines appended during the scan are read or not, but every line read is accounted for."""
    path = write_log(tmp_path, "vsbkp.log", LINE * 50_000)
    stop = threading.Event()

    def grow() -> None:
        with path.open("a") as handle:
            while not stop.is_set():
                handle.write(LINE * 100)
                handle.flush()
                time.sleep(0.001)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        (file,) = scan_paths([tmp_path]).files
    finally:
        stop.set()
        writer.join()
    assert file.lines >= 50_000
    assert file.lines == file.records + file.continuations + file.unparsed


# --- read-only ---------------------------------------------------------------------------------------


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        for path in sorted(root.rglob("*"))
    }


def test_scanning_changes_nothing_in_the_scanned_tree(samples: Path, tmp_path: Path) -> None:
    """Every output format written elsewhere; the scanned tree is byte for byte the same, nothing added."""
    before = _tree_digest(samples)
    out = tmp_path / "out"
    out.mkdir()
    for output_format in ("text", "json", "markdown", "html"):
        runner.invoke(app, ["scan", str(samples), "--format", output_format, "-o", str(out / f"r.{output_format}")])
    for output_format in ("csv", "jsonl", "parquet"):
        runner.invoke(
            app, ["events", str(samples), "--all", "--format", output_format, "-o", str(out / f"e.{output_format}")]
        )
    runner.invoke(app, ["timeline", str(samples), "--account", "444455556666"])
    assert _tree_digest(samples) == before
    assert len(list(out.iterdir())) == 7


# --- regular-expression safety ---------------------------------------------------------------------

SEARCHED = {  # patterns that run with search, finditer or sub over whole messages
    "code word": aws_errors.CODE_WORD.re,
    "php code": aws_errors.PHP_CODE.re,
    "endpoint host": aws_errors.HOST.re,
    "vocabulary": vocabulary.VOCABULARY.re,
    "exceptions": vocabulary.EXCEPTION.re,
    "failure words": vocabulary.FAILURE_WORDS.re,
    "topics": vocabulary.TOPICS.re,
    "benign words": vocabulary.BENIGN.re,
    "aws context": vocabulary.AWS_CONTEXT.re,
    "credential vocabulary": aws_errors.CREDENTIAL_VOCABULARY.re,
    "error gate": aws_errors.ERROR_GATE.re,
    "trailer": re.compile(header.TRAILER_PATTERN),
    "volatile": messages._VOLATILE,
    **{f"redact {name}": value for name, value in vars(secret_path).items() if isinstance(value, re.Pattern)},
}
MATCHED = {  # patterns that run anchored at one position (the header, the grammars' pp.Regex parts)
    "header": header.HEADER.re,
    **{
        f"{module.__name__}.{name}": value.re
        for module in (arn, aws_errors, credentials, secrets, vocabulary)
        for name, value in vars(module).items()
        if isinstance(value, pp.Regex)
    },
}
ADVERSARIAL = [":", "[", "arn:aws:", "A", "a", "0", " ", "a.", "-", '"', "User: ", "AKIA", "1 a 1/1 1:11:11 ", "x-"]
ADVERSARIAL += ["password=", "pwd&", "a&b=", "<Token>", "-----BEGIN PRIVATE KEY-----", "eyJa.", "s://a:", "\\", "a\n"]
LENGTH = 100_000


def _best_time(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _normal_line() -> str:
    words = ["backup", "stream", "volume", "snapshot", "region", "instance", "status", "running", "progress"]
    return (" ".join(words) * (LENGTH // 60 + 1))[:LENGTH]


@pytest.mark.parametrize("name", sorted(SEARCHED) + sorted(MATCHED))
def test_patterns_are_linear_on_adversarial_lines(name: str) -> None:
    """100,000 characters of ':' or '[' or 'arn:aws:'... take about as long as a normal line."""
    pattern = SEARCHED.get(name) or MATCHED[name]
    run = pattern.search if name in SEARCHED else pattern.match
    normal = _best_time(lambda: run(_normal_line()))
    worst = max(_best_time(lambda s=(piece * LENGTH)[:LENGTH]: run(s)) for piece in ADVERSARIAL)  # type: ignore[misc]
    assert worst < max(normal, 0.002) * 50, f"{name}: {worst * 1000:.1f} ms against {normal * 1000:.1f} ms"


def test_headerless_scan_is_linear_on_adversarial_bytes() -> None:
    """The bulk headerless-line pattern stays linear on adversarial lines too."""
    normal = _best_time(lambda: list(_HEADERLESS.finditer(("\n" + _normal_line()).encode())))
    for piece in ADVERSARIAL:
        text = ("\n" + (piece * LENGTH)[:LENGTH]).encode()
        assert _best_time(lambda t=text: list(_HEADERLESS.finditer(t))) < max(normal, 0.002) * 50, piece  # type: ignore[misc]


def test_the_whole_pipeline_is_linear_on_adversarial_lines(tmp_path: Path) -> None:
    """A log whose lines are adversarial scans about as fast as one with normal lines of the same size."""
    prefix = "1 a 11/20 10:00:00 7 CAmazonInfo::Connect() - "
    write_log(tmp_path / "normal", "vsbkp.log", "\n".join(prefix + _normal_line() for _ in range(3)))
    hostile = "\n".join(prefix + "token " + (piece * LENGTH)[:LENGTH] for piece in ADVERSARIAL)
    write_log(tmp_path / "hostile", "vsbkp.log", hostile)
    normal = _best_time(lambda: scan_paths([tmp_path / "normal"]), repeat=2) / 3
    worst = _best_time(lambda: scan_paths([tmp_path / "hostile"]), repeat=2) / len(ADVERSARIAL)
    assert worst < max(normal, 0.005) * 50, f"{worst * 1000:.1f} ms a line against {normal * 1000:.1f} ms"


def test_an_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied (simulated: the tests run as root) makes a skipped file, not a crash."""
    path = write_log(tmp_path, "vsbkp.log", LINE)
    write_log(tmp_path, "vsrst.log", LINE)
    real_open = open

    def deny(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", deny)
    result = scan_paths([tmp_path])
    assert [f.path for f in result.files] == ["vsrst.log"]
    assert "PermissionError" in result.skipped[0].reason
