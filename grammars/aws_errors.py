"""AWS error text in every wrapper an access node may print, and the facts inside it.

The access node may wrap one AWS error in boto-, Java-, Go-, PHP-, .NET-, C++-SDK- or Commvault-style
text (section 0 of ``sts-failures.md``).  Rather than one grammar per wrapper and message, this
module states small *facts*: each a pyparsing element that starts at an anchor phrase and yields
named results (``code``, ``operation``, ``principal``, ``action``, ``endpoint``...).  The parsing
module finds the anchors with plain substring search and parses each distinct message once, so
the diagnostics can decide every rule from the merged facts alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyparsing as pp

from . import vocabulary
from .arn import ARN

CI = pp.CaselessLiteral
INT = pp.Regex(r"[0-9]+")

#: An AWS error code: ``AccessDenied``, ``InvalidVolume.NotFound``, ``Client.InvalidKMSKey.InvalidState``.
# Every repeat is bounded or preceded by a look-behind, so that each pattern runs in linear time
# even when searched over 100,000 characters of one letter (tests/test_hostile.py checks it).
CODE = pp.Regex(r"[A-Z][A-Za-z0-9]{0,79}(?:\.[A-Z][A-Za-z0-9]{0,79}){0,4}").set_name("AWS error code")
OPERATION = pp.Regex(r"[A-Z][A-Za-z0-9]{0,79}").set_name("operation")
ACTION = pp.Regex(r"(?<![a-z0-9-])[a-z0-9-]{1,32}:[A-Za-z0-9*]{1,128}").set_name("IAM action")
ARN_TOKEN = pp.Regex(r"arn:[^\s,;'\"<>]+?(?=[\s,;'\"<>]|\.(?:\s|$)|$)").set_name("ARN token")
REST = pp.Regex(r".+", flags=0).set_name("rest of message")
QUOTED = pp.QuotedString('"') | pp.QuotedString("'")
URL = pp.Regex(r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,15}://[^\s\"'<>\]]+", flags=0).set_name("URL")
HOST = pp.Regex(r"(?i)(?<![a-z0-9.-])(?:[a-z0-9-]{1,63}\.){1,10}amazonaws\.com(?:\.cn)?").set_name("AWS host")
AMZ_TIME = pp.Regex(r"[0-9]{8}T[0-9]{6}Z").set_name("SigV4 timestamp")
ISO_TIME = pp.Regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z?").set_name("ISO time")

#: A bare ``Code: message`` is only trusted for the vocabulary's codes (``vocabulary.CODES``) or for
#: names with an AWS-like suffix, since ``Error: ...`` and ``Note: ...`` are common words.
CODE_SUFFIXES = ("Exception", "Fault", "NotFound", "Denied", "Exceeded", "Expired", "Failure")


@dataclass(frozen=True, slots=True)
class Fact:
    """One piece of AWS error vocabulary: where it starts (lower-case anchors) and its grammar."""

    name: str
    anchors: tuple[str, ...]
    grammar: pp.ParserElement


def _fact(name: str, anchors: tuple[str, ...], grammar: pp.ParserElement) -> Fact:
    return Fact(name, anchors, grammar.set_name(name))


# --- wrappers ----------------------------------------------------------------------------------

BOTO = (
    CI("An error occurred")
    + "("
    + CODE("code")
    + ")"
    + CI("when calling the")
    + OPERATION("operation")
    + CI("operation")
    + pp.Opt("(" + CI("reached max retries:") + INT("retries") + ")")
    + ":"
    + pp.Opt(REST("aws_message"))
)

JAVA = (
    CI("(Service:")
    + pp.Regex(r"[^;]+")("service")
    + ";"
    + CI("Status Code:")
    + INT("status")
    + ";"
    + CI("Error Code:")
    + CODE("code")
)

GO_V2 = (
    CI("operation error")
    + pp.Regex(r"[A-Za-z0-9 ]+?(?=:)")("service")
    + ":"
    + OPERATION("operation")
    + ","
    + pp.Opt(CI("https response error") + CI("StatusCode:") + INT("status") + ",")
    + pp.Opt(CI("RequestID:") + pp.Regex(r"[^,]*") + ",")
    + CI("api error")
    + CODE("code")
    + ":"
    + pp.Opt(REST("aws_message"))
)

PHP = CI("Error executing") + QUOTED("operation") + CI("on") + QUOTED("url")
PHP_CODE = pp.Regex(
    r"(?<![A-Za-z0-9.])(?P<code>[A-Z][A-Za-z0-9]{0,79}(?:\.[A-Z][A-Za-z0-9]{0,79}){0,4}) \((?:client|server)\): "
    r"(?P<aws_message>.*)"
)

XML_CODE = pp.Literal("<Code>") + CODE("code") + "</Code>"
#: ``"Code": "AccessDenied"``, ``"__type": "com.amazon.coral.service#AccessDeniedException"`` (JSON bodies, IMDS).
JSON_CODE = pp.Regex(
    r'(?i)"(?:code|errorcode|__type)"\s{0,8}:\s{0,8}"(?:[\w.]{1,80}#)?'
    r'(?P<code>[A-Z][A-Za-z0-9]{0,79}(?:\.[A-Z][A-Za-z0-9]{0,79}){0,4})"'
)
JSON_MESSAGE = pp.Regex(r'(?i)"message"\s{0,8}:\s{0,8}"(?P<aws_message>[^"]{0,2000})"')
#: Java SDK v2: ``(Service: Sts, Status Code: 403, Request ID: ...)`` (commas, no error code).
JAVA_V2 = CI("(Service:") + pp.Regex(r"[^,;)]+")("service") + "," + CI("Status Code:") + INT("status")
#: C++ SDK: ``Exception name: AccessDenied`` / ``Error message: ...`` / ``HTTP response code: 403``.
CPP_EXCEPTION = CI("Exception name:") + CODE("code")
CPP_MESSAGE = CI("Error message:") + pp.Regex(r".+")("aws_message")
HTTP_RESPONSE = CI("HTTP response code:") + INT("status")
XML_MESSAGE = pp.Literal("<Message>") + pp.Regex(r"[^<]*")("aws_message") + "</Message>"

_CODE_ALTERNATIVES = vocabulary.trie([(vocabulary.literal(code), None) for code in vocabulary.CODES])
_SUFFIX_ALTERNATIVES = "|".join(CODE_SUFFIXES)

#: A known code, or a code-like name with an AWS suffix, standing as a whole word anywhere
#: (``UnauthorizedOperation: You are not authorized...`` in Go v1, PHP or Commvault's own text); never
#: the last part of a class name with a namespace (``Amazon.EC2.AmazonEC2Exception``).
CODE_WORD = pp.Regex(
    rf"(?<![A-Za-z0-9_.:\\$])(?P<code>{_CODE_ALTERNATIVES}"
    rf"|[A-Z][A-Za-z0-9]{{0,79}}(?:{_SUFFIX_ALTERNATIVES}))(?![A-Za-z0-9_]|\.[A-Za-z])"
)

# --- the IAM access-denied sentence ------------------------------------------------------------

POLICY_TYPE = pp.Regex(
    r"(?i)identity-based|resource-based|service control|resource control|permissions boundary"
    r"|session|VPC endpoint|role trust"
)("policy_type")

IMPLICIT_DENY = (
    CI("because no") + POLICY_TYPE + CI("policy allows the") + ACTION + CI("action") + pp.Tag("deny", "implicit")
)
EXPLICIT_DENY = (
    CI("with an explicit deny in")
    + pp.one_of("a an the", caseless=True)
    + POLICY_TYPE
    + CI("policy")
    + pp.Opt(":" + ARN_TOKEN("policy_arn"))
    + pp.Tag("deny", "explicit")
)

NOT_AUTHORIZED = (
    CI("User:")
    + ARN_TOKEN("principal")
    + CI("is not authorized to perform:")
    + ACTION("action")
    + pp.Opt(CI("on resource:") + ARN_TOKEN("resource"))
    + pp.Opt(IMPLICIT_DENY | EXPLICIT_DENY)
)
#: Terraform's AWS provider: ``The role "arn:aws:iam::...:role/R" cannot be assumed.``
ROLE_NOT_ASSUMED = CI("The role") + QUOTED("resource") + CI("cannot be assumed")
LEGACY_NOT_AUTHORIZED = CI("Not authorized to perform") + pp.Opt(":") + ACTION("action")
NO_PERMISSION_SENTENCE = CI("You are not authorized to perform this operation") + pp.Tag("denied", "operation")
ACCESS_DENIED_WORDS = pp.Regex(r"(?i)access denied|access is denied|permission denied")("denied_phrase")
ENCODED_MESSAGE = CI("Encoded authorization failure message:") + pp.Tag("encoded_message", "yes")

# --- endpoints and connections -----------------------------------------------------------------

ENDPOINT_FAILURE = (
    pp.Regex(
        r"(?i)could not connect to the endpoint url|connect timeout on endpoint url"
        r"|read timeout on endpoint url|failed to connect to proxy url|ssl validation failed for"
    )("connection_error")
    + pp.Opt(":")
    + (QUOTED | URL)("url")
)
DNS_FAILURE = (
    CI("Your requested host") + QUOTED("host") + CI("could not be resolved by DNS") + pp.Tag("connection_error", "dns")
)
CURL_ERROR = (
    pp.Regex(r"(?i)curl returned error code|curl error")
    + INT("curl_code")
    + pp.Opt(pp.one_of("- :"))
    + pp.Opt(pp.Regex(r"[^(\n]+")("curl_text"))
)
ENDPOINT_HOST = HOST("endpoint")

# --- clock skew and expiry ---------------------------------------------------------------------

SIGNATURE_EXPIRED = (
    pp.Regex(r"(?i)signature\s{1,4}expired:")
    + AMZ_TIME("request_time")
    + pp.Regex(r"(?i)is\s{1,4}now\s{1,4}earlier\s{1,4}than")
    + AMZ_TIME
    + "("
    + AMZ_TIME("server_time")
    + pp.Tag("skew_direction", "behind")
)
SIGNATURE_NOT_YET_CURRENT = (
    pp.Regex(r"(?i)signature\s{1,4}not\s{1,4}yet\s{1,4}current:")
    + AMZ_TIME("request_time")
    + pp.Regex(r"(?i)is\s{1,4}still\s{1,4}later\s{1,4}than")
    + AMZ_TIME
    + "("
    + AMZ_TIME("server_time")
    + pp.Tag("skew_direction", "ahead")
)
S3_SKEW = (
    pp.Literal("<RequestTime>")
    + (AMZ_TIME | ISO_TIME)("request_time")
    + "</RequestTime>"
    + pp.Literal("<ServerTime>")
    + (AMZ_TIME | ISO_TIME)("server_time")
    + "</ServerTime>"
)
TIMESTAMP_DATE = CI("Timestamp date is") + ISO_TIME("request_time")
REGION_DISABLED = CI("STS is not activated in this region for account:") + pp.Regex(r"[0-9xX]{12}")("account_id")

# --- parameters ----------------------------------------------------------------------------------

CONSTRAINT = (
    CI("Value")
    + QUOTED("bad_value")
    + CI("at")
    + QUOTED("parameter")
    + CI("failed to satisfy constraint:")
    + pp.Regex(r"[^;\n]+")("constraint")
)
INVALID_PARAMETER = (
    pp.Regex(r"(?i)invalid (?:length|value|type|range) for parameter")
    + pp.Regex(r"[A-Za-z0-9_.]+")("parameter")
    + pp.Opt("," + pp.Regex(r"[^\n]+")("constraint"))
)
INPUT_FIELD = (
    CI("minimum field size of") + INT + "," + pp.Regex(r"[A-Za-z]+Input\.") + pp.Regex(r"[A-Za-z]+")("parameter")
)
DURATION_PARAMETER = pp.Regex(r"(?i)the requested (?P<parameter>DurationSeconds)")
#: A region named in the text (``region:ap-east-1``, ``in region eu-south-1``), beside an endpoint's.
REGION = pp.Regex(r"(?<![\w-])(?P<region>(?:af|ap|ca|cn|eu|il|me|mx|sa|us)(?:-gov)?-[a-z]{4,9}-[0-9])(?![\w-])")
#: STS's own word for a malformed role ARN names no parameter: it is the RoleArn.
INVALID_ARN = CI("Request ARN is invalid") + pp.Tag("parameter", "RoleArn")

# --- misc --------------------------------------------------------------------------------------

HTTP_STATUS = pp.Regex(r"(?i)status ?code['\"]?\s{0,4}[:=]?") + INT("status")
EBS_REASON = pp.Regex(r"(?i)\"?reason\"?\s*[:=]\s*\"?") + pp.Regex(r"[A-Z][A-Z_]{3,}")("reason")
KMS_WORD = pp.Regex(r"(?i)\bkms\b|customer master key|arn:aws[\w-]*:kms:")("kms")
#: JavaScript objects as Node prints them: ``Code: 'AccessDenied'``, ``errorCode: 'X'``, v3's
#: ``name: 'ExpiredToken'`` (its ``httpStatusCode: 403`` in ``$metadata`` is ``HTTP_STATUS``).
JS_CODE = pp.Regex(
    r"(?:[Cc]ode|name)\s{0,4}:\s{0,4}'(?P<code>[A-Z][A-Za-z0-9]{0,79}(?:\.[A-Z][A-Za-z0-9]{0,79}){0,4})'"
)
METADATA_ADDRESS = pp.Regex(r"169\.254\.169\.254|fd00:ec2::254")("metadata_address")
EMBEDDED_ARN = ARN

#: Facts that only follow another fact's text (a continuation line or a field of a longer
#: message), so a line holding only them need not pass the prefilter on its own.
FRAGMENTS = (EBS_REASON, INVALID_PARAMETER, HTTP_STATUS)

#: Every fact, in the order the parsing module tries them.  Anchors are lower-case substrings at
#: which the grammar starts (the grammar is parsed from each anchor occurrence).
FACTS: tuple[Fact, ...] = (
    _fact("boto", ("an error occurred",), BOTO),
    _fact("java", ("(service:",), JAVA),
    _fact("go_v2", ("operation error",), GO_V2),
    _fact("php", ("error executing",), PHP),
    _fact("xml_code", ("<code>",), XML_CODE),
    _fact("xml_message", ("<message>",), XML_MESSAGE),
    _fact("json_code", ('"code"', '"errorcode"', '"__type"'), JSON_CODE),
    _fact("json_message", ('"message"',), JSON_MESSAGE),
    _fact("java_v2", ("(service:",), JAVA_V2),
    _fact("cpp_exception", ("exception name:",), CPP_EXCEPTION),
    _fact("cpp_message", ("error message:",), CPP_MESSAGE),
    _fact("http_response", ("http response code:",), HTTP_RESPONSE),
    _fact("not_authorized", ("user:",), NOT_AUTHORIZED),
    _fact("role_not_assumed", ("the role ",), ROLE_NOT_ASSUMED),
    _fact("legacy_not_authorized", ("not authorized to perform",), LEGACY_NOT_AUTHORIZED),
    _fact("no_permission", ("you are not authorized",), NO_PERMISSION_SENTENCE),
    _fact("access_denied", ("access denied", "access is denied", "permission denied"), ACCESS_DENIED_WORDS),
    _fact("encoded_message", ("encoded authorization failure message",), ENCODED_MESSAGE),
    _fact(
        "endpoint_failure",
        (
            "could not connect to the endpoint",
            "connect timeout on endpoint",
            "read timeout on endpoint",
            "failed to connect to proxy",
            "ssl validation",
        ),
        ENDPOINT_FAILURE,
    ),
    _fact("dns_failure", ("your requested host",), DNS_FAILURE),
    _fact("curl_error", ("curl returned error", "curl error"), CURL_ERROR),
    _fact("signature_expired", ("signature expired", "signature  expired"), SIGNATURE_EXPIRED),
    _fact("signature_not_yet_current", ("signature not",), SIGNATURE_NOT_YET_CURRENT),
    _fact("s3_skew", ("<requesttime>",), S3_SKEW),
    _fact("timestamp_date", ("timestamp date is",), TIMESTAMP_DATE),
    _fact("region_disabled", ("sts is not activated",), REGION_DISABLED),
    _fact("constraint", ("value ",), CONSTRAINT),
    _fact("invalid_parameter", ("invalid length", "invalid value", "invalid type", "invalid range"), INVALID_PARAMETER),
    _fact("input_field", ("minimum field size",), INPUT_FIELD),
    _fact("duration_parameter", ("the requested durationseconds",), DURATION_PARAMETER),
    _fact("invalid_arn", ("request arn is invalid",), INVALID_ARN),
    _fact("http_status", ("statuscode", "status code"), HTTP_STATUS),
    _fact("ebs_reason", ("reason",), EBS_REASON),
    _fact("metadata_address", ("169.254.169.254", "fd00:ec2::254"), METADATA_ADDRESS),
    _fact("kms", ("kms", "customer master key"), KMS_WORD),
    _fact("js_code", ("code:", "code :", "name:", "name :"), JS_CODE),
)

#: Facts that need no anchor word: they are tried at every word start (codes) or host.
#: Regex facts that can stand anywhere: the parsing module runs their compiled ``.re`` with
#: ``finditer`` (the same pattern ``parse_string`` would run) instead of parsing at anchors.
PHP_CODE_FACT = _fact("php_code", (), PHP_CODE)
CODE_WORD_FACT = _fact("code_word", (), CODE_WORD)
ENDPOINT_FACT = _fact("endpoint", (), ENDPOINT_HOST)
REGION_FACT = _fact("region", (), REGION)

#: What every message stating an error holds: the facts' anchors, the vocabulary's codes, phrases
#: and exception names, the failure words.
GATE_TEXTS = frozenset(
    {
        *(anchor.strip() for fact in FACTS for anchor in fact.anchors),
        *vocabulary.CODES,
        *vocabulary.EXCEPTIONS,
        *(phrase for phrase, _ in vocabulary.PHRASES),
        *vocabulary.FAILURE_PHRASES,
        *CODE_SUFFIXES,
        "timeout",  # the ending of Ruby's Net::OpenTimeout-style exception classes
    }
)


def gate_pattern(texts: frozenset[str]) -> str:
    """The error gate's pattern for ``texts``: a trie of their lower-cased atoms."""
    return vocabulary.trie([(vocabulary.atoms(text.lower()), None) for text in texts])


#: One search over the lower-cased message that every message stating an error passes (a trie of
#: ``GATE_TEXTS``: no case folding and no look-around, it decides "no error vocabulary here" cheaply).
ERROR_GATE = pp.Regex(gate_pattern(GATE_TEXTS)).set_name("error gate")

#: Lower-case stems, one of which every line worth a look by these grammars contains (the
#: prefilter).  Necessary conditions of whole lines, not of each anchor: an endpoint failure names
#: an ``amazonaws.com`` host, a wrapped error says ``error``.  They are few on purpose, because
#: each stem costs one ``bytes.find`` pass over every chunk (about 3.5 ms per 8 MB here); tests
#: check that every sample line of every grammar passes.  A line that passes and is not
#: understood is reported (CVL901), never dropped.
TRIGGERS = (
    "aws",
    "error",
    "denied",
    "authoriz",
    "expired",
    "exceeded",
    "throttl",
    "token",
    "signature",
    "validation",
    "profile",
    "kms",
    "notfound",
    "proxy",
    "169.254",
    "metadata",
    "credential",
    "not activated",
    "constraint",
    *vocabulary.TRIGGERS,
)

#: Vocabulary that makes an otherwise unrecognised line worth showing to a person (CVL901): whole
#: words of STS and its credentials, never parts of identifiers (``token=``, ``lockMsgInst``).
CREDENTIAL_VOCABULARY = pp.Regex(
    r"(?i)(?<![\w])(?:sts:\w|sts\.[a-z]|sts(?![\w.:])|assumerole|assume role|arn:aws|amazonaws\.com"
    r"|aws credentials?|security token|session token|access denied|accessdenied|not authorized|unauthorized"
    r"|169\.254\.169\.254|instance profile)"
).set_name("credential vocabulary")

SAMPLES: tuple[tuple[pp.ParserElement, str, dict[str, object]], ...] = (
    (
        BOTO,
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
        "arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-0123456789abcdef0 is not authorized "
        "to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/CVTenantRole",
        {"code": "AccessDenied", "operation": "AssumeRole"},
    ),
    (
        BOTO,
        "An error occurred (Throttling) when calling the AssumeRole operation (reached max retries: 4): Rate exceeded",
        {"code": "Throttling", "operation": "AssumeRole", "retries": "4", "aws_message": "Rate exceeded"},
    ),
    (
        JAVA,
        "(Service: AmazonEC2; Status Code: 400; Error Code: RequestExpired; Request ID: 5d8f)",
        {"service": "AmazonEC2", "status": "400", "code": "RequestExpired"},
    ),
    (
        GO_V2,
        "operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 1a2b, "
        "api error AccessDenied: User: x is not authorized",
        {"service": "STS", "operation": "AssumeRole", "status": "403", "code": "AccessDenied"},
    ),
    (
        PHP,
        'Error executing "AssumeRole" on "https://sts.eu-west-1.amazonaws.com"',
        {"operation": "AssumeRole", "url": "https://sts.eu-west-1.amazonaws.com"},
    ),
    (PHP_CODE, "AccessDenied (client): Access denied", {"code": "AccessDenied", "aws_message": "Access denied"}),
    (XML_CODE, "<Code>Throttling</Code>", {"code": "Throttling"}),
    (CODE_WORD, "UnauthorizedOperation: You are not authorized", {"code": "UnauthorizedOperation"}),
    (CODE_WORD, "InvalidVolume.NotFound", {"code": "InvalidVolume.NotFound"}),
    (
        NOT_AUTHORIZED,
        "User: arn:aws:sts::444455556666:assumed-role/CVTenantRole/cv is not authorized to perform: "
        "ec2:CreateSnapshot on resource: arn:aws:ec2:us-east-1::snapshot/* because no identity-based "
        "policy allows the ec2:CreateSnapshot action.",
        {
            "principal": "arn:aws:sts::444455556666:assumed-role/CVTenantRole/cv",
            "action": "ec2:CreateSnapshot",
            "resource": "arn:aws:ec2:us-east-1::snapshot/*",
            "policy_type": "identity-based",
            "deny": "implicit",
        },
    ),
    (
        NOT_AUTHORIZED,
        "User: arn:aws:sts::111122223333:assumed-role/R/i-1 is not authorized to perform: sts:AssumeRole on "
        "resource: arn:aws:iam::444455556666:role/CVTenantRole with an explicit deny in a service control "
        "policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
        {
            "action": "sts:AssumeRole",
            "policy_type": "service control",
            "deny": "explicit",
            "policy_arn": "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
        },
    ),
    (LEGACY_NOT_AUTHORIZED, "Not authorized to perform sts:AssumeRole", {"action": "sts:AssumeRole"}),
    (
        ENDPOINT_FAILURE,
        'Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/"',
        {"url": "https://sts.us-east-1.amazonaws.com/"},
    ),
    (
        ENDPOINT_FAILURE,
        "SSL validation failed for https://sts.amazonaws.com/ [SSL: CERTIFICATE_VERIFY_FAILED]",
        {"url": "https://sts.amazonaws.com/"},
    ),
    (
        DNS_FAILURE,
        'Your requested host "sts.us-east-1a.amazonaws.com" could not be resolved by DNS.',
        {"host": "sts.us-east-1a.amazonaws.com", "connection_error": "dns"},
    ),
    (
        CURL_ERROR,
        "Curl returned error code 28 - Timeout was reached",
        {"curl_code": "28", "curl_text": "Timeout was reached"},
    ),
    (
        SIGNATURE_EXPIRED,
        "Signature expired: 20151221T200419Z is now earlier than 20151221T201450Z (20151221T201950Z - 5 min.)",
        {"request_time": "20151221T200419Z", "server_time": "20151221T201950Z", "skew_direction": "behind"},
    ),
    (
        SIGNATURE_NOT_YET_CURRENT,
        "Signature not yet current: 20210112T194419Z is still later than 20210112T072625Z (20210112T071125Z + 15 min.)",
        {"request_time": "20210112T194419Z", "server_time": "20210112T071125Z", "skew_direction": "ahead"},
    ),
    (
        REGION_DISABLED,
        "STS is not activated in this region for account:444455556666. Your account administrator can",
        {"account_id": "444455556666"},
    ),
    (
        CONSTRAINT,
        "Value '%20' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern",
        {"bad_value": "%20", "parameter": "externalId"},
    ),
    (
        INVALID_PARAMETER,
        "Invalid length for parameter RoleArn, value: 12, valid min length: 20",
        {"parameter": "RoleArn"},
    ),
    (EBS_REASON, 'Reason: "UNAUTHORIZED_ACCOUNT"', {"reason": "UNAUTHORIZED_ACCOUNT"}),
    (HTTP_STATUS, "status code: 403, request id: abc", {"status": "403"}),
    (JS_CODE, "name: 'AccessDenied'", {"code": "AccessDenied"}),
    (JS_CODE, "code: 'ExpiredTokenException'", {"code": "ExpiredTokenException"}),
)
