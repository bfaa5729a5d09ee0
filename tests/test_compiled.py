"""The stored code of cvlogs's patterns is what ``re`` generates, covers what cvlogs compiles, and
is what ``re.compile`` finds."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from cvlogs.grammars import aws_errors, vocabulary

from cvlogs import compiled
from cvlogs.parsing.store_patterns import READING_MODULES, collected, generated

TEXTS = (
    "An error occurred (AccessDenied) when calling the AssumeRole operation: User is not authorized",
    "Aws::STS::Errors::ExpiredToken: The security token included in the request is expired",
    "System.Net.WebException: Unable to connect, rate exceeded; Throttling: slow down",
    "java.net.UnknownHostException: sts.amazonaws.com, Signature not  yet current: 20261120T100000Z",
    "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-0123456789abcdef0] progress [40%]",
    "KMS key provided is in an incorrect state; request limit exceeded; ThrottlingException",
)
#: The largest patterns, which cost milliseconds each to compile.
LARGEST = (aws_errors.ERROR_GATE, vocabulary.VOCABULARY, aws_errors.CODE_WORD, vocabulary.EXCEPTION)


def _stored_here() -> list[dict[str, Any]]:
    stored = json.loads(compiled.STORED.read_text(encoding="utf-8"))
    if stored["engine"] != compiled.engine():
        pytest.skip(f"the stored code is for {stored['engine']}, not {compiled.engine()}")
    entries: list[dict[str, Any]] = stored["patterns"]
    return entries


def test_the_stored_code_is_what_re_generates() -> None:
    """If this fails after a pattern changed, run ``python -m cvlogs.parsing.store_patterns``."""
    for entry in _stored_here():
        assert entry == generated(*compiled.key_of(entry)), entry["pattern"]


def test_the_file_holds_what_cvlogs_compiles() -> None:
    """Every pattern cvlogs compiles to read, and no other (if this fails, run
    ``python -m cvlogs.parsing.store_patterns``)."""
    stored = [compiled.key_of(entry) for entry in _stored_here()]
    now = collected()
    assert len(set(stored)) == len(stored)
    assert set(stored) == set(now)
    assert {(grammar.pattern, grammar.flags) for grammar in LARGEST} <= set(now)


_COMPILED_ON_IMPORT = """
import json, re._compiler, sys
compile_, compiled = re._compiler.compile, []
def compiling(pattern, flags):
    compiled.append([pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern, flags])
    return compile_(pattern, flags)
re._compiler.compile = compiling
import {modules}
from cvlogs.grammars import aws_errors, vocabulary
for grammar in (aws_errors.ERROR_GATE, vocabulary.VOCABULARY, aws_errors.CODE_WORD, vocabulary.EXCEPTION):
    grammar.re
print(json.dumps(compiled))
"""


def test_no_stored_pattern_is_compiled_again() -> None:
    """As a scan imports its modules (``import cvlogs`` seeded ``re``'s cache), none of the stored
    patterns reaches ``re``'s compiler, not even the grammars' largest on their first use."""
    stored = {(entry["pattern"], entry["flags"]) for entry in _stored_here()}
    script = _COMPILED_ON_IMPORT.replace("{modules}", READING_MODULES)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    compiled_there = {(text, flags) for text, flags in json.loads(done.stdout)}
    assert compiled_there  # the hook saw the other modules' patterns (pyparsing's, the standard library's)
    assert not compiled_there & stored


@pytest.mark.parametrize("grammar", LARGEST, ids=str)
def test_stored_patterns_match_as_re_compiles_them(grammar: Any) -> None:
    _stored_here()
    made = compiled.patterns()[grammar.pattern, grammar.flags]
    reference: Any = re._compiler.compile(grammar.pattern, grammar.flags)  # type: ignore[attr-defined]
    assert (made.pattern, made.flags, made.groups, made.groupindex) == (
        reference.pattern,
        reference.flags,
        reference.groups,
        reference.groupindex,
    )
    texts = [*TEXTS, *(text for element, text, _ in vocabulary.SAMPLES)]
    for text in [*texts, *(text.lower() for text in texts)]:
        assert [(m.span(), m.lastgroup, m.groupdict()) for m in made.finditer(text)] == [
            (m.span(), m.lastgroup, m.groupdict()) for m in reference.finditer(text)
        ]


def _damaged_code() -> str:
    """The stored file with the code words' code cut short (valid zlib and base64, invalid code)."""
    stored = json.loads(compiled.STORED.read_text(encoding="utf-8"))
    for entry in stored["patterns"]:
        if entry["pattern"] == aws_errors.CODE_WORD.pattern:
            code = zlib.decompress(base64.b64decode(entry["code"]))
            entry["code"] = base64.b64encode(zlib.compress(code[:-40])).decode()
    return json.dumps(stored)


@pytest.mark.parametrize("content", ["{", '{"engine": "cpython-0.0.0", "patterns": []}', None])
def test_without_stored_code_nothing_is_made(content: str | None, tmp_path: Path) -> None:
    """A damaged file, another interpreter's file or none: ``re`` compiles every pattern as usual."""
    path = tmp_path / "compiled_patterns.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert compiled.patterns(path) == {}


def test_a_damaged_entry_is_left_out(tmp_path: Path) -> None:
    entries = _stored_here()
    path = tmp_path / "compiled_patterns.json"
    path.write_text(_damaged_code(), encoding="utf-8")
    made = compiled.patterns(path)
    assert len(made) == len(entries) - 1
    assert (aws_errors.CODE_WORD.pattern, aws_errors.CODE_WORD.flags) not in made


@pytest.mark.parametrize("patterns", [5, None, {"a": 1}, [7, None, "x"]])
def test_a_list_of_patterns_that_is_no_list_of_entries_makes_nothing(patterns: object, tmp_path: Path) -> None:
    """Damage in the list itself (not only in an entry) must not break ``import cvlogs``."""
    path = tmp_path / "compiled_patterns.json"
    path.write_text(json.dumps({"engine": compiled.engine(), "patterns": patterns}), encoding="utf-8")
    assert compiled.patterns(path) == {}


def test_a_damaged_group_count_is_refused_not_allocated(tmp_path: Path) -> None:
    stored = json.loads(compiled.STORED.read_text(encoding="utf-8"))
    if stored["engine"] != compiled.engine():
        pytest.skip(f"the stored code is for {stored['engine']}, not {compiled.engine()}")
    stored["patterns"][0]["groups"] = 10**10
    path = tmp_path / "compiled_patterns.json"
    path.write_text(json.dumps(stored), encoding="utf-8")
    made = compiled.patterns(path)
    assert len(made) == len(stored["patterns"]) - 1
    assert compiled.key_of(stored["patterns"][0]) not in made
