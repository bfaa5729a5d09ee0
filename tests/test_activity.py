"""Plain Amazon activity: decided without the grammars, counted in runs, summarised per sequence."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from cvlogs.grammars import aws_errors, credentials
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cvlogs.correlate import correlate
from cvlogs.parsing import activity, scan_paths
from cvlogs.parsing.activity import _WINDOW, _shape_key
from cvlogs.parsing.lines import clock_number, dates_at, header_at, match_header
from cvlogs.parsing.messages import interpret, meaning_of
from cvlogs.parsing.scanner import PREFILTER, VOCABULARY

from .conftest import write_log

ROLE = "arn:aws:iam::444455556666:role/R"
CONNECT = f"CAmazonInfo::Connect() - Connecting to Url=[default], username[{ROLE}]"
VALIDATE = f"AmazonConnection::ValidateCredentials() - Assume role [{ROLE}]"
ERROR = "CAmazonEC2::DescribeVolumes() - An error occurred (ExpiredToken) when calling the DescribeVolumes operation"
CLAUSES = [tuple(VOCABULARY.stems[n] for n in row) for row in VOCABULARY.clauses.tolist()]


def _holds_a_trigger(text: str) -> bool:
    lowered = text.lower().encode()
    return any(stem in lowered for stem in PREFILTER)


def _may_say_more(text: str) -> bool:
    """What the fast path reads further: a trigger, or every stem of a vocabulary clause."""
    lowered = text.lower().encode()
    return _holds_a_trigger(text) or any(all(stem in lowered for stem in clause) for clause in CLAUSES)


@pytest.mark.parametrize("text", [text for _, text, _ in credentials.SAMPLES + aws_errors.SAMPLES])
def test_every_grammar_sample_holds_a_trigger_or_a_clause(text: str) -> None:
    """A message the grammars say anything about holds a trigger or meets a vocabulary clause (fragments too)."""
    assert _may_say_more(text)


def test_a_clause_may_hold_two_words_that_are_common_alone() -> None:
    """``state [pending]`` is activity; ``pending deletion`` (a KMS key's state) is what the gate reads."""
    assert ("deletion", "pending") in [tuple(sorted(stem.decode() for stem in clause)) for clause in CLAUSES]
    assert not _may_say_more("Snapshot [snap-0a1b] state [pending] progress [5%]")
    assert _may_say_more("is pending deletion")


@given(st.lists(st.integers(0, 1000), min_size=len(VOCABULARY.stems), max_size=len(VOCABULARY.stems)))
def test_a_text_that_meets_a_clause_holds_a_key_whatever_the_counts(counts: list[int]) -> None:
    """Each clause's rarer stem by the counts holds a key (is one, or holds a shorter one), so a
    text that meets a clause holds a key; and no key holds another."""
    keys = VOCABULARY.keys(np.array(counts, dtype=np.int64))
    for row in VOCABULARY.clauses.tolist():
        rarer = VOCABULARY.stems[min(row, key=lambda n: (counts[n], n))]
        assert any(key in rarer for key in keys)
    assert not any(key in other for key in keys for other in keys if other != key)


# A stem, or a part or the whole of a clause (so that records meet some clauses and half of others).
_FOUND = st.one_of(
    st.integers(0, len(VOCABULARY.stems) - 1).map(lambda stem: [stem]),
    st.sampled_from(VOCABULARY.clauses.tolist())
    .flatmap(lambda row: st.sets(st.sampled_from(row), min_size=1))
    .map(list),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), _FOUND), max_size=30).map(
        lambda found: [(r, s) for r, ss in found for s in ss]
    )
)
def test_a_record_meets_a_clause_when_it_holds_all_its_stems(found: list[tuple[int, int]]) -> None:
    """``Vocabulary.met`` (numpy, all records at once) against sets: found stems by record."""
    records = np.array([record for record, _ in found], dtype=np.int64)
    stems = np.array([stem for _, stem in found], dtype=np.int64)
    held: dict[int, set[int]] = {}
    for record, stem in found:
        held.setdefault(record, set()).add(stem)
    clauses = [set(row) for row in VOCABULARY.clauses.tolist()]
    expected = sorted(record for record, numbers in held.items() if any(c <= numbers for c in clauses))
    assert VOCABULARY.met(records, stems).tolist() == expected


# Words of the grammar samples that hold no trigger (vocabulary stems they may hold), ids, numbers
# and punctuation: messages built from them that meet no clause are what the fast path calls
# plain activity without reading them.
_WORDS = sorted(
    {
        word
        for _, text, _ in credentials.SAMPLES + aws_errors.SAMPLES
        for word in text.split()
        if not _holds_a_trigger(word)
    }
)
PIECES = st.sampled_from([*_WORDS, " ", "[", "]", "(", ")", ":", "snap-0a1b2c", "42%", "Snapshot", "progress", "-"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(PIECES, max_size=40), st.sampled_from(["CreateSnapshot", "DescribeVolumes", "Run", "Connected"]))
def test_a_message_that_meets_no_clause_is_activity_of_an_amazon_class(pieces: list[str], method: str) -> None:
    """What the fast path assumes: no trigger and no clause met in the message, an Amazon class ->
    ``activity``, whatever else."""
    message = " ".join(pieces)
    assume(not _may_say_more(message))
    found = interpret("CVAmazonSnap", method, message)
    assert found is not None
    assert found.kind == "activity"


_HEADS = [
    "4012  3c4e  11/19 22:30:0{s} 88103  ",
    "4012 3c4e 11/19 22:30:0{s} ### ",
    "6924f48 11/19 22:30:0{s} 7 ",
    "9 a 11/19 22:30:0{s} ",
]
_FUNCTIONS = [
    "CVAmazonSnap::CreateSnapshot() - ",
    "CAmazonEC2::Describe() ",
    "CVAmazonSnap::CreateSnapshot - ",
    "CvAwsX::Y()",
]
_FUNCTIONS += [
    "AmazonConnection::ValidateCredentials() - ",
    "CAmazonInfo::Connect() - ",
    "CvA::B::C() - ",
    "VSBkp::Run() - ",
]
_MESSAGES = [
    "Snapshot [snap-0a1b] progress [5%]",
    "instance [i-1]",
    "connection timed out",
    "Rate exceeded",
    "AuthFailure",
]
_MESSAGES += [
    f"Assume role [{ROLE}]",
    "Connecting to Url=[x], username[bob]",
    "reason: VOLUME_BUSY",
    "amazonaws.com",
    "",
    # Clauses of two stems whose one half is plain activity's own word (the keys are searched first).
    "Key [k-1] is pending deletion",
    "Instance [i-1] not found in region [us-east-1]",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_HEADS), st.sampled_from(_FUNCTIONS), st.sampled_from(_MESSAGES), st.integers(0, 9)),
        min_size=1,
        max_size=30,
    )
)
def test_the_fast_path_means_what_the_grammars_mean(tmp_path_factory: pytest.TempPathFactory, lines: list) -> None:
    """Every record the scanner calls plain activity without the grammars is what they call it too."""
    folder = tmp_path_factory.mktemp("logs")
    text = "".join(head.format(s=s) + function + message + "\n" for head, function, message, s in lines)
    write_log(folder, "vsbkp.log", text)
    for event in scan_paths([folder], keep_all=True).events:
        class_name, _, method = event.function.removesuffix("()").rpartition("::")
        expected = meaning_of(class_name, method, event.message)
        assert event.kind == (expected.kind if expected is not None else "other"), event.text


def _log(folder: Path, bodies: list[str]) -> Path:
    text = "".join(f"4012  3c4e  11/19 22:30:{i:02d} 88103  {body}\n" for i, body in enumerate(bodies))
    return write_log(folder, "vsbkp.log", text)


ACTIVITY = "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-0{n}] progress [{n}%]"


def test_activity_is_counted_in_runs_cut_at_the_steps_of_its_thread(tmp_path: Path) -> None:
    """Runs end where a credential event of the same pid, thread and job stands; other lines do not cut them."""
    bodies = [CONNECT, *[ACTIVITY.format(n=n) for n in range(3)], ERROR, ACTIVITY.format(n=7), "VSBkp::Run() - x"]
    bodies += [ACTIVITY.format(n=8), CONNECT, ACTIVITY.format(n=9)]
    _log(tmp_path, bodies)
    result = scan_paths([tmp_path])
    runs = [(r.first.location.line, r.last.location.line, r.records) for r in result.files[0].activity]
    assert runs == [(2, 4, 3), (6, 8, 2), (10, 10, 1)]
    assert [e.kind for e in result.events] == ["connect", "error", "connect"]


def test_a_sequence_summarises_its_activity(tmp_path: Path) -> None:
    """The count, first and last records and a few examples; activity after an error means it went on."""
    bodies = [CONNECT, VALIDATE, ERROR, *[ACTIVITY.format(n=n) for n in range(5)], CONNECT, ACTIVITY.format(n=9)]
    _log(tmp_path, bodies)
    first, second = correlate(scan_paths([tmp_path])).sequences
    assert first.activity is not None
    assert first.activity.count == 5
    assert (first.activity.first.location.line, first.activity.last.location.line) == (4, 8)
    assert [e.location.line for e in first.activity.examples] == [4, 8]
    assert first.status == "ok"
    assert first.last_step is first.activity.last_run  # the run; its last record's event is made when asked for
    assert first.last_event == first.activity.last
    assert first.activity.last.message == "Snapshot [snap-04] progress [4%]"
    assert second.activity is not None
    assert second.activity.count == 1


def test_a_runs_ends_are_the_events_that_all_lists_for_their_lines(tmp_path: Path) -> None:
    """A run keeps its ends' lines, times and texts; the events made from them when asked for
    (evidence, the events table) are the ones ``--all`` reads for those lines, whatever the line
    holds: a continuation line, a character beyond ASCII, a ``0x`` thread, fractions of a second,
    a duplicated header at the end; and a run pickles (a worker's result) as it is."""
    a, b = "4012  3c4e  11/19 22:30:{:02d} 88103  {}", "77 0x1f 11/19 22:31:{:02d}.250 ### {}"
    lines = [
        a.format(0, CONNECT),
        a.format(1, "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-01] für [1%]"),
        a.format(2, "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-02] progress [2%]"),
        "    volume [vol-02] of 2",
        b.format(0, CONNECT),
        b.format(1, "CAmazonEC2::DescribeInstances() - Instance [i-01] state [running]"),
        b.format(2, "CAmazonEC2::DescribeInstances() - Instance [i-02] state [running]"),
        a.format(3, CONNECT),
        a.format(4, "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-04]   4012  3c4e  11/19 22:30:04"),
        a.format(5, CONNECT),
        a.format(6, "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-06] progress [6%]"),
    ]
    write_log(tmp_path, "vsbkp.log", "\n".join(lines) + "\n")
    runs = scan_paths([tmp_path]).files[0].activity
    listed = {event.location.line: event for event in scan_paths([tmp_path], keep_all=True).files[0].events}
    ends = [(run.first_line, run.last_line, run.records) for run in runs]
    assert ends == [(2, 3, 2), (6, 7, 2), (9, 9, 1), (11, 11, 1)]
    for run in runs:
        assert (run.first, run.last) == (listed[run.first_line], listed[run.last_line])
        assert (run.first_time, run.last_time) == (run.first.time, run.last.time)
    assert runs[0].last.message == "Snapshot [snap-02] progress [2%]\n    volume [vol-02] of 2"
    assert pickle.loads(pickle.dumps(runs)) == runs


def test_keep_all_lists_every_activity_record(tmp_path: Path) -> None:
    """``events --all`` still has one event per record."""
    _log(tmp_path, [CONNECT, *[ACTIVITY.format(n=n) for n in range(4)]])
    kinds = [e.kind for e in scan_paths([tmp_path], keep_all=True).events]
    assert kinds == ["connect", "activity", "activity", "activity", "activity"]


def test_no_gate_word_is_an_id_the_cache_masks() -> None:
    """The masked cache of ``says_more`` is sound: no literal of the error gate holds a token of
    six or more hex digits with a digit in it, which the mask replaces."""
    from cvlogs.grammars import vocabulary  # noqa: PLC0415

    from cvlogs.parsing.activity import _IDS  # noqa: PLC0415

    texts = {
        *(anchor for fact in aws_errors.FACTS for anchor in fact.anchors),
        *vocabulary.CODES,
        *vocabulary.EXCEPTIONS,
        *(phrase for phrase, _ in vocabulary.PHRASES),
        *vocabulary.FAILURE_PHRASES,
    }
    assert texts
    assert not [text for text in texts if _IDS.search(text.lower())]


def _two_threads(folder: Path) -> None:
    """Thread 3c4e: Connect, Assume role, five activity records, Connect, one more; thread 3c4f's
    activity, which no sequence of its own precedes, interleaved with the first run."""
    lines = [("3c4e", CONNECT), ("3c4e", VALIDATE)]
    for n in range(5):
        lines += [("3c4e", ACTIVITY.format(n=n)), ("3c4f", ACTIVITY.format(n=n))]
    lines += [("3c4e", CONNECT), ("3c4e", ACTIVITY.format(n=9))]
    text = "".join(f"4012  {tid}  11/19 22:30:{i:02d} 88103  {body}\n" for i, (tid, body) in enumerate(lines))
    write_log(folder, "vsbkp.log", text)


def test_the_events_table_lists_a_run_by_its_ends_and_every_record_with_all_lines(tmp_path: Path) -> None:
    """Each activity row carries its run's sequence and account, however many of the run's
    records are listed; activity of a thread without a sequence carries none."""
    import cvlogs  # noqa: PLC0415  (pandas)

    _two_threads(tmp_path)
    options = cvlogs.ScanOptions(host_name="node")
    listed = cvlogs.read_events(tmp_path, options=options)
    every = cvlogs.read_events(tmp_path, all_lines=True, options=options)
    for frame, activity_lines in ((listed, [3, 4, 11, 12, 14]), (every, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14])):
        activity = frame[frame.kind == "activity"]
        assert activity.line.tolist() == activity_lines
        own = activity[activity.tid == "3c4e"]
        assert own.attributed_account.tolist() == ["444455556666"] * len(own)
        assert own.sequence.tolist() == ["node:vsbkp.log:1"] * (len(own) - 1) + ["node:vsbkp.log:13"]
        assert activity[activity.tid == "3c4f"].sequence.isna().all()


def test_accounts_and_spans_count_the_activity_runs(tmp_path: Path) -> None:
    """An account is last seen at its last activity record; a span counts its sequence's activity."""
    from cvlogs.report import report_of  # noqa: PLC0415

    _two_threads(tmp_path)
    report = report_of(scan_paths([tmp_path]))
    (account,) = report.accounts
    assert account.last_seen is not None
    assert account.last_seen.second == 13  # the activity record after the second Connect (line 14)
    first, second = report.spans
    assert (first.activity, first.steps, first.end.second) == (5, 7, 10)
    assert (second.activity, second.steps) == (1, 2)


_TOKENS = st.sampled_from(
    ["snap-0", "0abc123", "ABC123", "deadbeef", "123456", "12345", "ec2rolerequesterror", "Pending", "instance",
     "AccessDenied", "é", "K", " ", " ", "[", "]", "-", "_", ":", "%", "0", "1a2b3c4d5e6f7a8b", "fF00aa",
     # numbers the error gate reads, whole and inside others, and its phrases around numbers
     "403", "1403", "4031", "40", "3", " forbidden", "(403) Forbidden", "169", "254", ".", "169.254.169.254",
     "fd00:ec2::254", "2", "ec2", "imdsv2", "IMDSv", "minimum field size of ", "12", "00", "9"]
)  # fmt: skip


@given(st.lists(st.lists(_TOKENS, max_size=12).map("".join), min_size=1, max_size=40))
def test_an_id_masked_key_is_what_says_more_masks(texts: list[str]) -> None:
    """``says_more_of`` an ``id_masked`` key is ``says_more`` of the text, for texts made of ids,
    numbers and the error gate's own numbers and phrases; a text that is not ASCII is never asked
    through its key."""
    from cvlogs.parsing.activity import id_masked, says_more, says_more_of  # noqa: PLC0415

    raw = [f" {text}\n".encode() for text in texts]
    data = np.frombuffer(b"".join(raw) + b"\n" * 8, dtype=np.uint8)
    ends = np.cumsum([len(r) for r in raw])
    keys = id_masked(data, ends - [len(r) for r in raw], ends)
    assert len(keys) == len(texts)
    for text, key in zip(texts, keys, strict=True):
        if text.isascii():
            assert says_more_of(key) == says_more(f" {text}\n"), (text, key)
        else:
            assert not key.isascii()


def test_numbers_are_masked_unless_the_gate_reads_them() -> None:
    from cvlogs.parsing.activity import id_masked, masked_numbers  # noqa: PLC0415

    assert masked_numbers() == (b"169", b"254", b"403")
    texts = [b" took [1234] ms, status 403 x1403 [v2] ec2 12.5\n", b" took [77] ms, status 403 x1403 [v7] ec2 31.0\n"]
    data = np.frombuffer(b"".join(texts) + b"\n" * 8, dtype=np.uint8)
    ends = np.cumsum([len(t) for t in texts])
    keys = id_masked(data, ends - [len(t) for t in texts], ends)
    assert keys == [
        b" took [0000] ms, status 403 x1403 [v2] ec2 00.0\n",
        b" took [00] ms, status 403 x1403 [v7] ec2 00.0\n",
    ]


def test_activity_lines_that_differ_in_ids_are_one_key() -> None:
    from cvlogs.parsing.activity import id_masked  # noqa: PLC0415

    lines = [
        f" CAmazonEC2::DescribeSnapshots() - Snapshot [snap-0{n:015x}] state [pending] progress [42%]\n".encode()
        for n in range(1, 5000, 7)
    ]
    data = np.frombuffer(b"".join(lines) + b"\n" * 8, dtype=np.uint8)
    ends = np.cumsum([len(line) for line in lines])
    keys = id_masked(data, ends - [len(line) for line in lines], ends)
    assert set(keys) == {
        b" camazonec2::describesnapshots() - snapshot [snap-0000000000000000] state [pending] progress [00%]\n"
    }


_HEADER_LINES = st.tuples(
    st.from_regex(r"\A[ ]?[0-9]{1,6}[ \t]{0,2}(?:0[xX]|[1-9][xX])?[0-9a-fA-F]{1,5}[ \t]{1,2}", fullmatch=True),
    st.from_regex(
        r"\A[0-9]{1,2}/[0-9]{1,2}(?:/[0-9]{2}|/[0-9]{4})?[ \t]{1,2}[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,6})?\Z"
    ),
    st.sampled_from(["", " 123456", " ###", " ### ###", " N/A", " 12é4", " x1"]),
    st.sampled_from(["CVAmazonSnap", "CAmazonEC2", "CvAws3", "Ns.AmazonRds2", "EC2Util::Inner", "CVAmazonVolume"]),
    st.sampled_from(["::Create()", "::Describe2()", "::Run()", ".Go()", "::Create(12)"]),
    st.sampled_from([" - ", " -", " -  ", ": ", ":", " — ", "- ", " ", "", "::", " : "]),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=40),
    st.sampled_from(["", " 4013  1a2c  11/19 00:03:23", " 1 2 3/4 5:06:07 ###", " at 10:22:33"]),
)


@given(_HEADER_LINES)
def test_a_line_read_at_its_shapes_places_is_read_as_the_pattern_reads_it(parts: tuple[str, ...]) -> None:
    """``header_at`` (the fields of a line of a known shape read by slicing) gives what
    ``match_header`` gives, or None (then the scanner asks ``match_header``): lines of many
    shapes, with years, fractions, jobs, ``0x`` thread ids, separators, trailers, non-ASCII text."""
    prefix, when, job, class_name, method, separator, message, trailer = parts
    line = f"{prefix}{when}{job} {class_name}{method}{separator}{message}{trailer}"
    raw = line.encode()
    end = raw.find(b"(") + 2
    assume(0 < end <= _WINDOW)
    shape = bytes(ord("0") if 48 <= byte <= 57 else byte for byte in raw[:end]).ljust(_WINDOW, b"\0")
    layout = _shape_key(shape)[4]
    fields = None if layout is None else header_at(line, layout)
    if fields is not None:
        assert fields == match_header(line, cache=False) == header_at(line, layout, cache=False)
    if layout is not None and raw[:end].isascii() and not re.search(r"[1-9][xX]", prefix):
        assert fields is not None  # the layout fits every ASCII line of its shape


@given(_HEADER_LINES)
def test_a_run_ends_date_is_read_as_the_pattern_reads_it(parts: tuple[str, ...]) -> None:
    """``dates_at`` (what a run's end keeps until its event is asked for, read by numpy at the
    places of the line's shape) is the month, day, clock and year that ``match_header`` reads,
    and fits every line ``header_at`` fits whose clock is ``hh:mm:ss`` (and no other)."""
    prefix, when, job, class_name, method, separator, message, trailer = parts
    line = f"{prefix}{when}{job} {class_name}{method}{separator}{message}{trailer}"
    raw = line.encode()
    end = raw.find(b"(") + 2
    assume(0 < end <= _WINDOW)
    layout = _shape_key(bytes(ord("0") if 48 <= byte <= 57 else byte for byte in raw[:end]).ljust(_WINDOW, b"\0"))[4]
    assume(layout is not None)
    data = np.frombuffer(b"\n" + raw + b"\n", dtype=np.uint8)
    dates = dates_at(data, np.array([1]), (None, layout), np.array([1]))
    fields = header_at(line, layout)
    assert bool(dates.fits[0]) == (fields is not None and len(fields.clock) == len("hh:mm:ss"))
    if dates.fits[0]:
        fields = match_header(line, cache=False)
        assert fields is not None
        year = -1 if fields.year is None else fields.year
        read = (dates.months[0], dates.days[0], dates.clocks[0], dates.years[0])
        assert read == (fields.month, fields.day, clock_number(fields.clock), year)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=0, max_size=40),
    st.booleans(),
    st.integers(1, _WINDOW // 8),
)
def test_rows_are_grouped_with_equal_rows_only(values: list[int], collide: bool, width: int) -> None:
    """A row said to equal its group's first does; with real hashes every row of a group is its
    equal; with every hash the same (``collide``), unequal rows are told apart; rows of any width
    up to a window's words."""
    words = np.zeros((len(values), width), dtype=np.uint64)
    words[:, min(3, width - 1)] = values
    multipliers = activity._MULTIPLIERS
    try:
        if collide:
            activity._MULTIPLIERS = np.zeros_like(multipliers)
        order, group, same = activity._groups(words)
    finally:
        activity._MULTIPLIERS = multipliers
    assert sorted(order.tolist()) == list(range(len(values)))
    sorted_values = np.array(values, dtype=np.int64)[order]
    firsts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if group.size else group
    leaders = sorted_values[firsts][group] if group.size else sorted_values
    assert (sorted_values[same] == leaders[same]).all()
    if not collide:
        assert same.all()
        assert len(set(zip(group.tolist(), sorted_values.tolist(), strict=True))) == len(set(values))
        assert len(set(group.tolist())) == len(set(values))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=40), st.integers(1, 5), st.booleans())
def test_thread_groups_are_each_keys_lines_in_order(keys: list[int], width: int, collide: bool) -> None:
    """Each group holds lines of one key, ascending; with real hashes one group a key; with every
    hash the same, the lines whose key is not their group's are apart; every line once."""
    lines = np.arange(len(keys), dtype=np.int64) * 2 + 1
    words = np.zeros((len(keys), width), dtype=np.uint64)
    words[:, -1] = keys
    none = lines[:0]
    rows = activity._rows(np.repeat(lines, 2), 2 * len(keys) + 2)  # each line twice: its first entry
    entries, keyed = np.repeat(lines, 2), np.repeat(words, 2, axis=0)
    names = activity.ClassNames(np.ones(0, bool), entries, keyed, none, none, (), rows)
    multipliers = activity._MULTIPLIERS
    try:
        if collide:
            activity._MULTIPLIERS = np.zeros_like(multipliers)
        groups, apart = activity.thread_groups(names, lines[::-1].copy())  # given in any order
    finally:
        activity._MULTIPLIERS = multipliers
    key_of = dict(zip(lines.tolist(), keys, strict=True))
    assert sorted([line for group in groups for line in group.tolist()] + apart.tolist()) == lines.tolist()
    for group in groups:
        assert group.tolist() == sorted(group.tolist())
        assert len({key_of[line] for line in group.tolist()}) == 1
    if not collide:
        assert apart.size == 0
        assert len(groups) == len(set(keys))
