"""The engine code of the regular expressions cvlogs states, stored with the package.

Python's regex parser and code generator are written in Python: the patterns that a scan compiled
before its first read (the grammars' ``pp.Regex``, most compiled as pyparsing combines them, and
the modules' ``re.compile``) took about 16 ms, the error gate alone 13.5 more, and every reader
compiled again the ones it met (the vocabulary 14.4 ms, the code words 3.8, the exception names
1.9, the facts 4-11).  The code that ``re`` generates for each is stored in
``cvlogs/data/compiled_patterns.json`` with the interpreter that generated it.  ``seed`` (the first
thing ``import cvlogs`` does) hands it to the engine as it is (``_sre.compile``, which checks the
code as ``re.compile`` does: about 17 M instructions for all of them, 1-2 ms on a quiet core, where
``re`` took about 120 ms to compile them) and puts each pattern in ``re``'s own
cache, under the key that ``re.compile`` looks up.  So the grammars and the modules still state
and compile every pattern as before, and find it compiled; a reader forked later finds it too.
On any other interpreter, or for a pattern changed since the file was written, ``re`` compiles
as usual.  ``python -m cvlogs.parsing.store_patterns`` writes the file; tests prove that the stored code
is what ``re`` generates and that the file holds what cvlogs compiles.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import sys
import unicodedata
import zlib
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyparsing as pp

try:  # the engine's own entry point (private: an interpreter without it compiles as usual)
    _sre: Any = importlib.import_module("_sre")
except ImportError:  # pragma: no cover
    _sre = None

STORED = Path(__file__).resolve().parent / "data" / "compiled_patterns.json"

Key = tuple[str | bytes, int]
"""A pattern as ``re.compile`` is given it: its text (or bytes) and its flags."""


def engine() -> str:
    """What the engine's code depends on besides the pattern: the interpreter, the code format,
    the Unicode tables (case folding) and the byte order of the stored numbers."""
    version = ".".join(map(str, sys.version_info))  # a pre-release's code may differ from the release's
    magic = None if _sre is None else f"{_sre.MAGIC}-{_sre.CODESIZE}"
    return f"{sys.implementation.name}-{version} sre-{magic} unicode-{unicodedata.unidata_version} {sys.byteorder}"


def text_of(grammar: pp.Regex) -> str:
    """The pattern text of a ``pp.Regex`` (read without compiling it)."""
    pattern = grammar.pattern
    if not isinstance(pattern, str):
        raise TypeError(f"{grammar!r} was given a compiled pattern, not a text")
    return pattern


def patterns(path: Path = STORED) -> dict[Key, re.Pattern[Any]]:
    """The stored patterns, made from their code; none when another interpreter wrote the file.
    A damaged entry is left out (the engine refuses invalid code: ``RuntimeError``)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("engine") != engine() or _sre is None:
        return {}
    entries = stored.get("patterns")
    made: dict[Key, re.Pattern[Any]] = {}
    for entry in entries if isinstance(entries, list) else ():
        try:
            pattern, flags = key_of(entry)
            groups: int = entry["groups"]
            if not 0 <= groups <= _MAX_GROUPS:
                continue
            groupindex: dict[str, int] = entry["groupindex"]
            indexgroup: list[str | None] = [None] * (groups + 1)
            for name, index in groupindex.items():
                indexgroup[index] = name
            code = array("I", zlib.decompress(base64.b64decode(entry["code"]))).tolist()
            made[pattern, flags] = _sre.compile(
                pattern, entry["compiled_flags"], code, groups, groupindex, tuple(indexgroup)
            )
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, zlib.error, RuntimeError):
            continue
    return made


_MAX_GROUPS = 1000
"""More groups than any pattern of cvlogs has: a damaged count is refused, not allocated."""


def key_of(entry: dict[str, Any]) -> Key:
    """A stored entry's pattern as ``re.compile`` is given it (bytes are stored as Latin-1 text)."""
    text: str = entry["pattern"]
    return (text.encode("latin-1") if entry["bytes"] else text), entry["flags"]


def stored_text(pattern: str | bytes) -> dict[str, Any]:
    """The fields of an entry that ``key_of`` reads the pattern's text back from (flags apart)."""
    if isinstance(pattern, bytes):
        return {"pattern": pattern.decode("latin-1"), "bytes": True}
    return {"pattern": pattern, "bytes": False}


def seed() -> None:
    """Put the stored patterns in ``re``'s cache, where ``re.compile`` (and so ``pp.Regex``) finds
    them; a pattern already there is left as it is."""
    # {(type, pattern, flags): compiled} in 3.11 (oldest dropped first past 512 entries: a dropped
    # pattern is only compiled again); 3.12 and later look in a FIFO ``_cache2`` first, then here.
    cache = getattr(re, "_cache", None)
    if isinstance(cache, dict):
        for (pattern, flags), compiled in patterns().items():
            cache.setdefault((type(pattern), pattern, flags), compiled)
