"""The vectorised stem search finds exactly what bytes.find finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvlogs.parsing.prefilter import StemFinder, naive_starts
from cvlogs.parsing.scanner import PREFILTER

PIECES = st.sampled_from([*PREFILTER, b" ", b"x", b"no", b"aw", b"of", b"er", b"\n", b"169.25"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30), st.lists(PIECES, max_size=30))
def test_vectorised_search_equals_bytes_find(pieces: list[bytes], sample: list[bytes]) -> None:
    """Whatever the text and the sample that tunes the anchors, the positions are the same."""
    text = b"".join(pieces)
    finder = StemFinder(PREFILTER, b"".join(sample))
    assert set(finder.starts(text)) == naive_starts(PREFILTER, text)


@pytest.mark.parametrize("text", [b"", b"a", b"aws", b"xaws", b"xx aws", b"kms", b"notfound not activated"])
def test_edges(text: bytes) -> None:
    """Stems at the very start or end, or sharing an anchor, are found."""
    assert set(StemFinder(PREFILTER).starts(text)) == naive_starts(PREFILTER, text)


def test_stems_must_be_two_bytes() -> None:
    """A one-byte stem would match nearly everywhere: refused."""
    with pytest.raises(ValueError, match="two bytes"):
        StemFinder((b"a",))
