"""The grammar of secrets: what a support ticket must never carry (report-contract.md, "Secrets").

A secret is recognised by its *shape* (an AWS key id, a JWT, a PEM private key, a session token's
prefix, a SigV4 signature, a 40-character base64 word mixing cases and digits, a Google API key)
or by the *name* it is given (``password``, ``...secret...``, ``...token``, ``AccountKey``,
``sig``...) in any of the ways logs and configuration files give one:

==============================  ==================================================
``key=value`` / ``key: value``  ``password=Hunter2&x``, ``x-amz-security-token:IQo...``
``key=[value]`` / ``key [v]``   ``password=[Hunter2!Secret]``, ``password [pw]``
JSON and quoted values          ``"SecretAccessKey": "..."``, ``password='a b'``
XML elements                    ``<SessionToken>...</SessionToken>``
URL userinfo and query          ``https://user:pass@proxy:8080/``, ``?X-Amz-Signature=...&``
connection strings              ``AccountKey=...;EndpointSuffix=...`` (Azure)
==============================  ==================================================

Where a key names a secret, its value is a secret whatever its length or alphabet (``pwd=a``).
A bare value runs to a blank, a quote, ``;``, ``<`` or the ``&`` of a next query parameter (so a
password may hold ``&``), and onto the next line when the line ends inside it (a wrapped line).

``secret()`` is stated with pyparsing; every alternative is one ``pp.Regex``, so the redaction fast
path compiles ``SECRET_PATTERN`` (the same pattern texts, one group per alternative) and never
calls pyparsing per text; a test proves that both find the same spans on every sample.  Every
repeat is bounded or possessive, which keeps the search linear on adversarial text.
"""

from __future__ import annotations

import pyparsing as pp

#: What replaces a secret; a value already equal to it is left alone (redaction is idempotent).
REDACTED = "[REDACTED]"

# The words that make a key name a secret's name: it ends with one of them (``db_password``,
# ``aws_secret_access_key``, ``X-Amz-Security-Token``, ``SharedAccessKey``, ``private_key_id``).
_SECRET_WORD = (
    r"(?:secret(?:[_.-]?access)?(?:[_.-]?key)?|pass(?:word|wd|phrase)?|pwd|token|api[_.-]?key"
    r"|account[_.-]?key|shared[_.-]?access[_.-]?key|private[_.-]?key(?:[_.-]?id)?|signature|sig"
    r"|external[_.-]?id|credentials?[_.-]?secret|auth|cookie|session[_.-]?(?:id|key))"
)
#: A key name: an identifier that ends in a secret word, not inside a longer word.
NAME_PATTERN = rf"(?i:(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{{0,48}}?{_SECRET_WORD})(?![A-Za-z0-9_])"
# Quotes around the name (JSON, Python reprs), then = or : (or only blanks before a bracket).
_SEPARATOR = r"[\"']?[ \t]{0,8}(?:[:=][ \t]{0,8}|(?=\[))"
_BARE = r"[^\s\"'<;&\]]"
#: A key's value: quoted, bracketed, or bare (with ``&`` kept unless a next ``name=`` follows,
#: and continued onto the next line when it reached the end of its line).
VALUE_PATTERN = (
    r"(?P<value>\"(?:[^\"\\\n]|\\.){0,4096}+\"|'[^'\n]{0,4096}+'|\[[^\]\n]{0,4096}+\]?"
    rf"|{_BARE}++(?:&(?![A-Za-z0-9_.-]{{1,64}}=){_BARE}*+)*+(?:\r?\n{_BARE}++(?=\s|$))?)"
)
NAMED_PATTERN = rf"(?P<name>{NAME_PATTERN}){_SEPARATOR}{VALUE_PATTERN}"

#: ``<SecretAccessKey>...</SecretAccessKey>``, ``<ns:Password>...`` (an element named like a secret).
XML_PATTERN = rf"(?P<xml_open><(?:[A-Za-z0-9_]{{1,32}}:)?{NAME_PATTERN}>)(?P<xml_value>[^<]{{1,8192}}+)(?=</)"

#: ``scheme://user:password@host``: the password.
USERINFO_PATTERN = r"(?P<userinfo>[A-Za-z][A-Za-z0-9+.-]{0,16}://[^\s/:@]{0,256}+:)(?P<password>[^\s/@]{1,256}+)(?=@)"

#: A PEM private key block, its body across lines (up to its END line, or the end of the text);
#: its blanks may be gone (a role ARN's text is kept without them).
PEM_PATTERN = (
    r"(?P<pem_begin>-----BEGIN[A-Z0-9 ]{0,33}PRIVATE ?KEY-----)(?P<pem_body>(?:(?!-----END)[\s\S]){0,65536}+)"
    r"(?P<pem_end>-----END[A-Z0-9 ]{0,33}PRIVATE ?KEY-----)?"
)

#: ``Authorization: Bearer <token>`` / ``Basic <credentials>``.
BEARER_PATTERN = r"(?P<scheme>(?i:\b(?:bearer|basic)[ \t]{1,8}))(?P<bearer>[A-Za-z0-9._~+/=-]{4,8192}+)"

#: A JSON Web Token: three base64url parts, the first two JSON objects (``eyJ``).
JWT_PATTERN = r"(?P<jwt>eyJ[A-Za-z0-9_-]{4,8192}+\.eyJ[A-Za-z0-9_-]{1,16384}+\.[A-Za-z0-9_-]{0,8192}+)"

#: An AWS access key id (masked, not removed: its prefix and last four characters identify it).
#: No leading word boundary: a key id glued to a role name is still one.
KEY_ID_PATTERN = (
    r"(?P<key_prefix>AKIA|ASIA|A3T[A-Z0-9]|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)(?P<key_rest>[A-Z0-9]{16,128}+)"
)

#: Secrets known by their prefix: STS session tokens (v2 ``IQoJb3JpZ2luX2Vj``, older ``FwoGZXIvYXdz``),
#: Google API keys (``AIza``) and OAuth access tokens (``ya29.``).
PREFIXED_PATTERN = (
    r"(?P<prefixed>(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=%]{16,16384}+"
    r"|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,4096}+)"
)

#: A SigV4 signature: 64 lower-case hex digits.
SIGNATURE_PATTERN = r"(?P<signature>(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F]))"

#: A bare base64 word of exactly 40 characters (a secret access key, also as a path component),
#: redacted when it mixes lower and upper case with digits, ``/`` or ``+`` (the caller checks), or
#: a line that is one 64-character base64 word (a line of a PEM key whose BEGIN line is unseen).
SHAPED_PATTERN = r"(?P<shaped>(?<![A-Za-z0-9+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9+=])|(?m:^[ \t]*[A-Za-z0-9/+]{64}\r?$))"

#: Every secret form, in the order they are tried at one position: its pattern and its name.
FORMS: dict[str, tuple[str, str]] = {
    "pem": (PEM_PATTERN, "PEM private key"),
    "xml": (XML_PATTERN, "XML element"),
    "userinfo": (USERINFO_PATTERN, "URL userinfo"),
    "named": (NAMED_PATTERN, "key and value"),
    "bearer": (BEARER_PATTERN, "Authorization scheme"),
    "jwt": (JWT_PATTERN, "JWT"),
    "prefixed": (PREFIXED_PATTERN, "prefixed token"),
    "key_id": (KEY_ID_PATTERN, "AWS access key id"),
    "signature": (SIGNATURE_PATTERN, "SigV4 signature"),
    "shaped": (SHAPED_PATTERN, "base64 word"),
}


def secret() -> pp.ParserElement:
    """The grammar: the first form (a ``pp.Regex`` each) that matches at a position.  Built when
    asked: combining the forms makes pyparsing compile each, which only the tests need."""
    return pp.MatchFirst([pp.Regex(pattern).set_name(label) for pattern, label in FORMS.values()]).set_name("secret")


#: Per form, a pattern that every text matching the form contains (its literal start, or its
#: secret word with what must follow it): the fast path tries a form only on a text where its
#: trigger is found.  That changes no result, since a form absent from a text matches at no
#: position of it; it saves the slow part, the forms tried at every position of every text.
TRIGGERS: dict[str, str] = {
    "pem": "-----BEGIN",
    "xml": rf"{_SECRET_WORD}>",
    "userinfo": "://",
    "named": rf"{_SECRET_WORD}(?![A-Za-z0-9_])[\"']?[ \t]{{0,8}}[:=\[]",
    "bearer": "bearer|basic",
    "jwt": "eyJ",
    "prefixed": r"IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz|AIza|ya29\.",
    "key_id": KEY_ID_PATTERN,
    "signature": "[0-9a-f]{64}",
    "shaped": "[A-Za-z0-9/+]{40}",
}
#: The forms whose trigger is matched ignoring case (as the form's name is); their triggers'
#: letters are lower case, so an ASCII text may be lowered instead (the same matches, faster).
FOLDED = frozenset({"xml", "named", "bearer"})


def pattern_of(forms: frozenset[str]) -> str:
    """The alternatives ``forms`` (in ``FORMS`` order) as one pattern, a group per form (``form_<name>``)."""
    return "|".join(f"(?P<form_{name}>{FORMS[name][0]})" for name in FORMS if name in forms)


#: Every alternative as one pattern, for the fast path.
SECRET_PATTERN = pattern_of(frozenset(FORMS))

#: Each sample: a text and the secret text(s) it must lose.
SAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("password=[Hunter2!Secret] user=x", ("Hunter2!Secret",)),
    ("password [Hunter2!Secret]", ("Hunter2!Secret",)),
    ("login password=ab&cd&user=bob", ("ab&cd",)),
    ("pwd=a", ("pwd=a",)),
    ('{"SecretAccessKey": "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"}', ("abcdefghijklmnopqrstuvwxyz",)),
    ("<SessionToken>FQoDYXdzEXAMPLE</SessionToken>", ("FQoDYXdzEXAMPLE",)),
    ("<SecretAccessKey>abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN</SecretAccessKey>", ("abcdefghijklmnop",)),
    ("proxy https://user:pa55word@proxy:8080/ failed", ("pa55word",)),
    ("GET /?X-Amz-Credential=x&X-Amz-Signature=0123&X-Amz-Date=1", ("0123",)),
    ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy+/==;EndpointSuffix=x", ("Zm9vYmFy",)),
    ("Authorization: Bearer abc.def-ghi", ("abc.def-ghi",)),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature_x ok", ("eyJhbGciOiJIUzI1NiJ9",)),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----", ("MIIEow", "IBAAK")),
    ('"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----\\n"', ("MIIEv",)),
    ("key AIzaSyA1234567890abcdefghijklmnopqrstuv", ("AIzaSyA1234567890",)),
    ("secret_key=wJalrXUtnFEMI/K7MD\nENG/bPxRfiCY more", ("wJalrXUtnFEMI", "ENG/bPxRfiCY")),
    ("Cookie: JSESSIONID=8A3F01", ("8A3F01",)),
    ("sessionId=af09e1c2 user=x", ("af09e1c2",)),
    ("token length [1024], expires in [3600] s", ()),
    ("Signature expired: 20151221T200419Z is now earlier", ()),
)
