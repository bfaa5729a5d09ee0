"""The fast path of the secret grammar (``grammars/secrets.py``): one compiled pattern, no pyparsing.

``mask`` replaces every secret of a text in one left-to-right search with ``SECRET_PATTERN``,
the grammar's alternatives as one regular expression, less the forms whose trigger the text does
not hold (``TRIGGERS``: most log lines hold none); what replaces a match depends on its form
(a key id keeps its prefix and last four characters, a key keeps its name, a PEM block its
BEGIN and END lines and its line count, everything else becomes ``[REDACTED]``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from cvlogs.grammars import secrets

REDACTED: str = secrets.REDACTED
# The triggers for an ASCII text, with its lowered copy for the FOLDED forms (``_triggers`` for any text).
_ASCII_TRIGGERS = {form: (re.compile(trigger), form in secrets.FOLDED) for form, trigger in secrets.TRIGGERS.items()}
# Values that are flags or placeholders rather than secrets, and what redaction itself writes.
_NOT_SECRET = frozenset({"null", "none", "true", "false", "", REDACTED.lower(), "''", '""', "*", "***", "****"})
_CACHED_CHARS = 2048
_LINE_TEXT = re.compile(r"[^\r\n]+")


def mask(text: str) -> str:
    """``text`` with every secret masked; idempotent, linear in the length of ``text``."""
    if len(text) <= _CACHED_CHARS:
        return _mask_cached(text)
    return _mask(text)


@lru_cache(maxsize=65536)
def _mask_cached(text: str) -> str:
    return _mask(text)


def _mask(text: str) -> str:
    """``SECRET_PATTERN`` with only the forms whose trigger ``text`` contains: the same matches
    (a form without its trigger matches nowhere in ``text``), a fraction of the search."""
    forms = _triggered(text)
    return _pattern(forms).sub(_replace, text) if forms else text


def _triggered(text: str) -> frozenset[str]:
    """The forms whose trigger ``text`` holds.  In an ASCII text a lower-case pattern finds, ignoring
    case, what it finds in the text lowered; the latter is several times faster."""
    if text.isascii():
        lowered = text.lower()
        return frozenset(
            form for form, (trigger, folded) in _ASCII_TRIGGERS.items() if trigger.search(lowered if folded else text)
        )
    return frozenset(form for form, trigger in _triggers().items() if trigger.search(text))


@cache
def _triggers() -> dict[str, re.Pattern[str]]:
    """The triggers for any text, the FOLDED forms' ignoring case: compiled when a text that is
    not ASCII first comes (most scans have none)."""
    return {
        form: re.compile(trigger, re.IGNORECASE if form in secrets.FOLDED else 0)
        for form, trigger in secrets.TRIGGERS.items()
    }


@lru_cache(maxsize=1024)  # one per set of forms: at most 2 ** len(FORMS)
def _pattern(forms: frozenset[str]) -> re.Pattern[str]:
    return re.compile(secrets.pattern_of(forms))


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
