"""Finding the grammars' trigger stems in a chunk: one vectorised pass instead of one pass per stem.

``bytes.find`` costs a full pass over the chunk per stem that is absent (about 10 ms per 8 MB
here, and most stems are absent from most chunks).  Instead, each stem gets two *anchors*: two
overlapping two-byte windows inside it (offsets ``i`` and ``i + 1``), chosen where the stem is
rarest in the file being read (counted on its first megabyte).  Wherever a stem occurs, one of
its two anchors starts at an even offset, so numpy only looks up the even-offset windows of the
chunk, in a 65,536-entry table of anchors, all at once; only positions that hold an anchor (and
the right next two bytes) are checked against their stems in Python.

The search ignores ASCII case without a lower-cased copy of the chunk: every stem byte (a
lower-case letter, a digit, ``.`` or a blank) has bit 0x20 set, so OR-ing 0x20 into the text
turns upper-case letters into lower-case ones and can only add candidates, which the exact
check drops.  The result is exactly the set of positions where ``bytes.find`` finds a stem in
the lower-cased text (a test compares the two).  Measured here: about 1.5 ms per megabyte,
against 5 ms for the previous one-anchor search over both parities plus ``bytes.lower``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_CASE_BITS = 0x2020
_MIN_STEM = 3

try:  # Python's own regex parser (as the header automaton uses it)
    _sre_parse: Any = importlib.import_module("re._parser")
    _sre: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover
    _sre_parse = _sre = None


def as_stem(text: str) -> bytes | None:
    """The longest piece of ``text`` (lower-cased) that a stem can be: bytes with bit 0x20, three or more.

    Any text that holds ``text`` holds this piece, so searching for it misses nothing.
    """
    pieces = "".join(c if c.isascii() and ord(c) & 0x20 else "\0" for c in text.lower()).split("\0")
    best = max(pieces, key=len)
    return best.encode() if len(best) >= _MIN_STEM else None


#: Stems derived from long patterns, stored with the package under a digest of their inputs and
#: of this module's source (the error gate's took 0.33 s in every process that read a file).
STORED_STEMS = Path(__file__).resolve().parent.parent / "data" / "required_stems.json"
Clauses = tuple[tuple[bytes, ...], ...]
"""Ways a text can hold what a pattern needs: every match holds all the stems of one clause."""

derived: dict[str, tuple[str, tuple[bytes, ...], int, Clauses | None]] = {}
"""The clauses derived in this process rather than read from ``STORED_STEMS``: digest -> pattern,
known stems, width, clauses (what ``python -m cvlogs.parsing.prefilter`` writes to the file)."""


def required_stems(pattern: str, known: tuple[bytes, ...] = ()) -> tuple[bytes, ...] | None:
    """Stems one of which every match of the regular expression ``pattern`` holds (case ignored)."""
    return _stems_of(required_clauses(pattern, known))


def _stems_of(clauses: Clauses | None) -> tuple[bytes, ...] | None:
    """Every stem of the clauses, sorted (of width-one clauses: the stems one of which is held)."""
    return None if clauses is None else tuple(sorted({stem for clause in clauses for stem in clause}))


def required_clauses(pattern: str, known: tuple[bytes, ...] = (), width: int = 1) -> Clauses | None:
    """Clauses of up to ``width`` stems, all the stems of one of which every match of ``pattern``
    holds (case ignored): read from ``STORED_STEMS`` when stored for exactly these inputs and
    this code, else derived (see ``derive_clauses``)."""
    digest = _digest(pattern, known, width)
    stored = _stored()
    if digest in stored:
        clauses = stored[digest]
        return None if clauses is None else tuple(tuple(stem.encode("latin-1") for stem in c) for c in clauses)
    found = derived[digest] = (pattern, known, width, derive_clauses(pattern, known, width))
    return found[3]


def _digest(pattern: str, known: tuple[bytes, ...], width: int = 1) -> str:
    """The key of a derivation: the code, the pattern, the width and the known stems (their order
    does not matter, and set order changes from process to process)."""
    parts = [_source(), pattern.encode("utf-8", "surrogatepass"), str(width).encode(), *sorted(known)]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


@cache
def _source() -> bytes:
    return Path(__file__).read_bytes()


@cache
def _stored() -> dict[str, list[list[str]] | None]:
    try:
        stored: dict[str, list[list[str]] | None] = json.loads(STORED_STEMS.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or damaged: derive, as if nothing were stored
        return {}
    return stored


def store_derived() -> None:
    """Write the clauses derived in this process to ``STORED_STEMS`` (replacing its content)."""
    stems = {
        digest: None if found is None else [[stem.decode("latin-1") for stem in clause] for clause in found]
        for digest, (_, _, _, found) in sorted(derived.items())
    }
    STORED_STEMS.write_text(json.dumps(stems, indent=1) + "\n", encoding="utf-8")


def derive_stems(pattern: str, known: tuple[bytes, ...] = ()) -> tuple[bytes, ...] | None:
    """Stems one of which every match of ``pattern`` holds: ``derive_clauses`` of width one."""
    return _stems_of(derive_clauses(pattern, known))


def derive_clauses(pattern: str, known: tuple[bytes, ...] = (), width: int = 1) -> Clauses | None:
    """Clauses of up to ``width`` stems such that every match of ``pattern`` holds all the stems of
    one of them (case ignored); None when there are none of three bytes or more (then a caller
    cannot skip the pattern).

    Read from the pattern's parse tree: a sequence needs what each of its items needs (a literal
    run, a group, an alternation, whose every alternative needs clauses of its own, or a repeat of
    at least one), so its clauses are the best item's, each joined with the next best item's up
    to ``width`` stems (a word of a phrase alone, such as ``pending`` of ``pending deletion``,
    is common where the phrase is not).  Where a choice is left, stems that hold one of the
    ``known`` stems (searched anyway) come first, then the longest.
    """
    if _sre_parse is None:  # pragma: no cover
        return None
    found = _sequence_clauses(list(_sre_parse.parse(pattern)), known, width)
    return None if found is None else tuple(sorted(tuple(sorted(clause)) for clause in _simplest(found)))


_Dnf = frozenset[frozenset[bytes]]
_MAX_CLAUSES = 64
"""Clauses one item may have after joining; a join that would make more keeps the best item's."""


def _single(stem: bytes) -> _Dnf:
    return frozenset({frozenset({stem})})


def _sequence_clauses(items: list[tuple[Any, Any]], known: tuple[bytes, ...], width: int) -> _Dnf | None:
    options: list[_Dnf] = []
    run: list[str] = []

    def flush() -> None:
        if run and (stem := as_stem("".join(run))) is not None:
            options.append(_single(stem))

    for op, value in items:
        if op is _sre.LITERAL:
            run.append(chr(value))
            continue
        joined = None
        if op in (_sre.BRANCH, _sre.SUBPATTERN) and run and (joined := _joined("".join(run), op, value, known, width)):
            options.append(joined)  # a trie: "a" then "ws..." or "ccess..." is "aws" or "access"
        flush()
        run.clear()
        inner: _Dnf | None = None
        if joined and width > 1:
            pass  # the joined clauses hold each alternative's own: joining them with these would pair alternatives
        elif op is _sre.SUBPATTERN:
            inner = _sequence_clauses(list(value[-1]), known, width)
        elif op is _sre.BRANCH:
            branches = [_sequence_clauses(list(alternative), known, width) for alternative in value[1]]
            if all(b is not None for b in branches):
                inner = frozenset().union(*(b for b in branches if b is not None))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) and value[0] >= 1:
            inner = _sequence_clauses(list(value[2]), known, width)
        if inner is not None:
            options.append(inner)
    flush()
    return _all_of(options, known, width)


def _all_of(options: list[_Dnf], known: tuple[bytes, ...], width: int) -> _Dnf | None:
    """What a text that holds every one of ``options`` holds: the best option's clauses, joined
    with the next best's while a clause has room (``width``)."""
    if not options:
        return None
    ranked = sorted(options, key=lambda option: _preference(option, known), reverse=True)  # stable: first best
    best = ranked[0]
    for other in ranked[1:width]:
        if len(best) * len(other) > _MAX_CLAUSES:
            break
        best = _simplest(frozenset(_strongest(a | b, width) for a in best for b in other))
    return best


def _strongest(clause: frozenset[bytes], width: int) -> frozenset[bytes]:
    """The ``width`` longest stems of a clause, none inside another (fewer stems: a weaker
    clause, still held)."""
    kept: list[bytes] = []
    for stem in sorted(clause, key=lambda stem: (-len(stem), stem)):
        if len(kept) < width and not any(stem in longer for longer in kept):
            kept.append(stem)
    return frozenset(kept)


def _simplest(clauses: _Dnf) -> _Dnf:
    """Without the clauses that hold another one (a text that meets them meets it)."""
    return frozenset(c for c in clauses if not any(other < c for other in clauses))


def _preference(option: _Dnf, known: tuple[bytes, ...]) -> tuple[bool, int, int]:
    """Stems searched anyway first, then the longest shortest stem (the fewest chance matches);
    a clause counts by its longest stem."""
    stems = {max(clause, key=lambda stem: (len(stem), stem)) for clause in option}
    return all(any(k in stem for k in known) for stem in stems), min(map(len, stems)), -len(stems)


def _joined(prefix: str, op: Any, value: Any, known: tuple[bytes, ...], width: int) -> _Dnf | None:
    """Clauses of ``prefix`` followed by a group or alternation: each alternative's literal start
    joined to the prefix where that makes a stem, and the alternative's own clauses."""
    alternatives = [list(value[-1])] if op is _sre.SUBPATTERN else [list(a) for a in value[1]]
    found: set[frozenset[bytes]] = set()
    for alternative in alternatives:
        lead = 0
        while lead < len(alternative) and alternative[lead][0] is _sre.LITERAL:
            lead += 1
        if width > 1 and lead < len(alternative) and alternative[lead][0] in (_sre.BRANCH, _sre.SUBPATTERN):
            # A trie inside the trie: joined alternative by alternative (joining every start with
            # every clause of the group would pair words of different alternatives).
            op_in, value_in = alternative[lead]
            text = prefix + "".join(chr(item[1]) for item in alternative[:lead])
            nested = _joined(text, op_in, value_in, known, width)
            after = _sequence_clauses(alternative[lead + 1 :], known, width)
            best = _all_of([choice for choice in (nested, after) if choice], known, width)
            if best is None:
                return None
            found |= best
            continue
        starts = _literal_starts(alternative)
        stems = [as_stem(prefix + start) for start in starts] if starts is not None else [None]
        joined = frozenset(frozenset({stem}) for stem in stems if stem is not None) if None not in stems else None
        own = _sequence_clauses(alternative, known, width)
        best = _all_of([choice for choice in (joined, own) if choice], known, width)
        if best is None:
            return None
        found |= best
    return frozenset(found)


def _literal_starts(items: list[tuple[Any, Any]], limit: int = 512) -> list[str] | None:
    """The literal texts one of which every match of ``items`` starts with (alternations expanded)."""
    starts = [""]
    for op, value in items:
        if op is _sre.LITERAL:
            starts = [start + chr(value) for start in starts]
            continue
        if op is _sre.SUBPATTERN or op is _sre.BRANCH:
            alternatives = [list(value[-1])] if op is _sre.SUBPATTERN else [list(a) for a in value[1]]
            parts = [_literal_starts(alternative, limit) for alternative in alternatives]
            if any(part is None for part in parts):
                return starts
            expanded = [start + rest for start in starts for part in parts if part is not None for rest in part]
            if len(expanded) > limit:
                return starts
            starts = expanded
            if not all(_all_literal(alternative) for alternative in alternatives):
                return starts
            continue
        return starts
    return starts


_DIGITS = frozenset("0123456789")
_NUMBER = re.compile("[0-9]+")


def free_numbers(pattern: str) -> frozenset[str] | None:
    """The numbers ``pattern`` may match inside a number of the text, or None when it tells digits apart otherwise.

    What a number's digits are can change a match only through the pattern's literal digits (a
    class such as ``[0-9]`` or ``\\w`` takes every digit or none; a class or a back-reference
    that takes some digits only, or a free number of only ``0``, makes this None).  A run of
    literal digits next to a literal letter (``ec2``, ``imdsv2``) can only match inside a token
    that holds that letter, never inside a number standing on its own; the other runs are
    returned: a number that holds none of them can have its digits made ``0`` without changing
    whether or where the pattern matches.
    """
    if _sre_parse is None:  # pragma: no cover
        return None
    found: set[str] = set()
    return frozenset(found) if _free_numbers(list(_sre_parse.parse(pattern)), found) else None


def _free_numbers(items: list[tuple[Any, Any]], found: set[str], before: str = "") -> bool:
    """``free_numbers`` of a sequence; ``before`` is the literal character the sequence follows
    (a trie's ``ec(?:2...|...)``: the ``2`` is glued to the ``c`` outside its group)."""
    run: list[str] = [before]  # the character before is context only: it was looked at where it stands
    for op, value in [*items, (None, None)]:  # a sentinel flushes the last literal run
        if op is _sre.LITERAL:
            run.append(chr(value))
            continue
        text = "".join(run)
        for number in _NUMBER.finditer(text, len(run[0])):
            if not (
                text[number.start() - 1 : number.start()].isalpha() or text[number.end() : number.end() + 1].isalpha()
            ):
                found.add(number[0])  # not glued to a letter
        if op is None:
            break
        if not _digits_alike(op, value, found, text[-1:]):
            return False
        run = [""]
    return not any(set(number) == {"0"} for number in found)


def _digits_alike(op: Any, value: Any, found: set[str], before: str) -> bool:
    """Whether the item ``op``/``value`` treats every digit alike (literal digits inside it noted in
    ``found``; ``before``: the literal character it follows, which a group's first digits may be glued to)."""
    if op is _sre.IN:
        return _class_digits(value) in (frozenset(), _DIGITS)
    if op is _sre.NOT_LITERAL:
        return chr(value) not in _DIGITS
    inner = _sequences(op, value, before)
    if inner is None:
        return op is _sre.ANY or op is _sre.AT  # a back-reference or anything not known: no
    return all(_free_numbers(items, found, glued) for items, glued in inner)


def _sequences(op: Any, value: Any, before: str) -> list[tuple[list[tuple[Any, Any]], str]] | None:
    """The sequences inside a group, alternation, repeat or assertion, each with the literal
    character it follows (none for a repeat, which follows itself too)."""
    if op is _sre.SUBPATTERN:
        return [(list(value[-1]), before)]
    if op is _sre.BRANCH:
        return [(list(branch), before) for branch in value[1]]
    if op is _sre.ATOMIC_GROUP:
        return [(list(value), before)]
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        return [(list(value[2]), "")]
    if op is _sre.ASSERT or op is _sre.ASSERT_NOT:
        return [(list(value[1]), "")]
    return None


def _class_digits(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The digits a character class takes (None when it holds something not known here)."""
    taken: set[str] = set()
    negate = False
    for op, value in items:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            taken |= {chr(value)} & _DIGITS
        elif op is _sre.RANGE:
            taken |= {chr(code) for code in range(value[0], value[1] + 1)} & _DIGITS
        elif op is _sre.CATEGORY:
            if value in (_sre.CATEGORY_DIGIT, _sre.CATEGORY_WORD, _sre.CATEGORY_NOT_SPACE):
                taken |= _DIGITS
            elif value not in (_sre.CATEGORY_NOT_DIGIT, _sre.CATEGORY_NOT_WORD, _sre.CATEGORY_SPACE):
                return None
        else:
            return None
    return frozenset(_DIGITS - taken if negate else taken)


def _all_literal(items: list[tuple[Any, Any]]) -> bool:
    """Whether ``items`` is literals and groups and alternations of literals only."""
    for op, value in items:
        if op is _sre.LITERAL:
            continue
        if op is _sre.SUBPATTERN:
            if not _all_literal(list(value[-1])):
                return False
        elif op is _sre.BRANCH:
            if not all(_all_literal(list(a)) for a in value[1]):
                return False
        else:
            return False
    return True


def bigram_counts(data: bytes) -> npt.NDArray[np.int64]:
    """How often each two-byte window (little-endian code ``b0 | b1 << 8``, case folded) occurs in ``data``."""
    counts = np.zeros(65536, dtype=np.int64)
    for start in (0, 1):
        counts += np.bincount(_even_windows(data[start:]), minlength=65536)
    return counts


def fewest_holding(words: Iterable[bytes]) -> tuple[bytes, ...]:
    """The fewest of ``words`` that every word holds one of (sorted): shortest first, a word that
    holds one kept already is left to it (a text that holds it holds that one too)."""
    kept: list[bytes] = []
    for word in sorted(set(words), key=lambda word: (len(word), word)):
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(sorted(kept))


def stem_counts(stems: tuple[bytes, ...], bigrams: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each stem, how often it may occur in a sample whose ``bigram_counts`` are ``bigrams``:
    how often its rarest two-byte window does, which no occurrence lacks (``bytes.count`` took
    24 ms for the vocabulary's 123 stems in 256 KB)."""
    if not stems:
        return np.zeros(0, dtype=np.int64)
    codes = [_code(stem, i) for stem in stems for i in range(len(stem) - 1)]
    firsts = np.cumsum([0] + [len(stem) - 1 for stem in stems[:-1]])
    found: npt.NDArray[np.int64] = np.minimum.reduceat(bigrams[codes], firsts)
    return found


def _even_windows(data: bytes) -> npt.NDArray[np.uint16]:
    """Every window at an even offset as a code, with bit 0x20 set in both bytes."""
    return np.frombuffer(data, dtype="<u2", count=len(data) // 2) | np.uint16(_CASE_BITS)


def _code(stem: bytes, offset: int) -> int:
    return stem[offset] | stem[offset + 1] << 8


class StemFinder:
    """Finds where any of ``stems`` (lower-case bytes, three bytes or longer) starts in a text, ignoring case.

    Each anchor also carries the two bytes before and after it in its stem, so numpy discards
    nearly all false candidates (a common anchor such as ``of`` in ``profile``) by comparing the
    neighbouring windows too, before any Python code runs; a window code shared by two anchors
    keeps every candidate.
    """

    def __init__(
        self,
        stems: tuple[bytes, ...],
        sample: bytes = b"",
        groups: tuple[int, ...] = (),
        *,
        bigrams: npt.NDArray[np.int64] | None = None,
    ) -> None:
        """The anchors are chosen where ``sample`` (or its ``bigram_counts``, ``bigrams``) is sparse."""
        if any(len(stem) < 3 for stem in stems):
            raise ValueError("stems must be at least three bytes long (two overlapping anchors)")
        if any(byte & 0x20 == 0 for stem in stems for byte in stem):
            raise ValueError("stems must be lower-case letters, digits, blanks or punctuation with bit 0x20")
        if bigrams is None:
            bigrams = bigram_counts(sample) if sample else np.zeros(65536, dtype=np.int64)
        self.table = np.zeros(65536, dtype=bool)  # bool, not uint8: flatnonzero is 4x faster on it
        # The windows before and after an anchor, as its stem has them (mask 0: no check).
        self.before = np.zeros(65536, dtype=np.uint16)
        self.before_mask = np.zeros(65536, dtype=np.uint16)
        self.after = np.zeros(65536, dtype=np.uint16)
        self.after_mask = np.zeros(65536, dtype=np.uint16)
        self.anchors: dict[int, list[tuple[bytes, int]]] = {}
        self.numbers = {stem: number for number, stem in enumerate(stems)}
        self.groups = np.zeros(65536, dtype=np.uint8)
        """Per anchor code, the OR of the group bits of the stems that have it (``groups[i]`` is stem i's)."""
        # Shortest stems first: they have the fewest places for anchors, and a code two stems
        # share loses its context check (``sts`` after ``hostname`` took ``st``: every "st" a candidate).
        for number, stem in sorted(enumerate(stems), key=lambda item: len(item[1])):
            # Anchors of their own where the stem allows: a shared code loses its context check.
            first = min(
                range(len(stem) - 2),
                key=lambda i: (
                    _code(stem, i) in self.anchors or _code(stem, i + 1) in self.anchors,
                    bigrams[_code(stem, i)] + bigrams[_code(stem, i + 1)],
                    i,
                ),
            )
            for offset in (first, first + 1):
                self._add(stem, offset)
                self.groups[_code(stem, offset)] |= groups[number] if groups else 1

    def _add(self, stem: bytes, offset: int) -> None:
        code = _code(stem, offset)
        if code in self.anchors:  # shared by two anchors: no context check
            self.before_mask[code] = self.before[code] = self.after_mask[code] = self.after[code] = 0
        else:
            before = stem[max(0, offset - 2) : offset]
            after = stem[offset + 2 : offset + 4]
            self.before[code] = int.from_bytes(before.rjust(2, b"\0"), "little")
            self.before_mask[code] = (0, 0xFF00, 0xFFFF)[len(before)]
            self.after[code] = int.from_bytes(after.ljust(2, b"\0"), "little")
            self.after_mask[code] = (0, 0x00FF, 0xFFFF)[len(after)]
        self.table[code] = True
        self.anchors.setdefault(code, []).append((stem, offset))

    def tagged(self, text: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint16]]:
        """Positions inside every stem occurrence of ``text`` (in any case), and a few more; for
        each, the group bits of every stem whose anchor it may be, and its anchor code.

        Each is where an anchor starts whose neighbouring windows are its stem's own; every
        occurrence of a stem holds one, so the lines of these positions include every line that
        holds a stem.  A candidate that is not a stem (a longer word agreeing on six bytes, an
        anchor at either end of the text, a window code shared by two anchors) only costs its
        line a closer look, or is checked with ``exact`` where it decides something.
        """
        index, found = self._candidates(text)
        return 2 * index.astype(np.int64), np.take(self.groups, found), found

    def exact(
        self, data: npt.NDArray[np.uint8], positions: npt.NDArray[np.int64], codes: npt.NDArray[np.uint16]
    ) -> npt.NDArray[np.bool_]:
        """Which candidates (from ``tagged``) start a stem of their anchor, in any case.  ``data``
        is the text followed by at least a stem's length of padding."""
        result = np.zeros(positions.size, dtype=bool)
        result[self.matches(data, positions, codes)[0]] = True
        return result

    def matches(
        self, data: npt.NDArray[np.uint8], positions: npt.NDArray[np.int64], codes: npt.NDArray[np.uint16]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
        """Each candidate (from ``tagged``) that starts a stem of its anchor, in any case, with the
        stem's number (its place in ``stems``; a candidate may start two): one numpy comparison
        per anchor and stem."""
        found: list[npt.NDArray[np.intp]] = [np.zeros(0, dtype=np.intp)]
        numbers: list[npt.NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
        order = np.argsort(codes, kind="stable")
        ordered = codes[order]
        edges = np.flatnonzero(np.diff(ordered)) + 1
        for part in np.split(order, edges) if order.size else ():
            for stem, offset in self.anchors[int(codes[part[0]])]:
                start = positions[part] - offset
                window = np.take(data, np.maximum(start, 0)[:, None] + np.arange(len(stem))) | np.uint8(0x20)
                hit = part[(start >= 0) & (window == np.frombuffer(stem, dtype=np.uint8)).all(axis=1)]
                found.append(hit)
                numbers.append(np.full(hit.size, self.numbers[stem], dtype=np.int64))
        return np.concatenate(found), np.concatenate(numbers)

    def _candidates(self, text: bytes) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.uint16]]:
        codes = _even_windows(text)
        # ``np.take`` rather than ``table[codes]``: indexing converts the uint16 codes to intp
        # first, which measured 2.3x slower than the lookup itself.
        index = np.flatnonzero(np.take(self.table, codes))
        if index.size == 0:
            return index, codes[:0]
        found = np.take(codes, index)
        # The windows around each candidate must be the stem's own: six bytes checked at C speed.
        # At either end of the text there is no such window: the candidate stays.
        edge = (index == 0) | (index + 1 >= codes.size)
        before = np.take(codes, index - 1, mode="clip")
        after = np.take(codes, index + 1, mode="clip")
        keep = (
            ((before & np.take(self.before_mask, found)) == np.take(self.before, found))
            & ((after & np.take(self.after_mask, found)) == np.take(self.after, found))
        ) | edge
        return index[keep], found[keep]

    def starts(self, text: bytes) -> Iterator[int]:
        """Each position where a stem starts in ``text``, in any case (unordered; a position may repeat).

        The candidates checked exactly, in Python: the scanner needs only ``tagged`` and ``exact``; this is
        the form the tests compare with ``bytes.find``, so that the anchors are known to miss nothing.
        """
        index, found = self._candidates(text)
        for position, code in zip((2 * index).tolist(), found.tolist(), strict=True):
            for stem, offset in self.anchors[code]:
                start = position - offset
                if start >= 0 and text[start : start + len(stem)].lower() == stem:
                    yield start


def naive_starts(stems: tuple[bytes, ...], text: bytes) -> set[int]:
    """The same positions by ``bytes.find`` on the lower-cased text (what the tests compare against)."""
    lowered = text.lower()
    found = set()
    for stem in stems:
        position = lowered.find(stem)
        while position >= 0:
            found.add(position)
            position = lowered.find(stem, position + 1)
    return found


if __name__ == "__main__":  # python -m cvlogs.parsing.prefilter: store what the scanner derives
    STORED_STEMS.write_text("{}\n", encoding="utf-8")
    importlib.import_module("cvlogs.parsing.scanner")
    stored = importlib.import_module("cvlogs.parsing.prefilter")  # this file runs as __main__: another module
    stored.store_derived()
    print(f"stored the stems of {len(stored.derived)} patterns in {STORED_STEMS}")
