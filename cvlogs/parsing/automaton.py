"""The header-prefix pattern as a table-driven automaton that numpy runs on every line at once.

Deciding whether each line is a header line costs the ``re`` engine about a third of a
microsecond a line (one match attempt per newline, a dozen opcodes each), the largest single
cost of a scan.  The same question is answered here for all lines of a chunk together: the
pattern (the text of the pyparsing header grammar, ``grammars.header.HEADER_PREFIX_PATTERN``) is
compiled by Python's own regex parser, turned into a nondeterministic automaton over byte classes
and then into a deterministic table; each numpy step advances every undecided line by one byte
(two array lookups for thousands of lines).  A line is decided when it reaches the accepting
state (a header) or the dead state (not one); a line still undecided after ``MAX_STEPS`` bytes
(a header after hundreds of blanks, say) is answered by the compiled pattern itself.

Only the pattern features that a header prefix needs are supported: literals, classes, bounded
and unbounded repeats, groups, alternation, and a final lookahead that may test for the end of
the line.  Possessive repeats are treated as greedy, which is the same language whenever what
follows a repeat cannot start with what it repeats (true of the header prefix, and checked by a
test that compares this automaton with the ``re`` engine on generated lines).  Anything else
raises ``Unsupported`` and the scanner keeps using ``re``.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

try:  # Python's own regex parser: private, so an interpreter without it keeps the re engine
    sre_parse: Any = importlib.import_module("re._parser")
    sre_constants: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover
    sre_parse = sre_constants = None

MAX_STEPS = 96
_MAX_STATES = 4096
_END = 256
"""The symbol past the last byte of a chunk (``$`` matches there; a class of its own)."""
_ALL = (1 << 257) - 1
_NEWLINE = 1 << ord("\n")
_DEAD, _ACCEPT = 0, 1


class Unsupported(ValueError):
    """The pattern uses something that this automaton does not model."""


@dataclass(slots=True)
class _Nfa:
    """States 0..n-1; ``edges[s]`` holds (symbol set as a 257-bit mask or None for epsilon, target)."""

    edges: list[list[tuple[int | None, int]]]

    def state(self) -> int:
        self.edges.append([])
        return len(self.edges) - 1

    def edge(self, source: int, symbols: int | None, target: int) -> None:
        self.edges[source].append((symbols, target))

    def step(self, source: int, symbols: int) -> int:
        target = self.state()
        self.edge(source, symbols, target)
        return target


def _charset(items: list[tuple[Any, Any]]) -> int:
    mask = 0
    negate = False
    for op, value in items:
        if op is sre_constants.LITERAL:
            mask |= 1 << value
        elif op is sre_constants.RANGE:
            low, high = value
            mask |= ((1 << (high - low + 1)) - 1) << low
        elif op is sre_constants.NEGATE:
            negate = True
        else:
            raise Unsupported(f"character class item {op}")
    return (_ALL & ~(1 << _END) & ~mask) if negate else mask


def _sequence(nfa: _Nfa, items: Any, current: int, final: bool) -> int:
    data = list(items)
    for position, (op, value) in enumerate(data):
        current = _node(nfa, op, value, current, final and position == len(data) - 1)
    return current


def _node(nfa: _Nfa, op: Any, value: Any, current: int, last: bool) -> int:  # noqa: PLR0911, PLR0912  (one case per opcode)
    c = sre_constants
    if op is c.LITERAL:
        return nfa.step(current, 1 << value)
    if op is c.NOT_LITERAL:
        return nfa.step(current, _ALL & ~(1 << _END) & ~(1 << value))
    if op is c.IN:
        return nfa.step(current, _charset(value))
    if op is c.ANY:
        return nfa.step(current, _ALL & ~(1 << _END) & ~_NEWLINE)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, sub = value
        for _ in range(low):
            current = _sequence(nfa, sub, current, False)
        if high is c.MAXREPEAT:
            loop = nfa.state()
            nfa.edge(current, None, loop)
            nfa.edge(_sequence(nfa, sub, loop, False), None, loop)
            return loop
        join = nfa.state()
        nfa.edge(current, None, join)
        for _ in range(high - low):
            current = _sequence(nfa, sub, current, False)
            nfa.edge(current, None, join)
        return join
    if op is c.SUBPATTERN:
        _, add_flags, del_flags, sub = value
        if add_flags or del_flags:
            raise Unsupported("inline flags")
        return _sequence(nfa, sub, current, last)
    if op is c.ATOMIC_GROUP:
        return _sequence(nfa, value, current, last)
    if op is c.BRANCH:
        join = nfa.state()
        for alternative in value[1]:
            nfa.edge(_sequence(nfa, alternative, current, last), None, join)
        return join
    if op is c.ASSERT and last and value[0] == 1:
        # A final lookahead: consuming what it looks at changes nothing once the match is over.
        return _lookahead(nfa, value[1], current)
    raise Unsupported(f"pattern element {op}")


def _lookahead(nfa: _Nfa, items: Any, current: int) -> int:
    c = sre_constants
    for op, value in list(items):
        if op is c.AT and value in (c.AT_END, c.AT_END_LINE):
            current = nfa.step(current, _NEWLINE | 1 << _END)
        elif op is c.BRANCH:
            join = nfa.state()
            for alternative in value[1]:
                nfa.edge(_lookahead(nfa, alternative, current), None, join)
            current = join
        else:
            current = _node(nfa, op, value, current, False)
    return current


@dataclass(frozen=True, slots=True)
class PrefixAutomaton:
    """A deterministic automaton that decides, for each line start, whether ``pattern`` matches there."""

    pattern: re.Pattern[bytes]
    table: npt.NDArray[np.uint16] | npt.NDArray[np.int32]
    """Flattened ``state << 8 | byte -> next state << 8``; state 0 is dead, 1 accepting (both absorbing)."""
    start: int

    @classmethod
    def compile(cls, pattern: bytes) -> PrefixAutomaton:
        """Build the automaton of ``pattern`` (a bytes pattern matched at a line start)."""
        if sre_parse is None:
            raise Unsupported("this Python has no re._parser")
        parsed = sre_parse.parse(pattern.decode("latin-1"))
        if parsed.state.flags & ~(re.ASCII | re.UNICODE):
            raise Unsupported("pattern flags")
        nfa = _Nfa([])
        begin = nfa.state()
        accept = _sequence(nfa, parsed, begin, True)
        # Bytes that every edge treats alike form one class; the subset construction works per class.
        sets = sorted({s for edges in nfa.edges for s, _ in edges if s is not None})
        signatures: dict[int, int] = {}  # which of ``sets`` hold a symbol, as bits -> its class
        symbol_class = [
            signatures.setdefault(sum(1 << n for n, s in enumerate(sets) if s >> symbol & 1), len(signatures))
            for symbol in range(257)
        ]
        members = [0] * len(signatures)
        for symbol, number in enumerate(symbol_class):
            members[number] |= 1 << symbol
        by_class, start = _determinize(nfa, begin, accept, members)
        # Indexed by the byte itself, so the run needs no class lookup (the end of a chunk is
        # padded with line feeds; the one line that reaches the padding is checked by ``re``).
        # States are stored shifted left by 8 bits, so ``state | byte`` is the index of the next
        # lookup (one numpy call per byte fewer); 16-bit when they fit (the header's 217 do): a
        # smaller table stays in cache (measured 20% faster than 32-bit).
        shifted = np.left_shift(by_class[:, symbol_class[:256]], 8).reshape(-1)
        table = shifted.astype(np.uint16) if len(by_class) <= 256 else shifted
        return cls(pattern=re.compile(pattern, re.MULTILINE), table=table, start=start << 8)

    def header_lines(self, padded: bytes, size: int, starts: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """For each line start, whether the pattern matches there (exactly what ``re`` says).

        ``padded`` is the chunk (``size`` bytes) followed by ``PADDING`` line feeds.
        """
        data = np.frombuffer(padded, dtype=np.uint8)
        result = np.zeros(starts.size, dtype=bool)
        lines = np.arange(starts.size)
        position = starts.copy()
        state = np.full(starts.size, self.start, dtype=self.table.dtype)
        byte = np.empty(starts.size, dtype=np.uint8)
        index = np.empty(starts.size, dtype=self.table.dtype)
        # The first ``_BLOCK`` bytes of every line in one copy, a column a step: a header is decided
        # within them, and reading a column costs less than gathering a byte a line (20% a chunk).
        block = as_strided(data, (data.size - _BLOCK + 1, _BLOCK), (1, 1), writeable=False)[starts]
        for step in range(MAX_STEPS):
            # Byte ``step`` of every line still undecided.
            column = block[:, step] if step < _BLOCK else np.take(data[step:], position, out=byte)
            np.bitwise_or(state, column, out=index)
            # Every ``state | byte`` is inside the table, so no bounds check: "clip" skips numpy's
            # per-element one (a quarter of the take's instructions, 5 % of this function's time).
            np.take(self.table, index, out=state, mode="clip")
            if step % 4 == 3:  # dead and accepting states are absorbing: look only now and then
                done = state <= _ACCEPT << 8
                if done.any():
                    result[lines[state == _ACCEPT << 8]] = True
                    undecided = ~done
                    lines, position, state = lines[undecided], position[undecided], state[undecided]
                    byte, index = byte[: lines.size], index[: lines.size]
                    if step < _BLOCK - 1:
                        block = block[undecided]
                    if lines.size == 0:
                        break
        leftover = lines.tolist()  # still undecided after MAX_STEPS bytes
        if starts.size and (last := starts.size - 1) not in leftover:
            leftover.append(last)  # the line that may have read the padding
        chunk = memoryview(padded)[:size]
        for line in leftover:
            result[line] = self.pattern.match(chunk, int(starts[line])) is not None
        return result


PADDING = MAX_STEPS + 1
"""Line feeds after a chunk, so that no line's run reads past the buffer."""
_BLOCK = 32
"""Bytes of each line copied at once (``header_lines``): a usual header prefix is decided within them."""


def _closures(nfa: _Nfa) -> list[int]:
    """Each state's epsilon closure, as a bit set of states."""
    closures = []
    for state in range(len(nfa.edges)):
        stack, seen = [state], 1 << state
        while stack:
            for symbols, target in nfa.edges[stack.pop()]:
                if symbols is None and not seen >> target & 1:
                    seen |= 1 << target
                    stack.append(target)
        closures.append(seen)
    return closures


def _determinize(nfa: _Nfa, begin: int, accept: int, members: list[int]) -> tuple[npt.NDArray[np.int32], int]:
    """The subset construction: rows of next states per class; 0 dead, 1 accepting (both absorbing).

    Sets of states are bit sets (Python ints), and each state's moves (per class, the closure of
    its targets) are computed once: a set's move is the union of its states' moves, so a row
    costs a few ``|`` per state instead of a closure walk per class (the header's automaton:
    46 million instructions to build before, 15 million now, in every reading process)."""
    closures = _closures(nfa)
    moves: list[list[tuple[int, int]]] = []  # per state: (class, closure of its targets) for each class it moves on
    for edges in nfa.edges:
        targets = [0] * len(members)
        for symbols, target in edges:
            if symbols is not None:
                for symbol_class, symbol_set in enumerate(members):
                    if symbols & symbol_set:
                        targets[symbol_class] |= closures[target]
        moves.append([(symbol_class, found) for symbol_class, found in enumerate(targets) if found])
    numbers: dict[int, int] = {}
    rows: list[list[int]] = [[_DEAD] * len(members), [_ACCEPT] * len(members)]
    pending: list[int] = []

    def number(states: int) -> int:
        if not states:
            return _DEAD
        if states >> accept & 1:
            return _ACCEPT
        if states not in numbers:
            if len(rows) >= _MAX_STATES:
                raise Unsupported("too many automaton states")
            numbers[states] = len(rows)
            rows.append([])
            pending.append(states)
        return numbers[states]

    start = number(closures[begin])
    while pending:
        states = pending.pop()
        targets = [0] * len(members)
        rest = states
        while rest:
            low = rest & -rest
            for symbol_class, found in moves[low.bit_length() - 1]:
                targets[symbol_class] |= found
            rest ^= low
        # A set met before has its number (2 or more) at hand; the rest go through ``number``.
        rows[numbers[states]] = [numbers.get(found) or number(found) for found in targets]
    return np.array(rows, dtype=np.int32), start
