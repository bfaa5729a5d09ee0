"""Every grammar sample parses to its named results; the header fast path agrees with pyparsing."""

from __future__ import annotations

import re
import typing
from typing import Any

import pyparsing as pp
import pytest
from cvlogs.grammars import arn, aws_errors, credentials, header, vocabulary
from hypothesis import given
from hypothesis import strategies as st

from cvlogs.model import Category
from cvlogs.parsing.scanner import PREFILTER, match_header

from .conftest import SAMPLE_LOGS


def _results(element: pp.ParserElement, text: str) -> dict[str, Any]:
    return dict(element.parse_string(text).as_dict())


@pytest.mark.parametrize(("line", "expected"), header.SAMPLES)
def test_header_samples_parse_to_their_named_results(line: str, expected: dict[str, str]) -> None:
    """Each header sample, the seed guide's damaged lines included, yields its named results."""
    found = _results(header.HEADER, line)
    assert {key: found.get(key) or "" for key in expected} == expected


@pytest.mark.parametrize(("text", "expected"), arn.SAMPLES)
def test_arn_samples_parse_to_their_named_results(text: str, expected: dict[str, object]) -> None:
    """Each ARN sample yields its pieces, with the variant tags (colons, account kind)."""
    found = _results(arn.ARN, text)
    assert {key: found.get(key) for key in expected} == expected


MESSAGE_SAMPLES = credentials.SAMPLES + aws_errors.SAMPLES + vocabulary.SAMPLES


@pytest.mark.parametrize(("element", "text", "expected"), MESSAGE_SAMPLES, ids=[s[1][:40] for s in MESSAGE_SAMPLES])
def test_message_samples_parse_to_their_named_results(
    element: pp.ParserElement, text: str, expected: dict[str, object]
) -> None:
    """Each credential-step and AWS-error sample yields its named results."""
    found = _results(element, text)
    assert {key: found.get(key) for key in expected} == expected


def _sample_log_lines() -> list[str]:
    lines = []
    for path in sorted(SAMPLE_LOGS.rglob("*.log")):
        lines.extend(path.read_text(encoding="utf-8").splitlines())
    return lines


def _fast_path(line: str) -> dict[str, str] | None:
    fields = match_header(line)
    assert match_header(line, cache=False) == fields  # the whole pattern at once reads the same
    if fields is None:
        return None
    return {
        "pid": str(fields.pid),
        "tid": fields.tid,
        "month": str(int(fields.month)),
        "time": fields.clock,
        "job": fields.job,
        "function": fields.function,
        "source_line": "" if fields.source_line is None else str(fields.source_line),
        "message": fields.message,
    }


def _pyparsing_path(line: str) -> dict[str, str] | None:
    try:
        found = header.HEADER.parse_string(line)
    except pp.ParseException:
        return None
    return {
        "pid": str(int(found["pid"])),
        "tid": found["tid"],
        "month": str(int(found["month"])),
        "time": found["time"],
        "job": found.get("job") or "",
        "function": found.get("function") or "",
        "source_line": str(int(found["source_line"])) if found.get("source_line") else "",
        "message": found["message"],
    }


@pytest.mark.parametrize("line", [line for line, _ in header.SAMPLES] + _sample_log_lines())
def test_fast_path_agrees_with_parse_string(line: str) -> None:
    """The compiled header pattern and ``HEADER.parse_string`` read every sample line alike."""
    assert _fast_path(line) == _pyparsing_path(line)


HEADERISH = st.from_regex(
    r"\A[ \t]{0,2}[0-9]{1,6}[ \t]{0,3}[0-9a-f]{1,5}[ \t]{1,3}[0-9]{1,2}/[0-9]{1,2}[ \t]{1,2}"
    r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}[ \t]{0,2}[#0-9A-Za-z]{0,6}[ \t]{0,2}[A-Za-z:()\-\u2013 \[\]=,0-9]{0,40}\Z",
    fullmatch=True,
)


@given(st.one_of(HEADERISH, st.text(max_size=120)))
def test_fast_path_agrees_with_parse_string_on_generated_lines(line: str) -> None:
    """On generated header-like and arbitrary lines the two paths agree too."""
    line = line.replace("\n", " ").replace("\r", " ")
    assert _fast_path(line) == _pyparsing_path(line)


def test_prefix_alone_decides_whether_a_line_is_a_header() -> None:
    """The chunk scanner counts headers with the prefix; the full header must agree on that."""
    for line in [line for line, _ in header.SAMPLES] + _sample_log_lines():
        assert (header.HEADER_PREFIX.re.match(line) is not None) == (header.HEADER.re.match(line) is not None)


@pytest.mark.parametrize("text", [text for element, text, _ in MESSAGE_SAMPLES if element not in aws_errors.FRAGMENTS])
def test_every_grammar_sample_passes_the_prefilter(text: str) -> None:
    """The prefilter derived from the grammars lets every grammar sample through."""
    lowered = text.lower().encode()
    assert any(word in lowered for word in PREFILTER)


def test_every_sample_log_credential_line_passes_the_prefilter() -> None:
    """Every sample-log line that names an ARN, an AWS host or an error passes the prefilter."""
    for line in _sample_log_lines():
        if any(word in line for word in ("arn:", "amazonaws", "Error", "error")):
            assert any(word in line.lower().encode() for word in PREFILTER), line


HEADER_TAIL_PIECES = st.sampled_from([
    "CAmazonInfo", "::", "Connect", "()", "(", " ", "\t", "-", "~", "A1", "_x", "123", "###", "N/A", ":", "::Get()",
    "CvNs::CAmazonInfo::Connect()", " - ", "message",
    # the shapes of real 11.x logs: line numbers, no parentheses, free functions, .NET, forwarder tokens
    "(1482)", ")", ".", "Helper", "::Init:", "receivePatchFile()", "PT:00001", " CN:00001", "# ", "main(12)",
])  # fmt: skip


@given(st.lists(HEADER_TAIL_PIECES, max_size=10))
def test_possessive_identifiers_change_no_header_match(pieces: list[str]) -> None:
    """The header pattern's possessive identifiers match exactly what plain greedy ones match."""
    line = "4012 1a2c 11/20 10:00:01 " + "".join(pieces)
    greedy = re.compile(header.HEADER_PATTERN.replace("]*+", "]*"))
    fast, plain = header.HEADER.re.match(line), greedy.match(line)
    assert (fast and fast.groupdict()) == (plain and plain.groupdict())


@given(
    st.one_of(
        HEADERISH,
        st.lists(HEADER_TAIL_PIECES, max_size=10).map(lambda tail: "4012 1a2c 11/20/26 10:00:01.5 " + "".join(tail)),
        st.text(max_size=80),
    )
)
def test_prefix_then_rest_is_the_full_header_match(line: str) -> None:
    """Matching the prefix and then the rest of the line apart gives the full pattern's groups."""
    line = line.replace("\n", " ").replace("\r", " ")
    full = header.HEADER.re.match(line)
    prefix = header.HEADER_PREFIX.re.match(line)
    assert (full is None) == (prefix is None)
    if full is not None and prefix is not None:
        rest = re.compile(header.HEADER_REST_PATTERN).match(line, prefix.end())
        assert rest is not None
        assert full.groupdict() == {**prefix.groupdict(), **rest.groupdict()}


def test_the_vocabulary_categories_are_the_models() -> None:
    """Every code, exception and phrase is tagged with one of the categories the model and the rules know."""
    assert typing.get_args(Category) == vocabulary.CATEGORIES
    tags = {*vocabulary.CODES.values(), *vocabulary.EXCEPTIONS.values(), *(c for _, c in vocabulary.PHRASES)}
    assert tags <= {*vocabulary.CATEGORIES, ""}


@given(
    st.lists(
        st.tuples(st.text(alphabet="ab.(*", max_size=6), st.sampled_from([None, "denied", "network"])),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.text(alphabet="ab.(*", max_size=7), max_size=20),
)
def test_a_trie_matches_exactly_its_items_and_names_their_first_category(
    items: list[tuple[str, str | None]], others: list[str]
) -> None:
    """The trie of (text, category) items matches each text whole, with the first category given for
    it as its last group, and no other text: no prefix, no longer text, no text of the same letters."""
    first: dict[str, str | None] = {}
    for text, category in items:
        first.setdefault(text, category)
    known = dict(vocabulary.CATEGORY_OF_GROUP)
    try:
        pattern = re.compile(vocabulary.trie([(vocabulary.literal(text), category) for text, category in items]))
        named = {**vocabulary.CATEGORY_OF_GROUP}
    finally:  # the vocabulary's own groups only
        vocabulary.CATEGORY_OF_GROUP.clear()
        vocabulary.CATEGORY_OF_GROUP.update(known)
    for text, category in first.items():
        found = pattern.fullmatch(text)
        assert found is not None, text
        assert (None if found.lastgroup is None else named[found.lastgroup]) == category, text
    near = {text[:cut] for text in first for cut in range(len(text))} | {f"{text}{c}" for text in first for c in "ab."}
    for text in near | set(others):
        assert (pattern.fullmatch(text) is not None) == (text in first), text


ERROR_SAMPLES = [
    text
    for element, text, _ in aws_errors.SAMPLES + vocabulary.SAMPLES
    if element not in {vocabulary.AWS_CONTEXT, vocabulary.TOPICS}
]


@pytest.mark.parametrize("text", ERROR_SAMPLES)
def test_every_error_sample_passes_the_error_gate(text: str) -> None:
    """The one search that rejects messages without error vocabulary lets every error sample through."""
    assert aws_errors.ERROR_GATE.re.search(text.lower()) is not None
