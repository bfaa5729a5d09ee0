"""The vectorised stem search finds exactly what bytes.find finds."""

from __future__ import annotations

import operator
import subprocess
import sys
from functools import reduce
from pathlib import Path

import numpy as np
import pytest
from cvlogs.grammars import aws_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvlogs.compiled import text_of
from cvlogs.parsing.prefilter import (
    StemFinder,
    bigram_counts,
    derive_clauses,
    derive_stems,
    naive_starts,
    required_stems,
    stem_counts,
)
from cvlogs.parsing.scanner import PREFILTER

# Upper- and mixed-case stems, near misses, and bytes that OR 0x20 turns into stem bytes or letters.
PIECES = st.sampled_from([
    *PREFILTER, *(stem.upper() for stem in PREFILTER), b"AwS", b" ", b"x", b"no", b"aw", b"of", b"er", b"\n",
    b"169.25", b"\x01", b"\x10", b"@", b"N", b"\xc3\xa9",
    # the function shapes of real 11.x logs around a stem
    b"CAmazonInfo::Connect(412)", b"A::B::C(301)", b"Pool::Init:", b"receivePatchFile()", b"PT:00001 CN:00001",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30))
def test_vectorised_search_equals_bytes_find(pieces: list[bytes], sample: list[bytes]) -> None:
    """Whatever the text, its case and the sample that tunes the anchors, the positions are the same."""
    text = b"".join(pieces)
    finder = StemFinder(PREFILTER, b"".join(sample))
    assert set(finder.starts(text)) == naive_starts(PREFILTER, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30))
def test_candidates_fall_inside_every_stem(pieces: list[bytes], sample: list[bytes]) -> None:
    """What the scanner uses: every stem occurrence holds a candidate, so its line is read."""
    text = b"".join(pieces)
    candidates = StemFinder(PREFILTER, b"".join(sample)).tagged(text)[0].tolist()
    lowered = text.lower()
    for stem in PREFILTER:
        start = lowered.find(stem)
        while start >= 0:
            assert any(start <= c < start + len(stem) for c in candidates), (stem, start)
            start = lowered.find(stem, start + 1)
    assert all(0 <= c < len(text) for c in candidates)


@pytest.mark.parametrize(
    "text", [b"", b"a", b"aws", b"xaws", b"xx aws", b"kms", b"notfound not activated", b"AWS", b"xAwS", b"Kms", b"KMS!"]
)
def test_edges(text: bytes) -> None:
    """Stems at the very start or end, or sharing an anchor, are found."""
    assert set(StemFinder(PREFILTER).starts(text)) == naive_starts(PREFILTER, text)


@pytest.mark.parametrize("text", [b"AWS", b"kms", b"fail", b"imds"])
@pytest.mark.parametrize("before", range(12))
@pytest.mark.parametrize("after", range(12))
def test_a_stem_is_found_at_every_offset_and_before_every_end(text: bytes, before: int, after: int) -> None:
    """A stem at each offset modulo three, as near the end as it can stand (where the windows are
    read from a padded copy), or further: short stems' anchors reach a byte past them."""
    padded = b"x" * before + text + b"y" * after
    assert set(StemFinder(PREFILTER).starts(padded)) == naive_starts(PREFILTER, padded) == {before}


@pytest.mark.parametrize("text", [b"aws", b"xaws", b"xxAWS", b"xxxaws", b" aws", b"aws ", b"xaws  "])
def test_a_stem_does_not_run_past_either_end(text: bytes) -> None:
    """A stem's blanks are not found in what lies past the text (its words are read with zeros
    there, and a zero byte is a blank to the folding)."""
    finder = StemFinder((b"aws  ", b" aws", b"ws   "))
    assert finder.tagged(text)[0].size == len(naive_starts(finder.stems, text))


# Stems over a few letters share windows, anchors and the codes of the bytes beside short stems;
# the other bytes of a text are a byte past ASCII whose low seven bits are a stem letter's (the
# table folds it onto the letter, the check tells them apart), and bytes that OR 0x20 turns into
# none of the stems' bytes.
STEMS = st.lists(
    st.text(alphabet="abc. ", min_size=3, max_size=11).map(str.encode), min_size=1, max_size=6, unique=True
)
FILLERS = [b"a", b"B", b"c", b".", b"\xc1", b"\xe2", b"\n", b"@", b"\x01"]


def _text(data: st.DataObject, stems: list[bytes]) -> bytes:
    pieces = st.sampled_from([*stems, *(stem.upper() for stem in stems), *FILLERS])
    return b"".join(data.draw(st.lists(pieces, max_size=25)))


@settings(max_examples=300, deadline=None)
@given(STEMS, st.data())
def test_any_stems_are_found_wherever_they_stand(stems: list[bytes], data: st.DataObject) -> None:
    """Whatever the stems, the text and the sample that tunes the anchors, the positions are ``bytes.find``'s."""
    text = _text(data, stems)
    finder = StemFinder(tuple(stems), _text(data, stems))
    assert set(finder.starts(text)) == naive_starts(tuple(stems), text)


@settings(max_examples=300, deadline=None)
@given(STEMS, st.data())
def test_each_candidate_has_the_groups_of_the_stems_standing_there(stems: list[bytes], data: st.DataObject) -> None:
    """``tagged`` gives one candidate inside each occurrence of a stem and none elsewhere, with the
    group bits of the stems of its slot that stand there, whichever anchors the sample chose; and
    ``matches`` names those stems."""
    text = _text(data, stems)
    groups = tuple(data.draw(st.lists(st.integers(1, 255), min_size=len(stems), max_size=len(stems))))
    finder = StemFinder(tuple(stems), _text(data, stems), groups)
    positions, bits, slots = finder.tagged(text)
    padded = np.frombuffer(text + b"\n" * 16, dtype=np.uint8)
    rows, numbers = finder.matches(padded, positions, slots)
    lowered = text.lower()
    standing: list[set[tuple[int, int]]] = [set() for _ in range(positions.size)]  # (stem, start)
    for row, (position, slot) in enumerate(zip(positions.tolist(), slots.tolist(), strict=True)):
        for stem, offset in finder.anchors(slot):
            start = position - offset
            if start >= 0 and lowered[start : start + len(stem)] == stem:
                standing[row].add((stems.index(stem), start))
    assert all(standing)
    assert [reduce(operator.or_, (groups[n] for n, _ in held)) for held in standing] == bits.tolist()
    assert sorted(zip(rows.tolist(), numbers.tolist(), strict=True)) == sorted(
        (row, n)
        for row, held in enumerate(standing)
        for n, _ in held  # a stem twice: two starts
    )
    occurrences = {(n, start) for n, stem in enumerate(stems) for start in naive_starts((stem,), text)}
    assert set().union(*standing) == occurrences


@settings(max_examples=100, deadline=None)
@given(STEMS, st.data())
def test_a_hit_whose_bucket_names_another_code_is_searched(stems: list[bytes], data: st.DataObject) -> None:
    """A hit's slot is its code's whether its hash bucket names that code or another one."""
    text = _text(data, stems)
    finder = StemFinder(tuple(stems), _text(data, stems))
    positions, bits, slots = finder.tagged(text)
    finder.buckets[:] = 0  # every bucket names slot 0: every other code is found by the search
    assert [array.tolist() for array in finder.tagged(text)] == [positions.tolist(), bits.tolist(), slots.tolist()]


def test_stems_must_be_three_bytes() -> None:
    """A stem needs anchors of two of its bytes or three; a shorter one would match nearly everywhere anyway."""
    with pytest.raises(ValueError, match="three bytes"):
        StemFinder((b"ab",))


def test_stems_must_be_lower_case() -> None:
    """Case folding by OR 0x20 only works for stem bytes that have the bit."""
    with pytest.raises(ValueError, match="lower-case"):
        StemFinder((b"AWS",))


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30))
def test_matches_names_the_stems_a_candidate_starts(pieces: list[bytes], sample: list[bytes]) -> None:
    """``matches`` gives a candidate with each stem of its slot that stands there, in any case (the
    candidates of ``tagged``, and the bytes either side of them, where no stem of theirs stands)."""
    text = b"".join(pieces)
    finder = StemFinder(PREFILTER, b"".join(sample))
    positions, _, slots = finder.tagged(text)
    positions, slots = np.r_[positions, positions + 1, positions - 1], np.r_[slots, slots, slots]
    data = np.frombuffer(text + b"\n" * 32, dtype=np.uint8)
    lowered = text.lower()
    expected = [
        (row, PREFILTER.index(stem))
        for row, (p, slot) in enumerate(zip(positions.tolist(), slots.tolist(), strict=True))
        for stem, o in finder.anchors(slot)
        if p >= o and lowered[p - o : p - o + len(stem)] == stem
    ]
    rows, numbers = finder.matches(data, positions, slots)
    assert sorted(zip(rows.tolist(), numbers.tolist(), strict=True)) == sorted(expected)
    assert set(range(positions.size // 3)) <= {row for row, _ in expected}  # each of ``tagged``'s starts one


@pytest.mark.parametrize(
    ("pattern", "stems"),
    [
        (r"(?i)rate exceeded|throttl\w*", (b"rate exceeded", b"throttl")),
        (r"[A-Z]\w* \((?:client|server)\): ", (b" (client", b" (server")),  # joined to the literal before
        (r"(?:Foo|Ba)Exception", (b"exception",)),
        (r"x{2,}abc", (b"abc",)),
        (r"[a-z]+", None),
        (r"ab|cde", None),  # "ab" is too short to be a stem, so nothing is required
    ],
)
def test_required_stems_are_held_by_every_match(pattern: str, stems: tuple[bytes, ...] | None) -> None:
    """The stems read from a pattern's parse tree: one of them is in every match."""
    assert required_stems(pattern) == stems


@pytest.mark.parametrize(
    ("pattern", "clauses"),
    [
        (r"pending[ \t]{1,8}deletion", ((b"deletion", b"pending"),)),
        # a trie's alternatives each keep their own words: no "pending" with "denied"
        (
            r"p(?:ending[ \t]deletion|ermission[ \t]{1,8}denied)",
            ((b"deletion", b"pending"), (b"denied", b"permission")),
        ),
        (r"ec2[ \t]i(?:mds[ \t]role|nstance[ \t]role)[ \t]found", ((b"found", b"imds"), (b"found", b"instance"))),
        (r"(?:Foo|Ba)Exception", ((b"exception",),)),
        (r"ab|cde", None),
    ],
)
def test_clauses_of_two_stems_are_held_by_every_match(
    pattern: str, clauses: tuple[tuple[bytes, ...], ...] | None
) -> None:
    assert derive_clauses(pattern, width=2) == clauses


_GATE = text_of(aws_errors.ERROR_GATE)
_GATE_CLAUSES = derive_clauses(_GATE, width=2) or ()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(_GATE, alphabet=st.characters(codec="ascii")))
def test_every_match_of_the_gate_meets_one_of_its_clauses(text: str) -> None:
    """Texts the error gate matches (drawn from its own pattern) hold every stem of a clause."""
    lowered = text.lower().encode()
    assert any(all(stem in lowered for stem in clause) for clause in _GATE_CLAUSES)


def test_width_one_is_the_stems_one_of_which_every_match_holds() -> None:
    assert derive_clauses(_GATE, PREFILTER) == tuple((stem,) for stem in derive_stems(_GATE, PREFILTER) or ())


def test_the_scanner_reads_every_stem_it_needs_from_the_stored_file() -> None:
    """A fresh process derives nothing: ``cvlogs/data/required_stems.json`` is up to date (if this
    fails after a grammar or ``prefilter.py`` changed, run ``python -m cvlogs.parsing.prefilter``)."""
    code = "import cvlogs.parsing.scanner, cvlogs.parsing.prefilter as p; print(len(p.derived))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "0\n"


def test_stored_stems_are_what_the_derivation_gives() -> None:
    from cvlogs.grammars import aws_errors  # noqa: PLC0415

    from cvlogs.parsing import prefilter  # noqa: PLC0415
    from cvlogs.parsing.activity import _WIDTH  # noqa: PLC0415

    gate = text_of(aws_errors.ERROR_GATE)
    assert prefilter._digest(gate, PREFILTER, _WIDTH) in prefilter._stored()
    assert prefilter.required_clauses(gate, PREFILTER, _WIDTH) == prefilter.derive_clauses(gate, PREFILTER, _WIDTH)


def test_a_damaged_stored_file_is_derived_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cvlogs.parsing import prefilter  # noqa: PLC0415

    damaged = tmp_path / "stems.json"
    damaged.write_text('{"cut', encoding="utf-8")
    monkeypatch.setattr(prefilter, "STORED_STEMS", damaged)
    prefilter._stored.cache_clear()
    try:
        assert required_stems("(?:timed out|refused)") == (b"refused", b"timed out")
    finally:
        prefilter._stored.cache_clear()


@pytest.mark.parametrize(
    ("pattern", "numbers"),
    [
        ("403[ \t]{1,8}forbidden", {"403"}),
        ("169\\.254\\.169\\.254|fd00:ec2::254", {"169", "254"}),  # 00 and 2 are glued to letters
        ("e(?:ai_again|c(?:2(?:[ \t]cannot|exception)|onnreset))", set()),  # the trie keeps ec2 together
        ("size of [0-9]{1,10}|throttl\\w{0,40}|[^\\]]{1,8}", set()),  # classes take every digit or none
        ("version [0-5]", None),  # some digits only
        ("(a)\\1", None),  # a back-reference
        ("code 0", None),  # a free number of zeros: a masked number would match it
    ],
)
def test_free_numbers_are_the_digits_a_pattern_tells_apart(pattern: str, numbers: set[str] | None) -> None:
    from cvlogs.parsing.prefilter import free_numbers  # noqa: PLC0415

    assert free_numbers(pattern) == (None if numbers is None else frozenset(numbers))


def test_the_masked_numbers_are_the_whole_error_gates_free_numbers() -> None:
    """``masked_numbers`` reads the error gate of its texts that hold a digit: the whole gate's
    pattern has the same free numbers, and the gate is made of its texts."""
    from cvlogs.parsing.activity import masked_numbers  # noqa: PLC0415
    from cvlogs.parsing.prefilter import free_numbers  # noqa: PLC0415

    assert aws_errors.gate_pattern(aws_errors.GATE_TEXTS) == _GATE
    whole = free_numbers(_GATE)
    assert whole is not None
    assert masked_numbers() == tuple(sorted(number.encode() for number in whole))


@given(st.text(alphabet="aAbBnN ", max_size=200), st.lists(st.sampled_from(["ban", "nab", "aab", "bnb"]), min_size=1))
def test_a_stem_count_is_never_below_the_stems_occurrences(text: str, stems: list[str]) -> None:
    """``stem_counts`` bounds each stem's occurrences (in any case, overlapping ones too) from above."""
    sample = text.encode()
    counts = stem_counts(tuple(stem.encode() for stem in stems), bigram_counts(sample))
    for stem, count in zip(stems, counts.tolist(), strict=True):
        assert count >= len(naive_starts((stem.encode(),), sample))
