"""The registry from message grammars to meanings: what one distinct message says, parsed once.

A message's meaning depends only on its text and its ``Class::Method()``, so ``interpret`` is
cached on both: credential lines repeat the same role ARN and the same AWS error thousands of
times, and each distinct text costs one round of pyparsing calls.  Volatile parts that no rule
needs (request ids, encoded authorization blobs) are masked before the lookup so that they do
not defeat the cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyparsing as pp

from cvlogs.grammars import aws_errors, credentials
from cvlogs.model import AwsError, EventKind, RoleArn
from cvlogs.parsing.arns import analyse_role_arn
from cvlogs.parsing.lines import CACHED_CHARS

# Request ids and encoded blobs, written in lower case: ``_VOLATILE`` ignores case, and
# ``_VOLATILE_LOWER`` is the same pattern for text that is already lower-cased.
_VOLATILE_TEXT = (
    r"(?P<keep>request ?id[:=]?\s*|x-amz-request-id[:=]?\s*|<requestid>"
    r"|encoded authorization failure message:\s*)[a-z0-9_\-+/=]{4,}"
)
_VOLATILE = re.compile(_VOLATILE_TEXT, re.IGNORECASE)
_VOLATILE_LOWER = re.compile(_VOLATILE_TEXT)
_MAX_ANCHOR_TRIES = 8


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a message says, independent of where it stands."""

    kind: EventKind
    role: RoleArn | None = None
    url: str | None = None
    error: AwsError | None = None


def mask_volatile(message: str) -> str:
    """The message with request ids and encoded blobs replaced, as the cache key."""
    lowered = message.lower()
    found = [p for p in (lowered.find("request"), lowered.find("encoded")) if p >= 0]
    if not found:
        return message
    if not message.isascii():  # lower() may change the length: no shared offsets
        return _VOLATILE.sub(r"\g<keep><masked>", message)
    # The same pattern without (?i), on the lower-cased text, from the first anchor on: a
    # case-insensitive pattern gets no literal-prefix search and was the slowest step of a record.
    pieces: list[str] = []
    last = 0
    for match in _VOLATILE_LOWER.finditer(lowered, max(0, min(found) - len("x-amz-"))):
        pieces += (message[last : match.end("keep")], "<masked>")
        last = match.end()
    return "".join([*pieces, message[last:]]) if pieces else message


def meaning_of(class_name: str, method: str, message: str) -> Meaning | None:
    """The meaning of a message as logged: masked, then interpreted.

    Cached on the text as it stands too, so that a line repeated verbatim (a Connect or Assume
    role line, thousands of times) costs one lookup instead of a masking pass and a lookup.
    """
    if len(message) > CACHED_CHARS:  # masking may still make it short enough for ``interpret``'s cache
        return interpret(class_name, method, mask_volatile(message))
    return _meaning_of(class_name, method, message)


@lru_cache(maxsize=8192)
def _meaning_of(class_name: str, method: str, message: str) -> Meaning | None:
    return interpret(class_name, method, mask_volatile(message))


def interpret(class_name: str, method: str, message: str) -> Meaning | None:
    """The meaning of one (masked) message, or None when no grammar has anything to say.

    Cached per distinct message (each costs a round of pyparsing calls), up to ``CACHED_CHARS``.
    """
    if len(message) > CACHED_CHARS:
        return _interpret(class_name, method, message)
    return _cached_interpret(class_name, method, message)


@lru_cache(maxsize=16384)
def _cached_interpret(class_name: str, method: str, message: str) -> Meaning | None:
    return _interpret(class_name, method, message)


def _interpret(class_name: str, method: str, message: str) -> Meaning | None:
    lowered = message.lower()
    error = find_error(message, lowered)
    role = _bracketed_role(message, lowered)
    if error is not None:
        return Meaning("error", role=role, error=error)
    step = _step(method, message, lowered, role)
    if step is not None:
        return step
    if any(word in class_name.lower() for word in credentials.AMAZON_CLASS_WORDS):
        return Meaning("activity")
    if any(word in lowered for word in aws_errors.CREDENTIAL_VOCABULARY):
        return Meaning("unrecognized")
    return None


def _step(method: str, message: str, lowered: str, role: RoleArn | None) -> Meaning | None:
    """A Connect or Assume role step, however its ARN is worded (bracketed, or anywhere)."""
    connect = _parse_at(credentials.CONNECT, message, lowered, ("connecting to",))
    is_connect = method in credentials.CONNECT_METHODS and "connecting" in lowered
    if is_connect or (connect is not None and "arn_text" in connect):
        arn_text = connect.get("arn_text") if connect else None
        found = analyse_role_arn(arn_text) if arn_text is not None else _any_role_arn(message)
        return Meaning("connect", role=found, url=connect.get("url") if connect else None)
    if method in credentials.VALIDATE_METHODS or role is not None:
        return Meaning("validate", role=role or _any_role_arn(message))
    return None


def _bracketed_role(message: str, lowered: str) -> RoleArn | None:
    anchors = ("assume role", "assumerole", "assume_role", "assume-role", "assuming role", "assumingrole")
    found = _parse_at(credentials.ASSUME_ROLE, message, lowered, anchors)
    return None if found is None else analyse_role_arn(found["arn_text"])


def _any_role_arn(message: str) -> RoleArn | None:
    """The first ``arn:...:role/...`` token of a message, for step lines that word it otherwise."""
    for token in _regex_of(aws_errors.ARN_TOKEN).finditer(message):
        if ":role/" in token[0]:
            return analyse_role_arn(token[0])
    return None


def find_error(message: str, lowered: str) -> AwsError | None:
    """The AWS error facts of a message, or None when it states no error."""
    facts: dict[str, Any] = {}
    for fact in aws_errors.FACTS:
        for anchor in fact.anchors:
            found = _parse_at(fact.grammar, message, lowered, (anchor,))
            if found is not None:
                _merge(facts, found)
                break
    for regex_fact in (aws_errors.PHP_CODE_FACT, aws_errors.CODE_WORD_FACT, aws_errors.ENDPOINT_FACT):
        if "code" in facts and regex_fact is not aws_errors.ENDPOINT_FACT:
            continue
        match = _regex_of(regex_fact.grammar).search(message)
        if match is not None:
            _merge(facts, {k: v for k, v in match.groupdict().items() if v is not None} or {"endpoint": match[0]})
    phrases = frozenset(m[0].lower() for m in _regex_of(aws_errors.PHRASE).finditer(message))
    url = facts.get("url")
    if url and "endpoint" not in facts:
        host = re.search(r"(?i)[a-z0-9.-]+\.amazonaws\.com(?:\.cn)?", url)
        facts["endpoint"] = host[0] if host else None
    if "host" in facts:
        facts.setdefault("endpoint", facts.pop("host"))
    if not _states_error(facts, phrases):
        return None
    return AwsError(
        code=_text(facts, "code"),
        operation=_text(facts, "operation"),
        service=_text(facts, "service"),
        status=_number(facts, "status"),
        aws_message=_text(facts, "aws_message"),
        principal=_text(facts, "principal"),
        action=_text(facts, "action"),
        resource=_text(facts, "resource"),
        policy_type=_text(facts, "policy_type"),
        deny=_text(facts, "deny"),
        policy_arn=_text(facts, "policy_arn"),
        endpoint=_text(facts, "endpoint"),
        url=_text(facts, "url"),
        connection_error=_text(facts, "connection_error"),
        curl_code=_number(facts, "curl_code"),
        request_time=_text(facts, "request_time"),
        server_time=_text(facts, "server_time"),
        skew_direction=_text(facts, "skew_direction"),
        region_account=_text(facts, "region_account"),
        parameter=_text(facts, "parameter"),
        bad_value=_text(facts, "bad_value"),
        reason=_text(facts, "reason"),
        phrases=phrases,
        kms="kms" in facts,
        metadata_service="metadata_address" in facts or any("metadata" in p or "imds" in p for p in phrases),
        encoded_message="encoded_message" in facts,
    )


def _text(facts: dict[str, Any], name: str) -> str | None:
    value = facts.get(name)
    return None if value is None or value == "" else str(value).strip()


def _number(facts: dict[str, Any], name: str) -> int | None:
    value = facts.get(name)
    return int(value) if value is not None and str(value).isdigit() else None


def _states_error(facts: dict[str, Any], phrases: frozenset[str]) -> bool:
    evidence = {
        "code",
        "principal",
        "action",
        "connection_error",
        "curl_code",
        "denied",
        "denied_phrase",
        "region_account",
        "parameter",
        "request_time",
        "reason",
    }
    return bool(evidence & facts.keys()) or bool(phrases - {"does not exist"})


def _merge(facts: dict[str, Any], found: pp.ParseResults | dict[str, Any]) -> None:
    items = found.as_dict() if isinstance(found, pp.ParseResults) else found
    for key, value in items.items():
        name = "region_account" if key == "account_id" else key
        facts.setdefault(name, " ".join(map(str, value)) if isinstance(value, list) else value)


def _parse_at(grammar: pp.ParserElement, message: str, lowered: str, anchors: tuple[str, ...]) -> dict[str, Any] | None:
    """Parse ``grammar`` at each occurrence of an anchor (a grammar starts at its anchor)."""
    for anchor in anchors:
        for start in _occurrences(lowered, anchor):
            try:
                return dict(grammar.parse_string(message[start:]).as_dict())
            except pp.ParseException:
                continue
    return None


def _occurrences(text: str, anchor: str) -> Iterator[int]:
    start = text.find(anchor)
    tries = 0
    while start >= 0 and tries < _MAX_ANCHOR_TRIES:
        yield start
        tries += 1
        start = text.find(anchor, start + 1)


def _regex_of(grammar: pp.ParserElement) -> re.Pattern[str]:
    """The compiled pattern of a ``pp.Regex`` fact (the same pattern ``parse_string`` runs)."""
    assert isinstance(grammar, pp.Regex), grammar
    return grammar.re
