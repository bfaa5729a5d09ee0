"""Finding the grammars' trigger stems in a chunk: one vectorised pass instead of one pass per stem.

``bytes.find`` costs a full pass over the chunk per stem that is absent (about 10 ms per 8 MB
here, and most stems are absent from most chunks).  Instead, each stem gets three *anchors*:
three-byte windows of its own whose offsets differ modulo three, chosen where the stem is rarest
in the file being read (as the pairs of bytes of its start predict).  Wherever a stem occurs, one
of its anchors starts at an offset divisible by three, so numpy only looks up every third window
of the chunk, in a table of the anchors' codes, all at once, and checks the few windows that
hold one against their stems eight bytes at a time.

The search ignores ASCII case without a lower-cased copy of the chunk: every stem byte (a
lower-case letter, a digit, ``.`` or a blank) has bit 0x20 set, and a text byte ``t`` stands for
the stem byte ``c`` when ``t | 0x20 == c``, that is ``t & 0xDF == c & 0xDF``: the AND that cuts
a word out of the text folds its case too.  That takes an upper-case letter for its lower-case
one (and a control byte for a digit, ``.`` or a blank, which logs do not hold), so nothing that
``bytes.find`` finds in the lower-cased text is missed (a test compares the two).

Measured on 2 MB chunks of the bench corpus (Amazon share 0 to 0.5): 5,300 to 12,700 windows
hold an anchor, and the search takes 2.1-3.0 ms (17-25 million instructions), where two-byte
anchors at every other offset (common pairs such as ``tr`` of ``constraint``) made 48,000 to
57,000 candidates and took 4.0-7.1 ms with their checks (29-38 million).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import mmap
import re
from collections.abc import Iterable, Iterator
from functools import cache, cached_property
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


class Sample:
    """The bytes where finders' anchors are chosen (the rarest there: a file's first bytes, or the
    first activity texts the vocabulary is searched in), with their ``bigram_counts`` worked out
    once for all the finders that share it."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    @cached_property
    def bigrams(self) -> npt.NDArray[np.int64]:
        return bigram_counts(self.data)


_FOLD = 0xDF
"""A text byte ``t`` is the stem byte ``c`` (which has bit 0x20) in any case when ``t | 0x20 == c``,
that is when ``t & 0xDF == c & 0xDF``: clearing the bit folds case in the AND that cuts a word."""
_KEY = 0x5F
"""A window's byte as the table knows it: folded, and bit 0x80 cleared too (a byte past ASCII
counts as the ASCII one, which the check drops), so that a byte outside a stem, which may be
anything, takes 64 codes of the table rather than 128 (each maps the page of memory it lies in)."""
_CODES = (_KEY << 16 | _KEY << 8 | _KEY) + 1
_STRIDE = 3
_ANY = np.array(sorted({byte & _KEY for byte in range(256)}), dtype=np.int64)
"""The values a byte outside the stem may have in a window's code, starting with 0."""


def _table(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """A table of every code, true at ``codes``, in pages of its own that the system maps only as
    they are touched: ``np.zeros`` wrote the whole table where the allocator reused freed memory
    (0.7 ms, against 7 us)."""
    table = np.frombuffer(mmap.mmap(-1, _CODES), dtype=bool)
    table[codes] = True
    return table


def _windows(text: bytes, count: int) -> npt.NDArray[np.int64]:
    """The first ``count`` three-byte windows of ``text`` at every third offset, as codes ``b0 |
    b1 << 8 | b2 << 16`` of the bytes as the table knows them (``_KEY``): eight-byte reads, so
    the last window read must have eight bytes."""
    reads = np.ndarray((count,), dtype="<i8", buffer=text, strides=(_STRIDE,))
    return reads & (_CODES - 1)


def _words(data: npt.NDArray[np.uint8], at: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """The eight bytes of ``data`` from each offset ``at`` (0 or more) as a little-endian word,
    with zeros past its end."""
    size = data.size
    at = np.minimum(at, size)
    near = at > size - 8
    words = np.zeros(at.size, dtype=np.uint64)
    if size >= 8:
        words = np.ndarray((size - 7,), dtype="<u8", buffer=data, strides=(1,))[np.minimum(at, size - 8)]
    if near.any():
        cut = max(0, size - 8)
        rest = np.zeros(size - cut + 16, dtype=np.uint8)
        rest[: size - cut] = data[cut:]
        words[near] = np.ndarray((rest.size - 7,), dtype="<u8", buffer=rest, strides=(1,))[at[near] - cut]
    return words


def _spread(counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """For items that stand for ``counts`` entries each: each entry's item, and its place among the item's."""
    item = np.repeat(np.arange(counts.size), counts)
    return item, np.arange(item.size) - np.repeat(np.cumsum(counts) - counts, counts)


class StemFinder:
    """Finds where any of ``stems`` (lower-case bytes, three bytes or longer) starts in a text, ignoring case.

    Each stem gets three *anchors*: three-byte windows of its own at offsets that differ modulo
    three, chosen where the sample should have the fewest of them.  Wherever a stem occurs, one of
    its anchors starts at an offset divisible by three, so numpy looks up only every third window
    of the text, all at once, in a table of the anchors' codes.  A stem of three or four bytes has
    anchors that reach a byte past it, which may be anything: each of its values is a code of the
    table.  Every candidate is then checked against its anchors' stems, eight bytes at a time, in
    numpy.
    """

    def __init__(self, stems: tuple[bytes, ...], sample: bytes | Sample = b"", groups: tuple[int, ...] = ()) -> None:
        """The anchors are chosen where ``sample`` (a file's first bytes) is sparse; ``groups[i]`` is
        stem i's group bits (1 by default), which ``tagged`` gives per candidate."""
        if any(len(stem) < 3 for stem in stems):
            raise ValueError("stems must be at least three bytes long (anchors of two stem bytes or three)")
        if np.any(np.frombuffer(b"".join(stems), dtype=np.uint8) & 0x20 == 0):
            raise ValueError("stems must be lower-case letters, digits, blanks or punctuation with bit 0x20")
        self.sample = sample if isinstance(sample, Sample) else Sample(sample)
        self.stems = stems
        self.lengths = np.array([len(stem) for stem in stems], dtype=np.int64)
        width = 8 * -(-int(self.lengths.max(initial=0)) // 8)
        raw = np.zeros((len(stems), width + 2), dtype=np.uint8)  # a zero byte on either side
        for number, stem in enumerate(stems):
            raw[number, 1 : len(stem) + 1] = np.frombuffer(stem, dtype=np.uint8)
        # Each stem as words of eight folded bytes, and the masks of its bytes in them.
        self.values = (raw[:, 1:-1] & _FOLD).view("<u8")
        self.masks = np.where(raw[:, 1:-1] != 0, _FOLD, 0).astype(np.uint8).view("<u8")
        numbers, offsets, codes, shifts = _anchors(raw, self.lengths, self.sample.bigrams)
        self.anchor_numbers = numbers
        self.offsets = offsets + 1
        """Per anchor: its window's middle byte (where ``tagged`` puts a candidate) less its stem's start."""
        self.codes, self.owners, self.firsts, self.sizes = _slots(codes, shifts)
        self.groups = np.array(groups or (1,) * len(stems), dtype=np.uint8)
        self.table = _table(self.codes)  # bool, not uint8: flatnonzero is 4x faster on it
        self.buckets = _buckets(self.codes)

    def anchors(self, slot: int) -> list[tuple[bytes, int]]:
        """The anchors of a candidate's slot (from ``tagged``): each stem, with the candidate's
        position less the stem's start."""
        picked = self.owners[self.firsts[slot] : self.firsts[slot] + self.sizes[slot]].tolist()
        return [(self.stems[self.anchor_numbers[a]], int(self.offsets[a])) for a in picked]

    def tagged(self, text: bytes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.intp]]:
        """Positions inside every stem occurrence of ``text`` (in any case), one in each and no
        others; for each, the OR of the group bits of the stems that stand there, and its slot
        (for ``matches``).  A position is the middle byte of a window at an offset divisible by
        three that has an anchor's code, where the anchor's stem stands: whichever anchors the
        sample chose, the same stems are found."""
        read = max(0, (len(text) - 8) // _STRIDE + 1)  # windows whose eight-byte read fits
        whole = _windows(text, read)
        # ``np.take`` rather than ``table[codes]``, and "wrap" (the codes are all in the table): the
        # fewest instructions (6.8 million a 2 MB chunk, against 9.4 for "raise" and 10.0 indexing).
        index = np.flatnonzero(np.take(self.table, whole, mode="wrap"))
        found = np.take(whole, index)
        last = max(0, (len(text) - 2) // _STRIDE + 1)  # windows that have two bytes or more
        if last > read:  # the last few, read from a padded copy
            tail = _windows(text[_STRIDE * read :] + bytes(8), last - read)
            more = np.flatnonzero(np.take(self.table, tail, mode="wrap"))
            index, found = np.r_[index, more + read], np.r_[found, tail[more]]
        positions = _STRIDE * index + 1
        slots = self._slots_of(found)
        rows, numbers = self._standing(np.frombuffer(text, dtype=np.uint8), len(text), positions, slots)
        firsts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if rows.size else rows  # rows ascend
        groups = np.bitwise_or.reduceat(self.groups[numbers], firsts) if rows.size else self.groups[:0]
        return positions[rows[firsts]], groups, slots[rows[firsts]]

    def _slots_of(self, found: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """The slot of each of the table's codes ``found``: looked up in ``buckets`` by the code's
        hash, and where that bucket holds another code's slot, by binary search (on the whole, a fifth
        of the time of a binary search for every hit: the hits' codes come in no order)."""
        slots: npt.NDArray[np.intp] = np.take(self.buckets, (found.view(np.uint64) * _HASH) >> _SHIFT)
        missed = np.flatnonzero(np.take(self.codes, slots) != found)
        if missed.size:
            slots[missed] = np.searchsorted(self.codes, found[missed])
        return slots

    def matches(
        self, data: npt.NDArray[np.uint8], positions: npt.NDArray[np.int64], slots: npt.NDArray[np.intp]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
        """Each candidate (at ``positions`` of ``data``, which is the text followed by at least a
        stem's length of padding, in ``slots``: from ``tagged``) with each stem of its slot that
        starts there, in any case: the candidate's index and the stem's number (its place in
        ``stems``).  A candidate may stand for two stems."""
        return self._standing(data, None, positions, slots)

    def _standing(
        self,
        data: npt.NDArray[np.uint8],
        size: int | None,
        positions: npt.NDArray[np.int64],
        slots: npt.NDArray[np.intp],
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
        """``matches``, of the stems that end by ``size`` when it is given: each anchor of each
        candidate's slot, with the stem's bytes compared a word at a time, each word only where
        the words before it agreed."""
        rows, place = _spread(self.sizes[slots])
        anchor = self.owners[self.firsts[slots[rows]] + place]
        numbers = self.anchor_numbers[anchor]
        start = positions[rows] - self.offsets[anchor]
        ok = start >= 0
        if size is not None:
            ok &= start + self.lengths[numbers] <= size
        left = np.flatnonzero(ok)
        for word in range(self.values.shape[1]):
            stem = numbers[left]
            words = _words(data, start[left] + 8 * word)
            left = left[(words & self.masks[stem, word]) == self.values[stem, word]]
        return rows[left], numbers[left]

    def starts(self, text: bytes) -> Iterator[int]:
        """Each position where a stem starts in ``text``, in any case (unordered; a position may repeat).

        Checked again in Python: this is the form the tests compare with ``bytes.find``, so that
        the anchors are known to miss nothing.
        """
        positions, _, slots = self.tagged(text)
        for position, slot in zip(positions.tolist(), slots.tolist(), strict=True):
            for stem, offset in self.anchors(slot):
                start = position - offset
                if start >= 0 and text[start : start + len(stem)].lower() == stem:
                    yield start


def _slots(
    codes: npt.NDArray[np.int64], shifts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The table's codes of the anchors (``codes``, with the byte at ``shifts`` anything where it
    is 0 or more), sorted, and the anchors of each: a slot (a code's place) ``s`` has anchors
    ``owners[firsts[s] : firsts[s] + sizes[s]]`` (two when two anchors share a code)."""
    owner, value = _spread(np.where(shifts >= 0, _ANY.size, 1))
    every = codes[owner] | _ANY[value] << np.maximum(shifts[owner], 0)  # one code: value 0, _ANY[0] = 0
    order = np.argsort(every, kind="stable")
    every, owners = every[order], owner[order]
    firsts = np.flatnonzero(np.r_[True, every[1:] != every[:-1]]) if every.size else order[:0]
    return every[firsts], owners, firsts, np.diff(np.r_[firsts, every.size])


_HASH = np.uint64(0x9E3779B97F4A7C15)
_BUCKET_BITS = 16
_SHIFT = np.uint64(64 - _BUCKET_BITS)


def _buckets(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Per hash bucket (the top bits of a code times an odd constant), the slot of one of the
    ``codes`` that fall in it (0 for an empty bucket, where no code of the table falls)."""
    buckets = np.zeros(1 << _BUCKET_BITS, dtype=np.intp)
    buckets[(codes.view(np.uint64) * _HASH) >> _SHIFT] = np.arange(codes.size)
    return buckets


def _anchors(
    raw: npt.NDArray[np.uint8], lengths: npt.NDArray[np.int64], bigrams: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each stem's three anchors (``raw``: the stems' bytes between zero bytes): stem number,
    window offset from the stem's start (-1 up to two before its end), window code (0 outside the
    stem) and the shift of the byte outside the stem (-1: none).

    For each residue of the offset modulo three, the window expected fewest times in a sample
    whose ``bigram_counts`` are ``bigrams``: a window that reaches past the stem as often as the
    pair of its stem bytes, one of three stem bytes ``abc`` as ``ab`` times the share of ``b``
    followed by ``c`` (exact counts of the triples cost more to take than their precision saved).
    """
    numbers, place = _spread(lengths)
    offsets = place - 1
    window = [raw[numbers, place + k].astype(np.int64) for k in range(3)]
    first, second = bigrams[window[0] | window[1] << 8], bigrams[window[1] | window[2] << 8]
    before, after = offsets == -1, offsets == lengths[numbers] - 2
    seconds = bigrams.reshape(256, 256).sum(axis=1)  # how often each byte is a pair's second
    cost = np.where(before, second, np.where(after, first, first * second / np.maximum(seconds[window[1]], 1)))
    residue = offsets % _STRIDE
    order = np.lexsort((offsets, cost, residue, numbers))
    key = (numbers * _STRIDE + residue)[order]
    best = order[np.r_[True, key[1:] != key[:-1]]] if key.size else order
    codes = (window[0] | window[1] << 8 | window[2] << 16) & (_CODES - 1)
    shifts = np.where(before, 0, np.where(after, 16, -1))
    return numbers[best], offsets[best], codes[best], shifts[best]


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
