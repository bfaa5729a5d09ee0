"""The registry from message grammars to meanings: what one distinct message says, parsed once.

A message's meaning depends only on its text and its ``Class::Method()``, so ``interpret`` is
cached on both: credential lines repeat the same role ARN and the same AWS error thousands of
times, and each distinct text costs one round of pyparsing calls.  Volatile parts that no rule
needs (request ids, encoded authorization blobs) are masked before the lookup so that they do
not defeat the cache; 12-digit account ids, which every rule needs, are replaced by stand-ins for
the lookup and put back into its meaning, so that a tenant's role ARN does not defeat it either.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import pyparsing as pp

from cvlogs.grammars import aws_errors, credentials, vocabulary
from cvlogs.model import AwsError, Category, EventKind, RoleArn
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
#: The error gate (10,819 characters, its code stored: see ``cvlogs.compiled``), searched by every
#: reader that meets a candidate message (here and in ``activity.says_more``).
GATE: re.Pattern[str] = aws_errors.ERROR_GATE.re
# A 12-digit account id (a run of exactly 12 digits): each tenant's role ARN makes its Connect and
# Assume role messages distinct, so the ids are replaced by stand-ins before the cached lookup and
# put back into the meaning (see ``_templated``).
_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_STAND_IN_PREFIX = "97531864"  # then the number of the distinct id in the message: 12 digits, as an id
_STAND_IN = re.compile(_STAND_IN_PREFIX + "[0-9]{4}")


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
        return _templated(class_name, method, mask_volatile(message))
    return _meaning_of(class_name, method, message)


@lru_cache(maxsize=8192)
def _meaning_of(class_name: str, method: str, message: str) -> Meaning | None:
    return _masked_meaning(class_name, method, mask_volatile(message))


@lru_cache(maxsize=8192)
def _masked_meaning(class_name: str, method: str, masked: str) -> Meaning | None:
    """``_templated`` once per masked text: lines that differ only in a request id (each a miss
    above) share it, and putting a meaning's account ids back cost 60-120 us a line (measured)."""
    return _templated(class_name, method, masked)


def _templated(class_name: str, method: str, message: str) -> Meaning | None:
    """``interpret`` of the message with its account ids replaced by stand-ins, the ids put back.

    One tenant's message differs from the next one's only by its account id: the template is the
    same, so one round of pyparsing serves every tenant.  Equal ids share a stand-in, distinct ones
    do not, and a stand-in is as many digits as an id, so the grammars see the same shapes; a
    message that already holds a stand-in's digits is interpreted as it stands.
    """
    distinct = dict.fromkeys(_ACCOUNT_ID.findall(message))
    ids = {account: f"{_STAND_IN_PREFIX}{number:04d}" for number, account in enumerate(distinct)}
    if not ids or len(ids) > 9999 or _STAND_IN_PREFIX in message:
        return interpret(class_name, method, message)
    meaning = interpret(class_name, method, _ACCOUNT_ID.sub(lambda match: ids[match[0]], message))
    return None if meaning is None else _restored(meaning, {stand_in: account for account, stand_in in ids.items()})


def _restored(value: Any, stand_ins: dict[str, str]) -> Any:
    """``value`` (a meaning, a role, an error or one of their fields) with each stand-in replaced by its id."""
    kind = type(value)
    if kind is str:
        return _STAND_IN.sub(lambda match: stand_ins[match[0]], value) if _STAND_IN_PREFIX in value else value
    if kind is tuple or kind is frozenset:
        items = [_restored(item, stand_ins) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else kind(items)
    changes = {}
    for name in _FIELD_NAMES.get(kind, ()):  # none for numbers, flags and None
        before = getattr(value, name)
        if before is not None and (after := _restored(before, stand_ins)) is not before:
            changes[name] = after
    return dataclasses.replace(value, **changes) if changes else value


_FIELD_NAMES = {kind: tuple(f.name for f in dataclasses.fields(kind)) for kind in (Meaning, RoleArn, AwsError)}


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
    aws_class = any(word in class_name.lower() for word in credentials.AMAZON_CLASS_WORDS)
    instance_step = _regex_of(credentials.INSTANCE_STEP).search(method) is not None
    error = find_error(message, lowered, aws_class, instance_step)
    role = _bracketed_role(message, lowered)
    if error is not None:
        return Meaning("error", role=role, error=error)
    step = _step(method, message, lowered, role)
    if step is not None:
        return step
    if aws_class:
        return Meaning("activity")
    if _regex_of(aws_errors.CREDENTIAL_VOCABULARY).search(message) is not None:
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


def find_error(message: str, lowered: str, aws_class: bool = False, instance_step: bool = False) -> AwsError | None:
    """The AWS error facts of a message, or None when it states no error.

    ``aws_class``: the line's ``Class::Method()`` is an Amazon one, which gives its words AWS context;
    ``instance_step``: its method fetches the node's own credentials, which names where a failure is.
    """
    if GATE.search(lowered) is None:  # the one search for most messages
        return None
    facts = _facts(message, lowered)
    exceptions = [m["exception"] for m in _regex_of(vocabulary.EXCEPTION).finditer(message)]
    words = [
        (vocabulary.CATEGORY_OF_GROUP[m.lastgroup or ""], m[0])
        for m in _regex_of(vocabulary.VOCABULARY).finditer(message)
    ]
    phrases = frozenset(" ".join(text.lower().split()) for _, text in words)
    status = _number(facts, "status")
    failure = _regex_of(vocabulary.FAILURE_WORDS).search(message) is not None or (status or 0) >= 400
    failing = message if failure or exceptions or words else None
    categories = _categories(facts, words, exceptions, failing)
    if failing is not None and instance_step:
        categories |= {"instance-credentials"}
    context = aws_class or _has_aws_context(message, facts, exceptions)
    named = bool(categories - {"not-found"} or facts.get("code") or exceptions or (status or 0) >= 400)
    if not named and not (context and (categories or failure)):
        return None  # a failure word without an AWS word, or an AWS line that states no failure
    if not named and not categories and _regex_of(vocabulary.BENIGN).search(message) is not None:
        return None  # "failed to read the tag, retrying", a DEBUG line: a vague failure made harmless
    return AwsError(
        code=_text(facts, "code"),
        operation=_text(facts, "operation"),
        service=_text(facts, "service"),
        status=status,
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
        encoded_message="encoded_message" in facts,
        region=_text(facts, "region"),
        categories=categories,
        exception=exceptions[0] if exceptions else None,
        aws_context=context,
    )


def _facts(message: str, lowered: str) -> dict[str, Any]:
    """The named results of every fact grammar, the AWS code the message states, and its endpoint."""
    facts: dict[str, Any] = {}
    for fact in aws_errors.FACTS:
        for anchor in fact.anchors:
            found = _parse_at(fact.grammar, message, lowered, (anchor,))
            if found is not None:
                _merge(facts, found)
                break
    if "code" not in facts and (match := _regex_of(aws_errors.PHP_CODE).search(message)) is not None:
        _merge(facts, {k: v for k, v in match.groupdict().items() if v is not None})
    if "code" not in facts:  # a code word, unless it is an SDK's exception class and no AWS code
        for match in _regex_of(aws_errors.CODE_WORD).finditer(message):
            if match["code"] in vocabulary.CODES or match["code"] not in vocabulary.EXCEPTIONS:
                facts["code"] = match["code"]
                break
    if (host := _regex_of(aws_errors.ENDPOINT_HOST).search(message)) is not None:
        facts.setdefault("endpoint", host[0])
    if (region := _regex_of(aws_errors.REGION).search(message)) is not None:
        facts.setdefault("region", region["region"])
    if (url := facts.get("url")) and "endpoint" not in facts:
        found_host = _regex_of(aws_errors.HOST).search(url)
        facts["endpoint"] = found_host[0] if found_host else None
    if "host" in facts:
        facts.setdefault("endpoint", facts.pop("host"))
    return facts


def _categories(
    facts: dict[str, Any], words: list[tuple[str, str]], exceptions: list[str], failing: str | None
) -> frozenset[Category]:
    """What kinds of failure the message names: its code, its exceptions, its phrases and its facts;
    and the topics (instance metadata, KMS; network ones last) of a ``failing`` message."""
    found: set[str] = {category for category, _ in words}
    topics: set[str] = set()
    if failing is not None:
        topics = {vocabulary.TOPIC_CATEGORY[m.lastgroup or ""] for m in _regex_of(vocabulary.TOPICS).finditer(failing)}
        found |= topics - {"network"}
    code = facts.get("code")
    if code:
        found.add(vocabulary.CODES.get(code) or vocabulary.EXCEPTIONS.get(code, ""))
    for name in exceptions:  # a class named after the AWS code (Java v2, Ruby, PHP) is that code
        found.add(vocabulary.CODES.get(_last_name(name), ""))
    for fact, category in _FACT_CATEGORIES:
        if fact in facts:
            found.add(category)
    if "principal" in facts and "action" in facts:
        found.add("denied")
    if ("kms" in facts and found & {"denied", "not-found"}) or str(facts.get("action", "")).lower().startswith("kms:"):
        found.add("kms")
    found.discard("")
    if not found:  # an exception's own category, or a network topic, only when nothing more precise names one
        found = ({_exception_category(name) for name in exceptions} | (topics & {"network"})) - {""}
    return frozenset(cast("set[Category]", found))


def _exception_category(name: str) -> str:
    """The category of a platform or SDK exception class by its last name (``WebException``: network)."""
    category: str = vocabulary.EXCEPTIONS.get(_last_name(name), "")
    return category


def _last_name(name: str) -> str:
    """``Aws::STS::Errors::AccessDenied`` -> ``AccessDenied``, ``System.Net.WebException`` -> ``WebException``."""
    return re.split(r"\.|::|\\", name)[-1]


#: Facts that name a kind of failure by their structure alone.
_FACT_CATEGORIES = (
    ("connection_error", "network"),
    ("curl_code", "network"),
    ("request_time", "skew"),
    ("region_account", "region"),
    ("parameter", "validation"),
    ("denied", "denied"),
    ("denied_phrase", "denied"),
)


def _has_aws_context(message: str, facts: dict[str, Any], exceptions: list[str]) -> bool:
    """An AWS code, host, ARN, SDK or service name on the line (the class name is checked by the caller)."""
    if facts.get("code") in vocabulary.CODES or facts.keys() & {"endpoint", "operation", "service", "principal"}:
        return True
    if any(
        name.lower().startswith(("amazon", "aws", "software.amazon", "botocore", "com.amazonaws"))
        for name in exceptions
    ):
        return True
    return _regex_of(vocabulary.AWS_CONTEXT).search(message) is not None


def _text(facts: dict[str, Any], name: str) -> str | None:
    value = facts.get(name)
    return None if value is None or value == "" else str(value).strip()


def _number(facts: dict[str, Any], name: str) -> int | None:
    value = facts.get(name)
    return int(value) if value is not None and str(value).isdigit() else None


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
