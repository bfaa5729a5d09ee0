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

REDACTED: str = secrets.REDACTED
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
    whole: str = found[0]
    if form == "form_named":
        return _named(found)
    if form in _KEPT:
        prefix, secret = _KEPT[form]
        return whole if found[secret] == REDACTED else f"{found[prefix]}{REDACTED}"
    if form == "form_pem":
        body = _LINE_TEXT.sub(REDACTED, found["pem_body"])  # the key's lines stay lines
        return f"{found['pem_begin']}{body}{found['pem_end'] or ''}"
    if form == "form_key_id":
        return f"{found['key_prefix']}…{found['key_rest'][-4:]}"
    if form == "form_shaped" and not _mixed(whole):
        return whole
    return REDACTED


# Forms that keep what names the secret (the group before it) and lose the secret.
_KEPT = {
    "form_xml": ("xml_open", "xml_value"),
    "form_userinfo": ("userinfo", "password"),
    "form_bearer": ("scheme", "bearer"),
}


def _named(found: re.Match[str]) -> str:
    """``name=value`` and its kin: the name and separator stay, and the value's quotes."""
    value: str = found["value"]
    whole: str = found[0]
    if value.strip("\"'").lower() in _NOT_SECRET or value == REDACTED:
        return whole
    prefix = whole[: found.start("value") - found.start()]
    if value[0] in "\"'" and len(value) > 1 and value[-1] == value[0]:
        return f"{prefix}{value[0]}{REDACTED}{value[0]}"
    return prefix + _LINE_TEXT.sub(REDACTED, value)  # a wrapped value keeps its line break


def _mixed(word: str) -> bool:
    """A base64 word that mixes lower and upper case with digits or ``/`` or ``+``: a key, not a
    word or a hash (a key without any of them is one in 4,000; one without a digit one in 900)."""
    return (
        any(c.islower() for c in word)
        and any(c.isupper() for c in word)
        and any(c.isdigit() or c in "/+" for c in word)
    )
