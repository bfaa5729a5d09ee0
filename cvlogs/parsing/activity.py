"""Plain Amazon activity: records that only an Amazon class name brings to the scanner.

An EC2 backup fills vsbkp.log with progress lines of Amazon classes (``CVAmazonSnap::
CreateSnapshot() - Snapshot [snap-0...] progress [42%]``).  The trigger stem ``amazon`` makes each
a candidate, and each is a distinct text, so each used to go through every error grammar only to
be called ``activity``.  A record whose only triggers are Amazon class words inside the class name
of its ``Class::Method()`` means ``activity`` whatever its message says, so it never reaches the
grammars, unless its text meets a clause of the *vocabulary* (the stems that every match of the
error gate holds, two to a clause where the gate allows: ``pending`` with ``deletion``; and the
words of the Connect and Assume role steps) and the gate or a step word then confirms it.  numpy
decides where the class name is (one look per line *shape*), which records meet a clause, and
groups the plain records by their pid, thread and job bytes, for all of a chunk's records at
once: no Python object is made per activity line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from cvlogs.compiled import text_of
from cvlogs.grammars import aws_errors, credentials, header
from cvlogs.parsing.lineindex import LineIndex, Offsets, distinct, spans_mask
from cvlogs.parsing.lines import Layout
from cvlogs.parsing.messages import GATE
from cvlogs.parsing.prefilter import Clauses, fewest_holding, free_numbers, required_clauses, required_stems

CLASS, TRIGGER = 1, 2
"""Trigger groups: a trigger that is also an Amazon class word, any other trigger."""

_WINDOW = 80
"""Bytes looked at from a line's start: pid to ``Class::Method()`` of a usual header."""
_FIELDS = 48
"""The class word must stand within this many bytes of the line start (else: the slow path)."""
_WORDS = _WINDOW // 8
_COLUMNS = np.arange(_WINDOW)

# Odd 64-bit multipliers for hashing a window; rows with equal hashes are compared byte for byte.
_MULTIPLIERS = (np.arange(1, 2 * _WORDS, 2, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)
_HEADER = header.HEADER.re  # compiled once, where lines.py reads headers too


@cache
def vocabulary(triggers: tuple[bytes, ...] = ()) -> Clauses | None:
    """Clauses of stems, all the stems of one of which every message holds that the message
    grammars can say more of than ``activity``.

    The clauses every match of the error gate meets (``aws_errors.ERROR_GATE``, the one search
    that every message stating an error passes; read from its pattern, up to two stems a clause:
    ``pending`` and ``deletion``, not ``pending`` alone), and the Connect and Assume role steps
    (``connecting to``, ``assume role`` and its variants, and the two step methods), a stem each.
    None when the gate yields no clauses: then every candidate takes the slow path.  Where the
    gate leaves a choice, stems that hold a trigger (searched anyway) are taken.
    """
    gate = required_clauses(text_of(aws_errors.ERROR_GATE), triggers, _WIDTH)
    if gate is None:
        return None
    return tuple(sorted({*gate, *((word,) for word in step_words())}))


_WIDTH = 2
"""Stems a clause of the gate's may hold."""
_TRIMMED = 2
"""How much shorter a stem may be to be searched for a longer one that holds it."""


@cache
def step_words() -> tuple[bytes, ...]:
    """Stems of the Connect and Assume role steps, one of which a step line's record holds."""
    label = required_stems(text_of(credentials.ASSUME_ROLE_LABEL)) or (b"assum",)
    methods = (*credentials.CONNECT_METHODS, *credentials.VALIDATE_METHODS)
    return (b"connecting", *label, *(f"::{method.lower()}(".encode() for method in methods))


def says_more(text: str) -> bool:
    """Whether a record that holds vocabulary may say more than ``activity``: the error gate
    matches it (the search every message stating an error passes) or it holds a step's words.

    Asked once per text with its ids masked: whole tokens of six or more hex digits (``snap-0...``
    ids, sizes) become ``0``; no gate or step word is made of such a token, so what the gate
    finds outside them it still finds (a test checks the gate's words).
    """
    return _says_more(_IDS.sub("0", text.lower()))


_IDS = re.compile(r"(?<![0-9a-z])(?=[0-9a-f]*[0-9])[0-9a-f]{6,}(?![0-9a-z])")
_MIN_ID = 6


def id_masked(data: npt.NDArray[np.uint8], begins: Offsets, ends: Offsets) -> list[bytes]:
    """The texts ``data[begins[i]:ends[i]]`` as ``says_more_of`` keys: numpy for all texts at once.

    Lower-cased in ASCII; every id token that ``_IDS`` masks (a run of ASCII letters and digits
    that is all hex digits, holds a digit and is six or more long) made all ``0``, and so every
    number (a token of digits only) that holds none of the error gate's free numbers (see
    ``masked_numbers``).  The texts are ascending and apart, and each but the last ends in a byte
    that is no letter or digit (a record's line feed).  An id stays a token of six or more ``0``,
    which ``_IDS`` masks as it masks the id, and a number keeps its length and place, which the
    gate cannot tell from its own digits: so for an ASCII text ``says_more_of`` its key is
    ``says_more`` of the text, and activity records that differ only in their ids, sizes and
    percentages are one key (a test plants both in every shape of line).
    """
    size = int(ends[-1]) if ends.size else 0
    text = data[:size][spans_mask(size, begins, ends)]
    text += np.uint8(32) * ((text - np.uint8(ord("A"))) < 26)  # ASCII lower case
    # One byte past the end, no letter or digit: a token ends before it, and so inside the sums.
    digit = np.r_[(text - np.uint8(ord("0"))) < 10, False]
    letter = np.r_[(text - np.uint8(ord("a"))) < 26, False]
    edges = np.flatnonzero(np.diff(np.r_[False, digit | letter]))  # token starts and ends, interleaved
    if edges.size:
        # Per token (sums over [start, end) at the even places): its letters, and those past ``f``.
        letters = np.add.reduceat(letter, edges, dtype=np.int32)[0::2]
        above_f = np.add.reduceat(letter & np.r_[text > np.uint8(ord("f")), False], edges, dtype=np.int32)[0::2]
        first, last = edges[0::2], edges[1::2]
        masked = (last - first >= _MIN_ID) & (above_f == 0) & (letters < last - first)  # a digit in it
        numbers = masked_numbers()
        if numbers is not None:
            kept = np.zeros(first.size, dtype=bool)  # numbers that hold a free number of the gate
            for number in numbers:
                at = np.flatnonzero(_occurs(text, number))
                kept[np.searchsorted(first, at, side="right") - 1] = True
            masked |= (letters == 0) & ~kept
        text[spans_mask(text.size, first[masked], last[masked])] = ord("0")
    blob = text.tobytes()
    stops = np.cumsum(ends - begins).tolist()
    return [blob[start:stop] for start, stop in zip([0, *stops[:-1]], stops, strict=True)]


def _occurs(text: npt.NDArray[np.uint8], word: bytes) -> npt.NDArray[np.bool_]:
    """Per position of ``text``, whether ``word`` starts there."""
    found = np.zeros(text.size, dtype=bool)
    count = text.size - len(word) + 1
    if count > 0:
        found[:count] = True
        for offset, byte in enumerate(word):
            found[:count] &= text[offset : offset + count] == byte
    return found


@cache
def masked_numbers() -> tuple[bytes, ...] | None:
    """The error gate's free numbers (``prefilter.free_numbers``: ``169``, ``254``, ``403``), a
    number holding one of which keeps its digits in a key; None when numbers cannot be masked
    (the gate tells digits apart otherwise, or a step word holds a digit).

    Read from the gate of its texts that hold a digit: the others hold no number and treat every
    digit alike (as ``\\w`` and ``#`` do), and that pattern parses in a millisecond where the whole
    gate took 45 ms in every reader (a test compares the two)."""
    numbered = frozenset(text for text in aws_errors.GATE_TEXTS if any(char in "0123456789" for char in text))
    free = free_numbers(aws_errors.gate_pattern(numbered))
    if free is None or any(byte in b"0123456789" for word in step_words() for byte in word):
        return None
    return tuple(sorted(number.encode() for number in free))


@lru_cache(maxsize=8192)
def says_more_of(key: bytes) -> bool:
    """``says_more`` of an ASCII text, given its ``id_masked`` key."""
    return _says_more(_IDS.sub("0", key.decode("ascii")))


@lru_cache(maxsize=8192)
def _says_more(lowered: str) -> bool:
    return GATE.search(lowered) is not None or any(word.decode() in lowered for word in step_words())


def trigger_groups(triggers: tuple[bytes, ...]) -> tuple[int, ...]:
    """The group of each trigger: ``CLASS`` for Amazon class words (when the vocabulary is known), else ``TRIGGER``."""
    class_words = (
        {word.encode() for word in credentials.AMAZON_CLASS_WORDS} if vocabulary(triggers) is not None else set()
    )
    return tuple(CLASS if stem in class_words else TRIGGER for stem in triggers)


@dataclass(frozen=True)
class Vocabulary:
    """The vocabulary to search besides the triggers, and its clauses by stem number.

    A clause with a stem that holds a trigger is left out: a record that meets it holds the
    trigger, which the trigger search finds (outside a class name, that makes the record one
    the grammars read).
    """

    stems: tuple[bytes, ...]
    clauses: npt.NDArray[np.int64]
    """One row per clause: its stems' numbers, the first repeated to fill the row."""

    @classmethod
    def of(cls, triggers: tuple[bytes, ...]) -> Vocabulary:
        clauses = vocabulary(triggers) or ()
        holding = re.compile(b"|".join(map(re.escape, triggers)) or b"(?!)")  # one search a stem
        searched = {stem for clause in clauses for stem in clause if holding.search(stem)}
        kept = [clause for clause in clauses if searched.isdisjoint(clause)]
        # A stem that holds one a byte or two shorter is searched as that one (a text that holds it
        # holds both; a trie's words come cut at different letters: ``nstance``, ``instance``).
        known = {stem for clause in kept for stem in clause}
        inner = {stem: _inner(stem, known) for stem in known}
        trimmed = {frozenset(inner[stem] for stem in clause) for clause in kept}
        kept = sorted(tuple(sorted(c)) for c in trimmed if not any(other < c for other in trimmed))
        stems = tuple(sorted({stem for clause in kept for stem in clause}))
        number = {stem: n for n, stem in enumerate(stems)}
        width = max(map(len, kept), default=1)
        rows = [[number[stem] for stem in clause] for clause in kept]
        table = np.array([row + row[:1] * (width - len(row)) for row in rows], dtype=np.int64).reshape(-1, width)
        return cls(stems, table[np.argsort(table[:, 0], kind="stable")])

    def keys(self, counts: npt.NDArray[np.int64]) -> tuple[bytes, ...]:
        """Stems of which a text that meets a clause holds at least one: each clause's least
        frequent stem by ``counts`` (per stem number, from a sample), the lower number on a tie.
        Searched first, they let the words of plain activity itself (``instance``, ``region``,
        ``pending``: each the other half of a clause) pass without a candidate.  A key that holds
        another (``regiondisabled``, ``disabled``) is left to that one: its anchors would lie in
        the rest of it (``region``)."""
        frequency = counts.tolist()
        return fewest_holding(self.stems[min(row, key=lambda n: (frequency[n], n))] for row in self.clauses.tolist())

    def met(self, records: Offsets, stems: Offsets) -> Offsets:
        """The records (ascending) that hold every stem of a clause, from the stems found in
        them: ``stems[i]`` (a stem's number) stands in record ``records[i]``."""
        count = len(self.stems)
        held = distinct(records * count + stems)
        firsts = self.clauses[:, 0]
        # Each found stem against each clause it leads: the clause's other stems must be held too.
        begins = np.searchsorted(firsts, stems)
        sizes = np.searchsorted(firsts, stems, side="right") - begins
        rows = np.repeat(begins - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        owners = np.repeat(records, sizes)
        ok = np.ones(rows.size, dtype=bool)
        for column in range(1, self.clauses.shape[1]):
            wanted = owners * count + self.clauses[rows, column]
            ok &= held[np.minimum(np.searchsorted(held, wanted), held.size - 1)] == wanted
        found: Offsets = distinct(owners[ok])
        return found


def _inner(stem: bytes, known: set[bytes]) -> bytes:
    """The shortest (then lowest) of the ``known`` stems that ``stem`` holds, at most ``_TRIMMED``
    bytes shorter: its pieces looked up, not every stem tried against it."""
    pieces = (stem[at : len(stem) - cut + at] for cut in range(_TRIMMED + 1) for at in range(cut + 1))
    return min((piece for piece in pieces if piece in known), key=lambda piece: (len(piece), piece))


@dataclass(frozen=True, slots=True)
class ClassNames:
    """Which class-word candidates stand in the class name of a header's ``Class::Method()``,
    and the pid, thread and job bytes of their lines."""

    named: npt.NDArray[np.bool_]
    """Per candidate: in a class name."""
    lines: Offsets
    """The lines of the named candidates (ascending, a line once per candidate)."""
    keys: npt.NDArray[np.uint64]
    """Per entry of ``lines``: its window's first words with only the pid, thread and job bytes left
    (the words up to the last that holds one of them in any shape)."""
    prefixes: Offsets
    """Per entry of ``lines``: where its header prefix (pid, thread, date and time) ends, from the line start."""
    shapes: Offsets
    """Per entry of ``lines``: its shape's number in ``layouts``."""
    layouts: tuple[Layout | None, ...]
    """Per shape: where the header fields of its lines lie (see ``lines.header_at``)."""
    rows: Offsets
    """Per line of the chunk: its first entry in ``lines`` (-1 for a line not there), so that the
    entries of some of ``lines`` are looked up rather than searched for.  Only lines of ``lines``
    may be looked up: -1 would silently index the last entry (the callers pass candidates' lines)."""

    def layouts_of(self, lines: Offsets) -> list[Layout | None]:
        """The layouts of header ``lines``, each one of ``self.lines``."""
        layouts = self.layouts
        return [layouts[shape] for shape in self.shapes[self.rows[lines]].tolist()]


def class_names(index: LineIndex, positions: Offsets, lines: Offsets, headers: npt.NDArray[np.bool_]) -> ClassNames:
    """Find the candidates (class-word stems) that stand in a class name, with numpy and one look per shape.

    Each candidate's line is taken as a fixed window from its start, up to the ``()`` after the
    candidate; its *shape* is that window with every digit made ``0``: the time, pid and job
    change from line to line, the layout does not.  Each distinct shape is matched once with the
    header pattern: the candidate must lie in the class name of ``Class::Method()``, which must
    end the window, and the pattern's pid, thread and job spans give the bytes that key the line.
    A candidate further than ``_FIELDS`` bytes into its line, or whose ``()`` lies past the
    window, is not named, which only sends its record down the slow path.  ``lines`` are the
    candidates' lines, ``headers`` whether each is a header line (the scanner knows both).
    """
    starts = index.starts[lines]
    offsets = positions - starts
    named = headers & (offsets < _FIELDS)
    rows = np.flatnonzero(named)
    if rows.size == 0:
        return _no_names(named, lines, index.count)
    windows = as_strided(index.data, (index.data.size - _WINDOW + 1, _WINDOW), (1, 1), writeable=False)
    raw = windows[starts[rows]]  # one row copy per line, in C
    at = offsets[rows]
    # The first ``(`` after the candidate, by one search over the flattened windows (a source
    # line number in the parentheses, ``Method(42)``, makes a shape the pattern refuses: slow path).
    flat = np.flatnonzero(raw.reshape(-1) == ord("("))
    base = np.arange(rows.size) * _WINDOW
    found = flat[np.minimum(np.searchsorted(flat, base + at + 1), max(flat.size - 1, 0))] if flat.size else base
    end = found - base + 2  # the shape ends after ``()``
    fits = (end > at + 2) & (end <= _WINDOW)
    end = np.where(fits, end, 0)
    digits = raw - np.uint8(ord("0"))
    shape = (raw - digits * (digits < 10)).view("<u8") & _PREFIXES[end]  # digits as 0, nothing after ``()``
    candidates = np.flatnonzero(fits)
    if candidates.size == 0:
        named[:] = False
        return _no_names(named, lines, index.count)
    width = -(-int(end.max()) // 8)  # the words past the longest shape are 0 in every row
    shape = shape[:, :width]
    order, group, same = _groups(shape if candidates.size == rows.size else shape[candidates])
    leaders = candidates[order[np.flatnonzero(np.r_[True, group[1:] != group[:-1]])]]
    looks = [_shape_key(shape[row].tobytes()) for row in leaders.tolist()]
    begins = np.array([look[0] for look in looks])
    ends = np.array([look[1] for look in looks])
    masks = np.array([look[2] for look in looks], dtype=np.uint64)
    prefixes = np.array([look[3] for look in looks], dtype=np.int64)
    layouts = tuple(look[4] for look in looks)
    rows_sorted = candidates[order]
    where = at[rows_sorted]
    good = same & (begins[group] <= where) & (where < ends[group])
    # Back to line order, for the lookups by line: each row's group put at its place.
    in_order = np.full(rows.size, -1, dtype=np.intp)
    in_order[rows_sorted[good]] = group[good]
    keep = np.flatnonzero(in_order >= 0)
    kept_groups = in_order[keep]
    named[rows] = False
    named[rows[keep]] = True
    key_words = int(np.flatnonzero(masks.any(axis=0)).max(initial=-1)) + 1  # up to the last word that holds a key byte
    keys = raw.view("<u8")[keep, :key_words] & masks[kept_groups, :key_words]
    lines = lines[rows[keep]]
    return ClassNames(named, lines, keys, prefixes[kept_groups], kept_groups, layouts, _rows(lines, index.count))


def _rows(lines: Offsets, count: int) -> Offsets:
    """Per line below ``count``: the place of its first entry in ``lines`` (ascending), -1 for none."""
    rows = np.full(count, -1, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, lines[1:] != lines[:-1]]) if lines.size else lines
    rows[lines[first]] = first
    return rows


def _no_names(named: npt.NDArray[np.bool_], lines: Offsets, count: int) -> ClassNames:
    keys = np.zeros((0, 0), dtype=np.uint64)
    return ClassNames(named, lines[:0], keys, lines[:0], lines[:0], (), _rows(lines[:0], count))


def _prefixes() -> npt.NDArray[np.uint64]:
    """Row ``n``: the word masks that keep the first ``n`` bytes of a window."""
    table = np.zeros((_WINDOW + 1, _WINDOW), dtype=np.uint8)
    table[np.tril_indices(_WINDOW + 1, -1, _WINDOW)] = 0xFF
    return table.view("<u8")


_PREFIXES = _prefixes()


def _groups(words: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Rows grouped by value: an order that sorts them by hash, the group number of each
    sorted row, and whether it equals its group's first row and every row between them (False:
    a hash collision, which only sends a row down the slow path)."""
    columns = np.ascontiguousarray(words.T)  # a column's words side by side: 40% faster passes than a strided column
    hashes = np.zeros(words.shape[0], dtype=np.uint64)
    for column, multiplier in zip(columns, _MULTIPLIERS[: columns.shape[0]], strict=True):
        hashes += column * multiplier
    order = np.argsort(hashes)
    ordered = hashes[order]
    first = np.ones(order.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    group = np.cumsum(first) - 1
    # Each sorted row against the one before it (one gather a column, not two against the first):
    # a row equals its group's first when no row from the first up to it differs from the one before.
    differ = np.zeros(order.size, dtype=np.uint64)
    for column in columns:
        words_in_order = column[order]
        differ[1:] |= words_in_order[1:] ^ words_in_order[:-1]
    breaks = np.cumsum((differ != 0) & ~first)
    return order, group, breaks == breaks[np.flatnonzero(first)[group]]


@lru_cache(maxsize=4096)
def _shape_key(shape: bytes) -> tuple[int, int, npt.NDArray[np.uint64], int, Layout | None]:
    """The span of the Amazon class name of the ``Class::Method()`` that ends ``shape`` (empty when
    there is none), the word masks of its pid, thread and job bytes, where its header prefix
    ends (the digits made ``0`` leave the prefix as long as the line's own), and the layout of
    its header fields."""
    mask = np.zeros(_WINDOW, dtype=np.uint8)
    text = shape.rstrip(b"\0").decode("latin-1")
    found = _HEADER.match(text)
    # The function and its parentheses (``()``, or a source line number) must end the shape.
    if found is None or found.start("source_line") < 0 or found.end("source_line") + 1 != len(text):
        return 0, 0, mask.view("<u8"), 0, None
    if not any(word in found["class_name"].lower() for word in credentials.AMAZON_CLASS_WORDS):
        return 0, 0, mask.view("<u8"), 0, None
    for name in ("pid", "tid", "job"):
        if found.start(name) >= 0:
            mask[found.start(name) : found.end(name)] = 0xFF
    return found.start("class_name"), found.end("class_name"), mask.view("<u8"), found.end("time"), Layout.of(found)


def thread_groups(names: ClassNames, lines: Offsets) -> tuple[list[Offsets], Offsets]:
    """The header ``lines`` (plain activity, each one of ``names.lines``) grouped by the bytes of
    their pid, thread and job (ascending in each group), and the lines apart whose hash collided
    with another group's."""
    key = names.keys[names.rows[lines]]  # the first named candidate of each line
    order, group, same = _groups(key)
    ordered = lines[order]
    # Each group's lines ascending: one sort of (group, line) as one number, not a sort a group.
    span = int(lines.max()) + 1 if lines.size else 1  # lines in any order
    group_lines = np.sort(group[same] * span + ordered[same])
    numbers, kept = np.divmod(group_lines, span)
    return np.split(kept, np.flatnonzero(np.diff(numbers)) + 1) if kept.size else [], np.sort(ordered[~same])
