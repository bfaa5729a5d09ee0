"""Lines and times under attack: lone CR line ends, and New Year flip-flops of interleaved writers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cvlogs.parsing import scan_paths
from cvlogs.parsing.lines import HeaderFields, match_header
from cvlogs.parsing.scanner import _time, _times

from .conftest import write_log


def test_a_lone_cr_ends_a_line(tmp_path: Path) -> None:
    """Six records ended by CR alone are six lines (they were counted as one)."""
    body = b"".join(b"1 a 11/20 10:00:0%d 7 x::y() - record %d\r" % (n, n) for n in range(6))
    write_log(tmp_path, "vsbkp.log", body)
    result = scan_paths([tmp_path], keep_all=True)
    assert (result.files[0].lines, result.files[0].records) == (6, 6)
    assert [e.message for e in result.events] == [f"record {n}" for n in range(6)]


def test_cr_lf_split_across_reads_is_one_line_end(tmp_path: Path) -> None:
    """CRLF files keep their line count, a CR at a block's end included, and mixed ends too."""
    line = b"1 a 11/20 10:00:00 7 x::y() - x\r\n"
    write_log(tmp_path, "vsbkp.log", line * 5 + b"1 a 11/20 10:00:01 7 x::y() - lone\r" + line)
    result = scan_paths([tmp_path])
    assert result.files[0].lines == 7


def test_new_year_flip_flops_never_run_the_year_back(tmp_path: Path) -> None:
    """12/31 and 01/01 lines interleaved 100 times: two years, not a year per flip (it said 1826)."""
    pair = "1 a 12/31 23:59:59 7 x::y() - old\n1 b 01/01 00:00:01 7 x::y() - new\n"
    write_log(tmp_path, "vsbkp.log", pair * 100, mtime=datetime(2027, 1, 1, 0, 5))
    result = scan_paths([tmp_path], keep_all=True)
    years = {(e.message, e.time.year) for e in result.events if e.time}
    assert years == {("old", 2026), ("new", 2027)}
    assert result.files[0].first_time == datetime(2026, 12, 31, 23, 59, 59)


def test_a_real_roll_over_still_advances_the_year(tmp_path: Path) -> None:
    """November to February, month by month: the year advances once, at January."""
    months = [11, 12, 1, 2]
    body = "".join(f"1 a {m:02d}/15 10:00:00 7 x::y() - m{m}\n" for m in months)
    write_log(tmp_path, "vsbkp.log", body, mtime=datetime(2027, 2, 16))
    result = scan_paths([tmp_path], keep_all=True)
    assert [(e.time.year, e.time.month) for e in result.events if e.time] == [
        (2026, 11),
        (2026, 12),
        (2027, 1),
        (2027, 2),
    ]


def test_a_long_gap_in_one_year_is_not_a_year_back(tmp_path: Path) -> None:
    """March then November of one year, no roll-over before: the same year."""
    body = "1 a 03/01 10:00:00 7 x::y() - spring\n1 a 11/01 10:00:00 7 x::y() - autumn\n"
    write_log(tmp_path, "vsbkp.log", body, mtime=datetime(2026, 11, 2))
    result = scan_paths([tmp_path], keep_all=True)
    assert {e.time.year for e in result.events if e.time} == {2026}


@pytest.mark.parametrize("utf16", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_file_that_switches_encoding_keeps_every_line(tmp_path: Path, utf16: str) -> None:
    """UTF-8, then UTF-16 (with or without a BOM, either byte order), then UTF-8 again: every
    line read in its own encoding (the UTF-8 line before the switch was lost)."""
    before = b"1 a 11/20 10:00:00 7 x::y() - written as utf-8\n"
    middle = "1 a 11/20 10:00:01 7 x::y() - written as utf-16\n1 a 11/20 10:00:02 7 x::y() - twice\n"
    after = b"1 a 11/20 10:00:03 7 x::y() - utf-8 again\n"
    write_log(tmp_path, "vsbkp.log", before + middle.encode(utf16) + after)
    result = scan_paths([tmp_path], keep_all=True)
    assert [e.message for e in result.events] == ["written as utf-8", "written as utf-16", "twice", "utf-8 again"]
    assert result.files[0].lines == 4


def test_utf16_then_utf8_keeps_every_line(tmp_path: Path) -> None:
    """A UTF-16 file with a UTF-8 tail (another tool appended to it)."""
    head = "1 a 11/20 10:00:01 7 x::y() - wide\n".encode("utf-16")
    write_log(tmp_path, "vsbkp.log", head + b"1 a 11/20 10:00:02 7 x::y() - narrow\n")
    result = scan_paths([tmp_path], keep_all=True)
    assert [e.message for e in result.events] == ["wide", "narrow"]
    assert result.files[0].encoding == "utf-16"


def _constructed(fields: HeaderFields, base_year: int) -> datetime | None:
    """What ``_time`` means: the ``datetime`` constructor on the header's numbers, None when it refuses them."""
    hour, minute, second = fields.clock.split(":")
    try:
        return datetime(base_year, fields.month, fields.day, int(hour), int(minute), int(second[:2]))
    except ValueError:
        return None


@given(
    year=st.integers(0, 10_001),
    month=st.integers(0, 99),
    day=st.integers(0, 99),
    clock=st.from_regex(r"\A[0-9]{2}:[0-9]{2}:[0-9]{2}\Z"),
)
@example(year=2024, month=2, day=29, clock="23:59:59")
@example(year=2026, month=2, day=29, clock="00:00:00")
@example(year=2026, month=11, day=19, clock="24:00:00")
def test_a_time_read_through_its_iso_text_is_the_constructors(year: int, month: int, day: int, clock: str) -> None:
    """``_time`` reads an ``hh:mm:ss`` clock through ``datetime.fromisoformat``: the same time, and
    the same refusal of a date or clock no calendar has (month 13, 02/30, 25:00, year 0)."""
    fields = match_header(f"1 2 {month:02d}/{day:02d} {clock} 3 A::B() - text")
    assert fields is not None
    assert _time(fields, 0, year) == _constructed(fields, year)


@given(
    year=st.integers(0, 10_001),
    month=st.integers(0, 99),
    day=st.integers(0, 99),
    clock=st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 999_999)),
    stated=st.booleans(),
    known=st.booleans(),
)
@example(year=2024, month=2, day=29, clock=(23, 59, 59, 0), stated=False, known=True)
@example(year=2100, month=2, day=29, clock=(0, 0, 0, 0), stated=True, known=True)
@example(year=2026, month=11, day=19, clock=(24, 0, 0, 0), stated=False, known=True)
def test_run_end_times_are_the_constructors(  # noqa: PLR0917  (one value per field)
    year: int, month: int, day: int, clock: tuple[int, int, int, int], stated: bool, known: bool
) -> None:
    """``_times`` (run ends' times, made in bulk from ``datetime``'s pickled state) is the
    ``datetime`` constructor on the end's numbers in the year it states or the file's, None
    where the constructor refuses them (02/30, 25:00, year 0) or no year is known."""
    hour, minute, second, micro = clock
    number = ((hour * 100 + minute) * 100 + second) * 1_000_000 + micro
    ends = np.array([[-1, 1, month, day, number, year if stated else -1]], dtype=np.int64)
    offsets = np.array([1], dtype=np.int64)  # the file's year offset at the end's token: base_year + 1
    base_year = (year - 1) if known else None
    try:
        expected = datetime(year, month, day, hour, minute, second, micro) if stated or known else None
    except ValueError:
        expected = None
    assert _times(ends, offsets, base_year) == [expected]
