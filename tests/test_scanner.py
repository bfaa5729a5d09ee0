"""The hot path: every line accounted for, whatever the chunking, encoding or line ending."""

from __future__ import annotations

import codecs
import gzip
import multiprocessing
import os
import pickle
import random
import re
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from cvlogs.grammars import banner, header
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cvlogs.intake import LogSource, discover
from cvlogs.model import FileResult
from cvlogs.parsing import scan_paths, scan_sources
from cvlogs.parsing.readers import ReaderDied
from cvlogs.parsing.scanner import scan_source

from .conftest import write_log

ROLE = "arn:aws:iam::444455556666:role/R"
VALIDATE = f"AmazonConnection::ValidateCredentials() - Assume role [{ROLE}]"
CONNECT = f"CAmazonInfo::Connect() - Connecting to Url=[default], username[{ROLE}]"


_BLANKS = " \t\x0b\x0c"
"""What ``bytes.strip`` takes away within a line (its line end is split off already)."""


def _reference_accounting(data: bytes) -> tuple[int, int, int, int, int]:
    """Lines, records, continuations, banner, unparsed by the plain definition, one line at a time.

    A banner here: a line of 20 or more ``*`` (then only blanks or tabs, as in
    ``grammars.banner.BORDER_PATTERN``) up to the next such line at most 17 lines on (both
    included), and one blank line right after it (ASCII blanks only, as ``bytes.strip`` has them:
    a line of ``\x1f`` is not blank, though ``str.strip`` would take it away).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    lines = [raw.decode("latin-1") for raw in re.split(rb"\r\n|\r|\n", data)]  # a lone CR ends a line too
    if lines and lines[-1] == "":
        lines.pop()
    in_banner = [False] * len(lines)
    border = [len(line) >= 20 and set(line.rstrip(" \t")) == {"*"} for line in lines]
    number = 0
    while number < len(lines):
        closing = next((n for n in range(number + 1, min(number + 18, len(lines))) if border[n]), None)
        if border[number] and closing is not None:
            end = closing + 1 if closing + 1 < len(lines) and not lines[closing + 1].strip(_BLANKS) else closing
            in_banner[number : end + 1] = [True] * (end + 1 - number)
            number = end + 1
        else:
            number += 1
    records = continuations = banner = unparsed = 0
    for line, kept in zip(lines, in_banner, strict=True):
        if kept:
            banner += 1
        elif header.HEADER_PREFIX.re.match(line):
            records += 1
        elif records:
            continuations += 1
        else:
            unparsed += 1
    return len(lines), records, continuations, banner, unparsed


def _counts(result: FileResult) -> tuple[int, int, int, int, int]:
    return result.lines, result.records, result.continuations, result.banner, result.unparsed


def _source(path: Path) -> LogSource:
    sources, _ = discover([path])
    return sources[0]


def test_sample_logs_are_accounted_line_for_line(samples: Path) -> None:
    """Every file of sample_logs: lines = records + continuations + banner + unparsed, as the reference counts."""
    result = scan_paths([samples])
    assert len(result.files) == 9
    for file in result.files:
        assert file.lines == file.records + file.continuations + file.banner + file.unparsed
        sources, _ = discover([samples])
        source = next(s for s in sources if s.path == file.path)
        with source.open() as stream:
            assert _counts(file) == _reference_accounting(stream.read()), file.path
    assert [s.path for s in result.skipped] == ["README.md"]


def test_seed_guide_lines_yield_steps_with_the_redacted_account(samples: Path) -> None:
    """The guide's three lines parse: two Connects and one Assume role, account redacted."""
    result = scan_paths([samples / "seed_guide"])
    events = result.events
    assert [e.kind for e in events] == ["connect", "connect", "validate"]
    assert all(e.role is not None and e.role.redacted and e.role.name == "VSA_Role" for e in events)
    assert [e.pid for e in events] == [960, 6924, 6924]
    assert events[1].message.endswith("role/VSA_Role]")  # the glued duplicate header is cut off
    assert result.files[0].unparsed == 0


@pytest.mark.parametrize("chunk_size", [7, 64, 300, 4096])
def test_chunk_size_never_changes_the_result(samples: Path, chunk_size: int) -> None:
    """Records and continuations are never split wrongly, however small the chunks."""
    for source in discover([samples])[0]:
        small = scan_source(source, chunk_size=chunk_size)
        large = scan_source(source)
        assert _counts(small) == _counts(large)
        assert [(e.kind, e.location, e.message) for e in small.events] == [
            (e.kind, e.location, e.message) for e in large.events
        ]
        assert [(r.first, r.last, r.records) for r in small.activity] == [
            (r.first, r.last, r.records) for r in large.activity
        ]


def test_crlf_bom_and_latin1_bytes_never_stop_a_scan(tmp_path: Path) -> None:
    """A BOM, CRLF endings and bytes that are not UTF-8 are read; nothing is lost."""
    data = (
        b"\xef\xbb\xbf4012 1a2c 11/20 10:00:01 1 CAmazonInfo::Connect() - Connecting to Url=[default], "
        b"username[arn:aws:iam::444455556666:role/R\xe9]\r\n"
        b"  caf\xe9 continuation\r\n"
        b"4012 1a2c 11/20 10:00:02 1 x::y() - done\r\n"
    )
    write_log(tmp_path, "vsbkp.log", data)
    result = scan_paths([tmp_path]).files[0]
    assert _counts(result) == (3, 2, 1, 0, 0)
    event = result.events[0]
    assert event.role is not None
    assert event.role.name == "R\xe9"
    assert not event.text.endswith("\r")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_logs_are_read(tmp_path: Path, encoding: str) -> None:
    """Windows tools sometimes write UTF-16, with or without a BOM."""
    text = f"4012 1a2c 11/20 10:00:01 1 {VALIDATE}\r\n"
    write_log(tmp_path, "vsbkp.log", text.encode(encoding))
    result = scan_paths([tmp_path]).files[0]
    assert result.encoding.startswith("utf-16")
    assert _counts(result) == (1, 1, 0, 0, 0)
    assert result.events[0].kind == "validate"


def test_year_advances_when_the_month_goes_back(tmp_path: Path) -> None:
    """A rolled file dated January holds December lines of the year before."""
    text = f"1 a 12/31 23:59:58 1 {VALIDATE}\n1 a 01/01 00:00:03 1 {VALIDATE}\n"
    write_log(tmp_path, "vsbkp_2027_01_01_00_10_00.log", text)
    result = scan_paths([tmp_path]).files[0]
    assert [e.time for e in result.events] == [datetime(2026, 12, 31, 23, 59, 58), datetime(2027, 1, 1, 0, 0, 3)]
    assert (result.first_time, result.last_time) == (datetime(2026, 12, 31, 23, 59, 58), datetime(2027, 1, 1, 0, 0, 3))


def test_a_december_line_in_a_file_modified_in_january_keeps_its_year(tmp_path: Path) -> None:
    """The last line, written on 12/31, belongs to the year before a January modification time."""
    text = f"1 a 12/31 23:59:58 1 {VALIDATE}\n"
    write_log(tmp_path, "vsbkp.log", text, mtime=datetime(2027, 1, 1, 0, 0, 5))
    assert scan_paths([tmp_path]).events[0].time == datetime(2026, 12, 31, 23, 59, 58)


def test_keep_all_makes_an_event_of_every_record(samples: Path) -> None:
    """With keep_all every record is an event; credential events keep their kinds, and every
    activity record that a run only counts is an activity event."""
    everything = scan_paths([samples], keep_all=True)
    relevant = scan_paths([samples])
    assert len(everything.events) == sum(f.records for f in everything.files)
    kinds = {(e.location, e.kind) for e in everything.events if e.kind not in {"other", "activity"}}
    assert kinds == {(e.location, e.kind) for e in relevant.events if e.kind != "activity"}
    runs = [run for f in relevant.files for run in f.activity]
    activity = {e.location for e in everything.events if e.kind == "activity"}
    assert len(activity) == sum(r.records for r in runs) + sum(e.kind == "activity" for e in relevant.events)
    assert {e.location for f in relevant.files for e in f.listed_events if e.kind == "activity"} <= activity
    assert runs  # the sample logs have plain Amazon activity


def test_continuation_lines_join_their_record(tmp_path: Path) -> None:
    """A Go-style error's second line is part of the record's message."""
    text = (
        "1 a 11/20 10:00:00 1 CAmazonEC2::Describe() - UnauthorizedOperation: You are not authorized to perform "
        "this operation.\n\tstatus code: 403, request id: 5\n"
    )
    write_log(tmp_path, "vsbkp.log", text)
    event = scan_paths([tmp_path]).events[0]
    assert event.error is not None
    assert event.error.status == 403
    assert event.location.line == 1


def test_a_trigger_in_a_continuation_line_brings_its_record(tmp_path: Path) -> None:
    """A credential word on a continuation line makes its whole record relevant."""
    text = (
        "1 a 11/20 10:00:00 1 x::y() - call failed:\n  An error occurred (ExpiredToken) when calling the X operation\n"
    )
    write_log(tmp_path, "vsbkp.log", text)
    events = scan_paths([tmp_path]).events
    assert [(e.kind, e.location.line) for e in events] == [("error", 1)]
    assert events[0].error is not None
    assert events[0].error.code == "ExpiredToken"


@pytest.mark.parametrize(
    ("banners", "blank", "chunk_size"),
    [(7, "", 1), (7, "", 64), (20, "\n", 64), (20, "\n", 300), (20, "\n", 4096), (20, "", 1 << 20)],
)
def test_banners_after_a_long_record_are_never_cut_in_two(
    tmp_path: Path, banners: int, blank: str, chunk_size: int
) -> None:
    """A record longer than the chunker looks back over (its continuations and the banners after
    it, 65 lines and more) is cut before the banners at its end, not inside one (found by the
    accounting test below, with chunks of one byte: 54 banner lines of 63; and by review, twenty
    banners with blank lines, as a service that restarts again and again writes them)."""
    head = f"4012 1a2c 11/20 10:00:01 1 {CONNECT}\n\tcontinuation\n\tcontinuation\n"
    write_log(tmp_path, "vsbkp.log", head + (BANNERS[0] + "\n" + blank) * banners)
    data = (tmp_path / "vsbkp.log").read_bytes()
    result = scan_source(_source(tmp_path / "vsbkp.log"), chunk_size=chunk_size)
    assert isinstance(result, FileResult)
    assert _counts(result) == _reference_accounting(data)
    assert result.banner == banners * (BANNERS[0].count("\n") + 1 + len(blank))


def test_a_window_that_starts_among_banners_tells_no_cut() -> None:
    """Where a file is split, the cut is looked for in a window before a block end: when the walk
    back over the banners there reaches the window's start, what lies before it decides, so the
    window tells nothing (a whole read's buffer starts where a chunk starts, and is cut there)."""
    from cvlogs.parsing.chunks import cut_in, last_record_start  # noqa: PLC0415

    border = b"*" * 30 + b"\n"
    buffer = b"\tx\n" * 5 + (border + b"\tx\n" * 9) * 8
    assert last_record_start(buffer) == 5 * len(b"\tx\n")
    assert last_record_start(buffer, whole=False) == 0
    assert cut_in(buffer) is None


def test_compressed_files_read_like_plain_ones(tmp_path: Path) -> None:
    """A .gz log yields the same events as the plain file."""
    text = f"1 a 11/20 10:00:00 1 {VALIDATE}\n"
    write_log(tmp_path / "plain", "vsbkp_2026_11_20_10_00_00.log", text)
    (tmp_path / "gz").mkdir()
    (tmp_path / "gz" / "vsbkp_2026_11_20_10_00_00.log.gz").write_bytes(gzip.compress(text.encode()))
    plain = scan_paths([tmp_path / "plain"]).events
    packed = scan_paths([tmp_path / "gz"]).events
    assert [(e.kind, e.time, e.role) for e in plain] == [(e.kind, e.time, e.role) for e in packed]


BANNERS = [text for text, _ in banner.SAMPLES]
"""Whole banners (several lines each), to be cut anywhere by the chunking."""
LINE_PIECES = st.sampled_from(
    [
        f"4012 1a2c 11/20 10:00:01 1 {CONNECT}",
        f"4012 1a2c 11/20 10:00:02 1 {VALIDATE}",
        "4012 1a2c 11/20 10:00:03 1 x::y() - An error occurred (AccessDenied) when calling the AssumeRole operation",
        "4012 1a2c 11/20 10:00:04 1 x::y() - plain",
        "\tcontinuation",
        "",
        "garbage [ arn:aws: ::: ]",
        *BANNERS,
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(LINE_PIECES, st.text(max_size=60)), max_size=25),
    st.sampled_from(["\n", "\r\n"]),
    st.binary(max_size=40),
    st.integers(min_value=1, max_value=200),
)
@example([BANNERS[0], "\x1f"], "\n", b"", 1)  # a control character is not a blank line after a banner
def test_arbitrary_lines_and_bytes_keep_the_accounting(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], ending: str, noise: bytes, chunk_size: int
) -> None:
    """Arbitrary text, whole banners and bytes never raise, and the accounting matches the reference."""
    folder = tmp_path_factory.mktemp("fuzz")
    flat = [part for line in lines for part in (line.split("\n") if line in BANNERS else [line])]
    data = ending.join(line.replace("\n", " ").replace("\r", " ") for line in flat).encode() + noise
    write_log(folder, "vsbkp.log", data)
    source = _source(folder / "vsbkp.log")
    result = scan_source(source, chunk_size=chunk_size)
    assert isinstance(result, FileResult)
    assert result.lines == result.records + result.continuations + result.banner + result.unparsed
    if result.encoding == "utf-8":
        assert _counts(result) == _reference_accounting(data)


def test_the_process_pool_works_with_spawn(samples: Path) -> None:
    """Windows and macOS start workers with spawn: sources and the task must survive pickling."""
    sources, _ = discover([samples])
    spawned = list(scan_sources(sources, jobs=2, context=multiprocessing.get_context("spawn")))
    local = list(scan_sources(sources))
    assert spawned == local


def test_file_results_survive_pickling_unchanged(samples: Path) -> None:
    """Workers send results as columns; what arrives equals what was read, with or without events
    and activity runs, as the same types (runs and their events too)."""
    results = [scan_source(source) for source in discover([samples])[0]]
    assert any(isinstance(r, FileResult) and r.events for r in results)
    assert any(isinstance(r, FileResult) and r.activity for r in results)
    empty = FileResult("x.log", "cvd", None, 0, 0, 0, 0, None, None)
    only_runs = [replace(r, events=()) for r in results if isinstance(r, FileResult) and r.activity]
    for result in [*results, empty, *only_runs]:
        copy = pickle.loads(pickle.dumps(result))
        assert copy == result
        assert _types(copy) == _types(result)


def _types(result: object) -> list[list[type]]:
    events = getattr(result, "events", ())
    runs = getattr(result, "activity", ())
    return [
        [type(e) for e in events],
        [type(e.location) for e in events],
        [type(r) for r in runs],
        [type(e) for r in runs for e in (r.first, r.last, r.first.location, r.last.location)],
    ]


@pytest.mark.parametrize("jobs", [2, 3, 8])
def test_this_process_and_the_workers_share_the_files(samples: Path, jobs: int) -> None:
    """Whoever reads a file, the results come back in source order, equal to one process's, with
    progress reported once per file."""
    sources, _ = discover([samples])
    assert len(sources) > 2
    seen: list[str] = []
    shared = list(scan_sources(sources, jobs=jobs, progress=lambda result: seen.append(result.path)))
    assert shared == list(scan_sources(sources))
    assert sorted(seen) == sorted(source.path for source in sources)


def test_an_error_in_a_worker_reaches_the_caller(samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that makes the (forked) worker fail raises here instead of going missing."""
    sources, _ = discover([samples])
    largest = max(sources, key=lambda source: source.file.stat().st_size)  # the worker's first file

    def failing(source: LogSource, keep_all: bool = False) -> object:
        if source.path == largest.path:
            raise RuntimeError("worker failed")
        return scan_source(source, keep_all=keep_all)

    monkeypatch.setattr("cvlogs.parsing.scanner.scan_source", failing)
    with pytest.raises(RuntimeError, match="worker failed"):
        list(scan_sources(sources, jobs=2, context=multiprocessing.get_context("fork")))


def test_a_worker_that_dies_stops_the_scan(samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-file (out of memory, say) breaks the pool: the scan raises, never hangs."""
    sources, _ = discover([samples])
    died = tmp_path / "died"

    def dying(source: LogSource, keep_all: bool = False) -> object:
        if multiprocessing.parent_process() is not None:  # a worker dies on the first file it takes
            died.touch()
            os._exit(1)
        # This process waits for that, or on a loaded machine it could read every file first.
        deadline = time.monotonic() + 30
        while not died.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return scan_source(source, keep_all=keep_all)

    monkeypatch.setattr("cvlogs.parsing.scanner.scan_source", dying)
    with pytest.raises(ReaderDied, match="exit code 1"):
        list(scan_sources(sources, jobs=3, context=multiprocessing.get_context("fork")))


def _cut_by_whole_buffers(blocks: list[bytes]) -> list[bytes]:
    """The reference cutter: each block joined to what the last cut left, cut where
    ``last_record_start`` says (the cutter looks at the block alone first, to copy less)."""
    from cvlogs.parsing.chunks import MAX_LINE_BYTES, last_record_start  # noqa: PLC0415

    chunks, carry, skipping = [], b"", False
    for block in blocks:
        start = 0
        if skipping:
            start = block.find(b"\n")
            if start < 0:
                continue
            skipping = False
        buffer = carry + block[start:]
        cut = last_record_start(buffer)
        if cut > 0:
            chunks.append(buffer[:cut])
        carry = buffer[cut:]
        if len(carry) > MAX_LINE_BYTES and b"\n" not in carry:
            carry, skipping = carry[:MAX_LINE_BYTES], True
    return [*chunks, carry] if carry else chunks


_CUT_LINES = st.sampled_from([
    b"1 a 11/20 10:00:00 CAmazonInfo::Connect() - m", b"1 a 11/20 10:00:01", b"\tcontinued", b"", b"x" * 70,
    b"*" * 30, b"  Name : value",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_CUT_LINES, max_size=120), st.booleans(), st.integers(1, 400), st.integers(0, 2**32))
def test_chunks_cut_as_the_whole_buffer_is(lines: list[bytes], final_newline: bool, size: int, seed: int) -> None:
    """Cutting on the block alone when it holds the cut gives the very chunks of cutting the
    carry and the block joined: short and long records, banners, blocks mid-line and tiny."""
    from cvlogs.parsing.chunks import _cut_at_records  # noqa: PLC0415

    text = b"\n".join(lines) + (b"\n" if final_newline else b"")
    rng = random.Random(seed)
    blocks, at = [], 0
    while at < len(text):
        step = rng.randint(1, size)
        blocks.append(text[at : at + step])
        at += step
    chunks = list(_cut_at_records(iter(blocks)))
    assert chunks == _cut_by_whole_buffers(blocks)
    assert b"".join(chunks) == text


def test_a_header_line_with_nothing_after_its_time_is_a_cut_point() -> None:
    """Chunks are cut at the last complete header line, also one that ends right after its time."""
    from cvlogs.parsing.chunks import last_record_start  # noqa: PLC0415  (the cutter itself)

    buffer = b"1 a 11/20 10:00:00 x\n continued\n1 a 11/20 10:00:01\n2 b 11/20 10:00:0"
    assert last_record_start(buffer) == buffer.index(b"1 a 11/20 10:00:01")


@given(
    st.lists(st.one_of(st.integers(1, 12), st.integers(1, 12).map(lambda m: -(2026 * 16 + m))), max_size=40),
    st.lists(st.tuples(st.integers(-1, 40), st.integers(0, 12)), max_size=10),
)
@example([12, 6], [])  # six months back: a new year
@example([12, 7], [])  # five: the same year
@example([12], [(0, 6)])
@example([12], [(0, 7)])
@example([3, -(2026 * 16 + 3), 4], [])  # a banner
def test_the_year_fold_of_a_file_within_one_year_is_the_walks(steps: list[int], asked: list[tuple[int, int]]) -> None:
    """``_fold``'s shortcut (every offset 0 when no month goes back half a year and no banner
    dates the file) answers what the step-by-step walk answers, whatever the steps."""
    from array import array  # noqa: PLC0415

    from cvlogs.parsing.scanner import _fold, _walk  # noqa: PLC0415  (the two ways)

    queries = array("q", [number for after, month in asked for number in (min(after, len(steps) - 1), month)])
    folded, walked = _fold(array("i", steps), queries), _walk(array("i", steps), queries)
    assert (folded.offsets.tolist(), *folded[1:]) == (walked.offsets.tolist(), *walked[1:])


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_a_line_with_a_month_no_calendar_has_loses_only_its_own_time(tmp_path: Path, month: str) -> None:
    """A damaged month neither dates the file as a banner would (month 00 was read as one: every
    time of the file was lost) nor moves the year (13, then 07, made a New Year)."""
    text = (
        f"4012 1a2c 11/20 10:00:01 1 {VALIDATE}\n"
        f"4012 1a2c {month}/20 10:00:02 1 {VALIDATE}\n"
        f"4012 1a2c 07/21 10:00:03 1 {VALIDATE}\n"
    )
    write_log(tmp_path, "vsbkp_2026_11_20_10_00_00.log", text)
    result = scan_paths([tmp_path])
    assert [event.time for event in result.events] == [
        datetime(2026, 11, 20, 10, 0, 1),
        None,
        datetime(2026, 7, 21, 10, 0, 3),
    ]
    assert result.files[0].year_source != "banner"
