"""The stored code of the largest patterns is what ``re`` generates, and is used only where it is."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import pyparsing as pp
import pytest
from cvlogs.grammars import aws_errors, vocabulary

from cvlogs.parsing import compiled
from cvlogs.parsing.compiled import LARGEST, generated, pattern_of, text_of

TEXTS = (
    "An error occurred (AccessDenied) when calling the AssumeRole operation: User is not authorized",
    "Aws::STS::Errors::ExpiredToken: The security token included in the request is expired",
    "System.Net.WebException: Unable to connect, rate exceeded; Throttling: slow down",
    "java.net.UnknownHostException: sts.amazonaws.com, Signature not  yet current: 20261120T100000Z",
    "CVAmazonSnap::CreateSnapshot() - Snapshot [snap-0123456789abcdef0] progress [40%]",
    "KMS key provided is in an incorrect state; request limit exceeded; ThrottlingException",
)


def _stored_here() -> dict[str, object]:
    stored = json.loads(compiled.STORED.read_text(encoding="utf-8"))
    if stored["engine"] != compiled.engine():
        pytest.skip(f"the stored code is for {stored['engine']}, not {compiled.engine()}")
    patterns: dict[str, object] = stored["patterns"]
    return patterns


def test_the_stored_code_is_what_re_generates() -> None:
    """Every pattern of ``LARGEST`` is stored, as generated now (if this fails after a grammar changed,
    run ``python -m cvlogs.parsing.compiled``)."""
    stored = _stored_here()
    assert len(stored) == len(LARGEST)
    for grammar in LARGEST:
        assert stored[compiled._digest(grammar)] == generated(grammar)


@pytest.mark.parametrize("grammar", LARGEST, ids=str)
def test_stored_patterns_match_as_re_compiles_them(grammar: pp.Regex) -> None:
    _stored_here()
    made, reference = pattern_of(grammar), re.compile(text_of(grammar), grammar.flags)
    assert made is not grammar.re  # made from the stored code, not compiled again
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
    entry = stored["patterns"][compiled._digest(aws_errors.CODE_WORD)]
    entry["code"] = base64.b64encode(zlib.compress(zlib.decompress(base64.b64decode(entry["code"]))[:-40])).decode()
    return json.dumps(stored)


@pytest.mark.parametrize("content", ["{", '{"engine": "cpython-0.0.0", "patterns": {}}', None, _damaged_code()])
def test_without_stored_code_re_compiles(content: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged file or entry, another interpreter's file or none: the patterns are compiled as usual."""
    path = tmp_path / "compiled_patterns.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(compiled, "STORED", path)
    compiled._stored.cache_clear()
    compiled.pattern_of.cache_clear()
    try:
        assert pattern_of(aws_errors.CODE_WORD) is aws_errors.CODE_WORD.re
    finally:
        compiled._stored.cache_clear()
        compiled.pattern_of.cache_clear()
