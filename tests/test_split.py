"""A large file read in parts by several processes gives the result of reading it whole."""

from __future__ import annotations

import codecs
import gzip
import json
import pickle
import random
from pathlib import Path

import pytest
from cvlogs.grammars import banner
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cvlogs.cli import app
from cvlogs.intake import LogSource, discover
from cvlogs.model import FileResult, SkippedSource
from cvlogs.parsing import scan_sources, split
from cvlogs.parsing.chunks import Span
from cvlogs.parsing.scanner import merge_parts, scan_part, scan_source

from .conftest import write_log

ROLE = "arn:aws:iam::444455556666:role/R"
KEYS = [(4012, "1a2c", "123456"), (4012, "7f3a", "123456"), (22718, "b04", "###")]
BODIES = {
    "connect": f"CAmazonInfo::Connect() - Connecting to Url=[default], username[{ROLE}]",
    "validate": f"AmazonConnection::ValidateCredentials() - Assume role [{ROLE}]",
    "error": "CAmazonInfo::AssumeRole() - Failed: An error occurred (AccessDenied) when calling the AssumeRole "
    "operation: User is not authorized to perform: sts:AssumeRole",
    "activity": "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-0{hex}] progress [{n}%]",
    "plain": "CVArchive::Backup() - wrote [{n}] bytes of [{hex}]",
}
DATED_BANNER = next(text for text, _ in banner.SAMPLES if "Date" in text)


def _log(seed: int, records: int, *, leading: bool, banners: bool, ending: str) -> bytes:
    """A log of one seed: records of three thread keys (credential events, runs of Amazon
    activity, noise), continuation lines up to past the chunker's look-back of 64 lines, months
    that roll over into a new year and back (two writers across New Year), dated banners, and
    headerless lines at the start."""
    rng = random.Random(seed)
    lines = ["garbage before the first record", "", "more garbage"] if leading else []
    month, day = 12, 30
    for _ in range(records):
        if banners and rng.random() < 0.01:
            lines += [*DATED_BANNER.split("\n"), ""]
        if rng.random() < 0.02:  # the next day, the next month, or a new year
            day, month = (1, month % 12 + 1) if day >= 28 else (day + 1, month)
        shown = 12 if month == 1 and rng.random() < 0.05 else month  # a late writer of the year before
        kind = rng.choices(list(BODIES), weights=[1, 1, 1, 12, 8])[0]
        pid, tid, job = rng.choice(KEYS)
        body = BODIES[kind].format(hex=f"{rng.getrandbits(60):015x}", n=rng.randrange(100))
        lines.append(f"{pid:<6}{tid:<6}{shown:02d}/{day:02d} 10:{rng.randrange(60):02d}:00 {job:<7}{body}")
        more = rng.choice([0] * 20 + [1, 2, 70])
        lines += [f"\tcontinued {n} of {kind}" for n in range(more)]
    return (ending.join(lines) + ending).encode()


def _source(path: Path) -> LogSource:
    return discover([path])[0][0]


def _in_parts(source: LogSource, parts: int, size: int) -> list[Span] | None:
    """``source`` cut into about ``parts`` equal parts on a grid of ``size`` bytes."""
    length = source.file.stat().st_size
    return split.split(source, [round(length * part / parts / size) * size for part in range(1, parts)], size)


def _read_in_parts(source: LogSource, parts: int, chunk_size: int) -> tuple[list[Span], FileResult | SkippedSource]:
    spans = _in_parts(source, parts, chunk_size)
    assert spans is not None
    # As a worker sends a part back: pickled (see ``_FileState.__getstate__``).
    read = [pickle.loads(pickle.dumps(scan_part(source, span, chunk_size=chunk_size))) for span in spans]
    assert all(part is not None for part in read)  # every part was read on its own, none fell back
    return spans, merge_parts(source, read)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.tuples(st.integers(256, 4096), st.integers(2, 12)),
    shape=st.tuples(st.booleans(), st.booleans()),
)
def test_a_file_read_in_parts_gives_the_whole_read(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    ending: str,
    cuts: tuple[int, int],
    shape: tuple[bool, bool],
) -> None:
    """Whatever the cut points and chunk size: line numbers, continuation counts, the year (a
    roll-over or a banner in one part dates the next), first and last times, unparsed samples,
    runs of activity across a cut and the encoding come out as reading the file whole."""
    (chunk_size, parts), (leading, banners) = cuts, shape
    folder = tmp_path_factory.mktemp("split")
    write_log(folder, "vsbkp.log", _log(seed, 300, leading=leading, banners=banners, ending=ending))
    source = _source(folder / "vsbkp.log")
    spans, merged = _read_in_parts(source, parts, chunk_size)
    assert len(spans) >= 2
    assert merged == scan_source(source, chunk_size=chunk_size)


def test_the_cases_the_design_is_about_are_cut(tmp_path: Path) -> None:
    """One file, many cuts: some fall inside a run of activity, after a roll-over of the year, and
    just before a record with continuation lines; the result is still the whole read's."""
    write_log(tmp_path, "vsbkp.log", _log(7, 3000, leading=True, banners=True, ending="\r\n"))
    source = _source(tmp_path / "vsbkp.log")
    whole = scan_source(source, chunk_size=512)
    spans, merged = _read_in_parts(source, 40, 512)
    assert merged == whole
    assert isinstance(whole, FileResult)
    data = (tmp_path / "vsbkp.log").read_bytes()
    cut_lines = [data.count(b"\n", 0, span.start) + 1 for span in spans[1:]]  # the line each later part starts at
    assert any(run.first.location.line < line <= run.last.location.line for run in whole.activity for line in cut_lines)
    new_year = min(e.location.line for e in whole.events if e.time is not None and e.time.year == 2027)
    assert any(line > new_year for line in cut_lines)
    assert whole.unparsed_samples
    assert whole.banners
    assert whole.year_source == "banner"


def test_the_report_is_the_same_with_and_without_splitting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cvlogs scan --format json``: one process, two and three processes reading a file in parts."""
    write_log(tmp_path, "vsbkp.log", _log(11, 60_000, leading=False, banners=True, ending="\n"))
    write_log(tmp_path, "cvd.log", _log(12, 200, leading=False, banners=False, ending="\n"))
    monkeypatch.setattr(split, "TAIL_BYTES", 1 << 20)
    sources, _ = discover([tmp_path])
    work = split.pieces(sources, 3)
    assert [piece.source.path for piece in work if piece.span is None] == ["cvd.log"]  # too small to cut
    assert len(work) >= 4  # vsbkp.log, the last source read, is cut into parts down to a block
    alone = [source for source in sources if source.path == "vsbkp.log"]
    assert [piece.span for piece in split.pieces(alone, 3)] == [None]  # cutting it would fork a reader
    monkeypatch.setattr(split, "LONE_FILE_BYTES", 1 << 20)
    assert len(split.pieces(alone, 3)) >= 3
    base = ["scan", str(tmp_path), "--format", "json"]
    runner = CliRunner()
    one, two, three = (runner.invoke(app, [*base, "--jobs", jobs]) for jobs in ("1", "2", "3"))
    assert one.exit_code == two.exit_code == three.exit_code in {0, 1}  # 1: findings
    assert one.stdout == two.stdout == three.stdout
    assert json.loads(one.stdout)["files"]
    seen: list[str] = []
    assert list(scan_sources(sources, jobs=2, progress=lambda r: seen.append(r.path))) == list(scan_sources(sources))
    assert sorted(seen) == ["cvd.log", "vsbkp.log"]


def test_the_last_pieces_are_small_and_each_no_larger_than_the_work_after_it() -> None:
    """Readers that take the largest piece left end together when every piece is balanced by the
    pieces after it: only the smallest of the bench corpus's files is cut, one large file alone
    is cut into parts that halve towards its end, more readers cut more."""
    block, mb = split.CHUNK_SIZE, 1 << 20

    def sizes(length: int, after: int, others: int) -> list[int]:
        ends = split._ends(length, after, others)
        return [b - a for a, b in zip([0, *ends], [*ends, length], strict=True)]

    assert sizes(6 * mb + 400_000, after=0, others=1) == [2 * block, 400_000 + block]
    assert sizes(6 * mb + 400_000, after=6 * mb, others=1) == [6 * mb + 400_000]
    alone = sizes(600 * mb, after=0, others=1)
    assert sum(alone) == 600 * mb
    assert alone[-2:] == [block, block]
    ordered = sorted(alone, reverse=True)
    assert all(piece <= max(split.TAIL_BYTES, sum(ordered[n + 1 :])) for n, piece in enumerate(ordered))
    assert len(sizes(600 * mb, after=0, others=2)) > len(alone)
    assert sizes(2 * block + 1000, after=0, others=1) == [2 * block + 1000]  # never cut in the first block


def test_a_part_with_a_nul_byte_hands_the_file_back_whole(tmp_path: Path) -> None:
    """UTF-16 may start at a NUL byte part-way (the transcoder's state): such a part is not read
    on its own, and the merge reads the file whole."""
    data = _log(3, 600, leading=False, banners=False, ending="\n")
    middle = data.index(b"\n", len(data) * 3 // 4) + 1
    utf16 = "4012  1a2c  01/05 10:00:00 1      x::y() - \u00e9\n".encode("utf-16-le")
    write_log(
        tmp_path,
        "vsbkp.log",
        data[:middle] + utf16 + data[middle:],
    )
    source = _source(tmp_path / "vsbkp.log")
    spans = _in_parts(source, 4, 512)
    assert spans is not None
    read = [scan_part(source, span, chunk_size=512) for span in spans]
    assert None in read
    assert merge_parts(source, read) == scan_source(source)


def test_utf16_compressed_and_archived_logs_are_read_whole(tmp_path: Path) -> None:
    """Only plain UTF-8 files are split: a UTF-16 file's transcoding, a compressed log's or an
    archive member's decompression is state that only reading from the start has."""
    text = _log(5, 2000, leading=False, banners=False, ending="\r\n").decode()
    write_log(tmp_path / "a", "vsbkp.log", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    write_log(tmp_path / "b", "vsbkp_2026_11_19_22_15_03.log.gz", gzip.compress(text.encode()))
    write_log(tmp_path / "c", "vsbkp.log", text)
    for folder, parts in [("a", None), ("b", None), ("c", 4)]:
        spans = _in_parts(_source(tmp_path / folder), 4, 1024)
        assert (spans and len(spans)) == parts, folder


def test_small_files_and_one_reader_are_never_split(tmp_path: Path) -> None:
    """A part starts past the file's first two blocks, and nothing is split for one reader or
    for ``keep_all`` (every record would cross processes)."""
    write_log(tmp_path, "vsbkp.log", _log(5, 2000, leading=False, banners=False, ending="\n"))
    source = _source(tmp_path / "vsbkp.log")
    assert [piece.span for piece in split.pieces([source], 2)] == [None]  # under two blocks
    assert split.split(source, [split.CHUNK_SIZE]) is None  # a cut is never in the first block
    assert split.split(source, [2048], size=1024) is not None
    assert _in_parts(source, 2, 1024) is not None
    assert all(piece.span is None for piece in split.pieces([source], 1))
    assert all(piece.span is None for piece in split.pieces([source], 2, keep_all=True))


def test_a_line_cut_short_for_its_length_keeps_the_result(tmp_path: Path) -> None:
    """A line over ``MAX_LINE_BYTES`` keeps only its start, so a part holding one is shorter than
    its byte range: the file is read whole rather than merged wrongly."""
    from cvlogs.parsing.chunks import MAX_LINE_BYTES  # noqa: PLC0415  (the cutter's own limit)

    data = _log(9, 4000, leading=False, banners=False, ending="\n")
    middle = data.index(b"\n", len(data) // 3) + 1
    # After more continuation lines than the cutter looks back over, the long line starts a chunk.
    record = b"4012  1a2c  12/30 10:00:00 123456 x::y() - dump\n" + b"\tcontinued\n" * 70
    long_line = b"x" * 2 * MAX_LINE_BYTES + b"\n"
    write_log(tmp_path, "vsbkp.log", data[:middle] + record + long_line + data[middle:])
    source = _source(tmp_path / "vsbkp.log")
    spans = _in_parts(source, 4, 1 << 16)
    assert spans is not None
    read = [scan_part(source, span, chunk_size=1 << 16) for span in spans]
    assert merge_parts(source, read) == scan_source(source, chunk_size=1 << 16)
    assert None in read
