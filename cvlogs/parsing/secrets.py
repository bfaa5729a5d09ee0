"""The fast path of the secret grammar (``grammars/secrets.py``): one compiled pattern, no pyparsing.

``mask`` replaces every secret of a text in one left-to-right search with ``SECRET_PATTERN``,
the grammar's alternatives as one regular expression; what replaces a match depends on its form
(a key id keeps its prefix and last four characters, a key keeps its name, a PEM block its
BEGIN and END lines and its line count, everything else becomes ``[REDACTED]``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from cvlogs.grammars import secrets

REDACTED = secrets.REDACTED
_SECRET = re.compile(secrets.SECRET_PATTERN)
# Values that are flags or placeholders rather than secrets, and what redaction itself writes.
_NOT_SECRET = frozenset({"null", "none", "true", "false", "", REDACTED.lower(), "''", '""', "*", "***", "****"})
_CACHED_CHARS = 2048
_LINE_TEXT = re.compile(r"[^\r\n]+")


def mask(text: str) -> str:
    """``text`` with every secret masked; idempotent, linear in the length of ``text``."""
    if len(text) <= _CACHED_CHARS:
        return _mask_cached(text)
    return _SECRET.sub(_replace, text)


@lru_cache(maxsize=65536)
def _mask_cached(text: str) -> str:
    return _SECRET.sub(_replace, text)


def _replace(found: re.Match[str]) -> str:
    form = found.lastgroup  # the outer group of the alternative that matched: form_<name>
    whole = found[0]
    if form == "form_named":
        value = found["value"]
        bare = value.strip("\"'")
        if bare.lower() in _NOT_SECRET or value == REDACTED:
            return whole
        quote = value[0] if value[0] in "\"'" and len(value) > 1 and value[-1] == value[0] else ""
        return whole[: found.start("value") - found.start()] + quote + REDACTED + quote
    if form == "form_xml":
        return whole if found["xml_value"] == REDACTED else found["xml_open"] + REDACTED
    if form == "form_userinfo":
        return whole if found["password"] == REDACTED else found["userinfo"] + REDACTED
    if form == "form_bearer":
        return whole if found["bearer"] == REDACTED else found["scheme"] + REDACTED
    if form == "form_pem":
        body = _LINE_TEXT.sub(REDACTED, found["pem_body"])  # the key's lines stay lines
        return found["pem_begin"] + body + (found["pem_end"] or "")
    if form == "form_key_id":
        return f"{found['key_prefix']}…{found['key_rest'][-4:]}"
    if form == "form_shaped":
        return REDACTED if _mixed(whole) else whole
    return REDACTED


def _mixed(word: str) -> bool:
    """A base64 word that mixes lower case, upper case and digits: a key, not a word or a hash."""
    return any(c.islower() for c in word) and any(c.isupper() for c in word) and any(c.isdigit() for c in word)
