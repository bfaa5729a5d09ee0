"""The AWS error vocabulary: codes, phrases and exception names, each tagged with its category.

One table for every SDK an access node or a customer's tooling prints.  The parsing module
finds every entry with one combined search (``VOCABULARY``, a ``pp.Regex`` with one named group
per category, so the group that matched is the category); the rules read categories, never
words.  To teach cvlogs a new text, add its AWS code to ``CODES``, an SDK or platform class
name to ``EXCEPTIONS``, or its key words to ``PHRASES`` (see docs/vocabulary.md).

- Codes are matched case-sensitively, as whole codes: ``Throttling`` but not
  ``CVThrottlingManager``, ``AccessDenied`` but not ``Client.AccessDeniedFoo``.
- Phrases are matched case-insensitively, as whole words, any run of blanks standing for one
  blank; in a phrase, ``*`` ends a word with any letters (``throttl*``) and ``#`` is a number.
- Credential-chain wrappers (Go's "failed to refresh cached credentials", "failed to retrieve
  credentials") are no phrase: they wrap every provider's failure, the AssumeRole one too.
- Exception names are not searched by themselves: ``EXCEPTION`` finds class names with a
  namespace (``Amazon.EC2.AmazonEC2Exception``, ``java.net.UnknownHostException``,
  ``Aws::STS::Errors::AccessDenied``) and the bare names listed here; the last part of the name
  gives the category when it is listed in ``CODES`` or ``EXCEPTIONS``.  A platform exception's
  category (``WebException``: network) counts only when the text names no other: a 403 wrapped in
  a ``WebException`` is a denial, not a network failure.
"""

from __future__ import annotations

import re

import pyparsing as pp

#: The categories, one per kind of failure a rule explains (model.Category lists the same).
CATEGORIES = (
    "denied",
    "expired",
    "invalid-credentials",
    "skew",
    "network",
    "instance-credentials",
    "validation",
    "throttling",
    "kms",
    "region",
    "not-found",
)

#: AWS error codes as AWS sends them (in a wrapper, an XML or JSON body, or as ``Code: message``).
CODES: dict[str, str] = {
    # denied
    "AccessDenied": "denied",
    "AccessDeniedException": "denied",
    "UnauthorizedOperation": "denied",
    "Client.UnauthorizedOperation": "denied",
    "UnauthorizedAccess": "denied",
    "AuthorizationError": "denied",
    "AuthorizationErrorException": "denied",
    "NotAuthorized": "denied",
    "AccessDeniedFault": "denied",
    "Forbidden": "denied",
    # expired
    "ExpiredToken": "expired",
    "ExpiredTokenException": "expired",
    "RequestExpired": "expired",
    "TokenRefreshRequired": "expired",
    # invalid credentials
    "InvalidClientTokenId": "invalid-credentials",
    "SignatureDoesNotMatch": "invalid-credentials",
    "AuthFailure": "invalid-credentials",
    "InvalidAccessKeyId": "invalid-credentials",
    "IncompleteSignature": "invalid-credentials",
    "InvalidToken": "invalid-credentials",
    "UnrecognizedClientException": "invalid-credentials",
    "UnrecognizedClient": "invalid-credentials",
    "MissingAuthenticationToken": "invalid-credentials",
    "MissingAuthenticationTokenException": "invalid-credentials",
    "InvalidSignatureException": "invalid-credentials",
    "InvalidIdentityToken": "invalid-credentials",
    "IDPCommunicationError": "invalid-credentials",
    "InvalidSecurity": "invalid-credentials",
    "PartialCredentialsError": "invalid-credentials",
    # clock skew
    "RequestTimeTooSkewed": "skew",
    "RequestInTheFuture": "skew",
    # network
    "EndpointConnectionError": "network",
    "ConnectTimeoutError": "network",
    "ReadTimeoutError": "network",
    "ProxyConnectionError": "network",
    "ConnectionClosedError": "network",
    "SSLError": "network",
    "NetworkingError": "network",
    "UnknownEndpoint": "network",
    "TimeoutError": "network",
    "RequestTimeout": "network",
    "RequestTimeoutException": "network",
    "ECONNREFUSED": "network",
    "ECONNRESET": "network",
    "ETIMEDOUT": "network",
    "ENOTFOUND": "network",
    "EAI_AGAIN": "network",
    "EHOSTUNREACH": "network",
    "ENETUNREACH": "network",
    "CURLE_COULDNT_CONNECT": "network",
    "CURLE_COULDNT_RESOLVE_HOST": "network",
    "CURLE_OPERATION_TIMEDOUT": "network",
    "NETWORK_CONNECTION": "network",
    # instance credentials
    "NoCredentialsError": "instance-credentials",
    "CredentialRetrievalError": "instance-credentials",
    "InstanceProfileNotFound": "instance-credentials",
    "AssumeRoleUnauthorizedAccess": "instance-credentials",
    "NoCredentialProviders": "instance-credentials",
    "EC2RoleRequestError": "instance-credentials",
    "CredentialsProviderError": "instance-credentials",
    "CredentialsError": "instance-credentials",
    "MetadataRetrievalError": "instance-credentials",
    # validation
    "ValidationError": "validation",
    "ValidationException": "validation",
    "InvalidParameterValue": "validation",
    "InvalidParameterException": "validation",
    "InvalidParameterCombination": "validation",
    "InvalidParameter": "validation",
    "MissingParameter": "validation",
    "MalformedPolicyDocument": "validation",
    "MalformedPolicyDocumentException": "validation",
    "PackedPolicyTooLarge": "validation",
    "PackedPolicyTooLargeException": "validation",
    "InvalidInput": "validation",
    "ParamValidationError": "validation",
    "InvalidParameterType": "validation",
    "SerializationException": "validation",
    # throttling
    "Throttling": "throttling",
    "ThrottlingException": "throttling",
    "ThrottledException": "throttling",
    "RequestLimitExceeded": "throttling",
    "RequestThrottledException": "throttling",
    "RequestThrottled": "throttling",
    "TooManyRequestsException": "throttling",
    "SlowDown": "throttling",
    "SnapshotCreationPerVolumeRateExceeded": "throttling",
    "ConcurrentLimitExceededException": "throttling",
    "ProvisionedThroughputExceededException": "throttling",
    "PriorRequestNotComplete": "throttling",
    "EC2ThrottledException": "throttling",
    "BandwidthLimitExceeded": "throttling",
    # kms
    "CustomerKeyHasBeenRevoked": "kms",
    "Client.InvalidKMSKey.InvalidState": "kms",
    "InvalidKMSKey.InvalidState": "kms",
    "KMSKeyNotAccessibleFault": "kms",
    "KMSInvalidStateException": "kms",
    "KMS.DisabledException": "kms",
    "KMS.NotFoundException": "kms",
    "KMSDisabledException": "kms",
    "KMSNotFoundException": "kms",
    "KMSAccessDeniedException": "kms",
    "KMSOptInRequired": "kms",
    "KMS.KMSInvalidStateException": "kms",
    "KeyUnavailableException": "kms",
    "InvalidKeyUsageException": "kms",
    "InvalidCiphertextException": "kms",
    "IncorrectKeyException": "kms",
    "DisabledException": "kms",
    "KmsKeyNotFound": "kms",
    # region
    "RegionDisabledException": "region",
    "RegionDisabled": "region",
    "OptInRequired": "region",
    "InvalidRegionError": "region",
    "NoRegionError": "region",
    "UnknownRegion": "region",
    # not found (a tenant resource the caller cannot see)
    "InvalidVolume.NotFound": "not-found",
    "InvalidInstanceID.NotFound": "not-found",
    "InvalidSnapshot.NotFound": "not-found",
    "ResourceNotFoundException": "not-found",
    "NoSuchEntity": "not-found",
    "DBSnapshotNotFound": "not-found",
    "DBInstanceNotFound": "not-found",
    "NotFoundException": "not-found",
}

#: SDK and platform exception (or error) class names: read as the exception, not as an AWS code.
EXCEPTIONS: dict[str, str] = {
    # Java
    "UnknownHostException": "network",
    "SocketTimeoutException": "network",
    "ConnectTimeoutException": "network",
    "SSLHandshakeException": "network",
    "SSLException": "network",
    "ConnectException": "network",
    "NoRouteToHostException": "network",
    "HttpHostConnectException": "network",
    "SocketException": "network",
    "ApiCallTimeoutException": "network",
    "ApiCallAttemptTimeoutException": "network",
    "AmazonServiceException": "",
    "AmazonClientException": "",
    "SdkClientException": "",
    "SdkServiceException": "",
    "AwsServiceException": "",
    "AmazonSecurityTokenServiceException": "",
    "AWSSecurityTokenServiceException": "",
    "StsException": "",
    "Ec2Exception": "",
    "AmazonEC2Exception": "",
    # .NET
    "HttpRequestException": "network",
    "WebException": "network",
    "TaskCanceledException": "network",
    "HttpErrorResponseException": "",
    # Python
    "ClientError": "",
    "NoCredentialsError": "instance-credentials",
    "PartialCredentialsError": "invalid-credentials",
    "CredentialRetrievalError": "instance-credentials",
    "EndpointConnectionError": "network",
    "ConnectTimeoutError": "network",
    "ReadTimeoutError": "network",
    "ProxyConnectionError": "network",
    "SSLError": "network",
    "NewConnectionError": "network",
    "MaxRetryError": "network",
    "ProxyError": "network",
    "ConnectionError": "network",
    "ConnectionRefusedError": "network",
    "ConnectionResetError": "network",
    "SSLCertVerificationError": "network",
    "ParamValidationError": "validation",
    "NoRegionError": "region",
    "InvalidRegionError": "region",
    # JavaScript
    "CredentialsProviderError": "instance-credentials",
    "TimeoutError": "network",
    # Ruby
    "SocketError": "network",
    "NetworkingError": "network",
    "OpenTimeout": "network",
    "ReadTimeout": "network",
    "ECONNREFUSED": "network",
    "ETIMEDOUT": "network",
    "MissingCredentialsError": "instance-credentials",
    # PHP
    "AwsException": "",
    "CredentialsException": "instance-credentials",
}

#: Key phrases of AWS error messages and of the SDKs' own failures, by category.
PHRASES: tuple[tuple[str, str], ...] = (
    # denied
    ("access denied", "denied"),
    ("access is denied", "denied"),
    ("is not authorized to perform", "denied"),
    ("not authorized to perform", "denied"),
    ("you are not authorized to perform this operation", "denied"),
    ("cannot be assumed", "denied"),
    ("unable to assume role", "denied"),
    ("not authorized to assume", "denied"),
    ("(403) forbidden", "denied"),
    ("403 forbidden", "denied"),
    ("explicit deny", "denied"),
    # expired
    ("security token included in the request is expired", "expired"),
    ("request has expired", "expired"),
    ("refreshed credentials are still expired", "expired"),
    ("token has expired", "expired"),
    ("token is expired", "expired"),
    ("expired token", "expired"),
    ("credentials have expired", "expired"),
    ("credentials are expired", "expired"),
    ("credentials expired", "expired"),
    ("session has expired", "expired"),
    # invalid credentials
    ("security token included in the request is invalid", "invalid-credentials"),
    ("aws was not able to validate the provided access credentials", "invalid-credentials"),
    ("request signature we calculated does not match the signature you provided", "invalid-credentials"),
    ("provided token is malformed or otherwise invalid", "invalid-credentials"),
    ("access key id you provided does not exist in our records", "invalid-credentials"),
    ("the key pair id you provided does not exist", "invalid-credentials"),
    ("missing authentication token", "invalid-credentials"),
    ("invalid security token", "invalid-credentials"),
    ("invalid client token", "invalid-credentials"),
    ("partial credentials found", "invalid-credentials"),
    ("aws_auth_signing_invalid_credentials", "invalid-credentials"),
    # clock skew
    ("signature expired", "skew"),
    ("signature not yet current", "skew"),
    ("difference between the request time and the current time is too large", "skew"),
    ("request time too skewed", "skew"),
    ("clock skew", "skew"),
    ("clock is skewed", "skew"),
    # network
    ("could not connect to the endpoint url", "network"),
    ("connect timeout on endpoint url", "network"),
    ("read timeout on endpoint url", "network"),
    ("failed to connect to proxy url", "network"),
    ("cannot connect to proxy", "network"),
    ("ssl validation failed", "network"),
    ("name or service not known", "network"),
    ("temporary failure in name resolution", "network"),
    ("nodename nor servname provided", "network"),
    ("could not resolve host", "network"),
    ("couldn't resolve host", "network"),
    ("could not be resolved", "network"),
    ("remote name could not be resolved", "network"),
    ("unknown host", "network"),
    ("no such host", "network"),
    ("no such host is known", "network"),
    ("getaddrinfo", "network"),
    ("gaierror", "network"),
    ("no address associated with hostname", "network"),
    ("execution expired", "network"),
    ("connection refused", "network"),
    ("connection timed out", "network"),
    ("connection reset", "network"),
    ("connection was reset", "network"),
    ("connection was closed", "network"),
    ("connection aborted", "network"),
    ("forcibly closed by the remote host", "network"),
    ("a connection attempt failed", "network"),
    ("failed to establish a new connection", "network"),
    ("max retries exceeded with url", "network"),
    ("timed out", "network"),
    ("timeout was reached", "network"),
    ("network is unreachable", "network"),
    ("no route to host", "network"),
    ("i/o timeout", "network"),
    ("tls handshake timeout", "network"),
    ("certificate verify failed", "network"),
    ("certificate signed by unknown authority", "network"),
    ("unable to get local issuer certificate", "network"),
    ("self signed certificate", "network"),
    ("handshake failure", "network"),
    ("unable to execute http request", "network"),
    ("unable to connect to endpoint", "network"),
    ("send request failed", "network"),
    ("socket hang up", "network"),
    ("dial tcp", "network"),
    ("curl returned error code", "network"),
    ("curl error", "network"),
    ("failed to connect to", "network"),
    ("failed to perform http request", "network"),
    ("aws_io_dns_*", "network"),
    ("aws_io_socket_*", "network"),
    ("aws_io_tls_*", "network"),
    ("aws_error_http_connection_*", "network"),
    # instance credentials
    ("unable to locate credentials", "instance-credentials"),
    ("unable to get iam security credentials", "instance-credentials"),
    ("error retrieving credentials from the instance profile metadata service", "instance-credentials"),
    ("error retrieving metadata", "instance-credentials"),
    ("unable to retrieve token for use in imdsv2", "instance-credentials"),
    ("when attempting to retrieve data from metadata service", "instance-credentials"),
    ("instance profile does not contain a role", "instance-credentials"),
    ("ec2 cannot assume the role", "instance-credentials"),
    ("error response received when retrieving credentials", "instance-credentials"),
    ("error response received when retrievingcredentials", "instance-credentials"),
    ("no ec2 instance role found", "instance-credentials"),
    ("no ec2 imds role found", "instance-credentials"),
    ("unable to load aws credentials", "instance-credentials"),
    ("unable to load credentials", "instance-credentials"),
    ("no valid providers in chain", "instance-credentials"),
    ("could not load credentials from any providers", "instance-credentials"),
    ("the requested metadata is not found", "instance-credentials"),
    ("failed to load credentials from imds", "instance-credentials"),
    ("missing credentials in config", "instance-credentials"),
    ("unable to find credentials", "instance-credentials"),
    ("could not find credentials", "instance-credentials"),
    ("cannot find credentials", "instance-credentials"),
    ("no valid credential sources", "instance-credentials"),
    ("no credential providers", "instance-credentials"),
    ("error retrieving credential from ecs", "instance-credentials"),
    ("no credentials", "instance-credentials"),
    ("credentials not found", "instance-credentials"),
    ("could not be sourced by the imds provider", "instance-credentials"),
    ("failed to connect to service endpoint", "instance-credentials"),
    # the CRT's credential providers of the node itself (not the STS ones: those are the AssumeRole)
    ("aws_auth_credentials_provider_imds_*", "instance-credentials"),
    ("aws_auth_credentials_provider_ecs_*", "instance-credentials"),
    ("aws_auth_credentials_provider_profile_*", "instance-credentials"),
    ("aws_auth_credentials_provider_process_*", "instance-credentials"),
    ("aws_auth_credentials_provider_invalid_environment", "instance-credentials"),
    ("aws_auth_credentials_provider_invalid_delegate", "instance-credentials"),
    ("aws_auth_signing_no_credentials", "instance-credentials"),
    ("could not be sourced by the ecs provider", "instance-credentials"),
    # validation
    ("parameter validation failed", "validation"),
    ("failed to satisfy constraint", "validation"),
    ("validation error detected", "validation"),
    ("validation errors detected", "validation"),
    ("invalid length for parameter", "validation"),
    ("invalid range for parameter", "validation"),
    ("invalid type for parameter", "validation"),
    ("invalid value for parameter", "validation"),
    ("minimum field size of #", "validation"),
    ("durationseconds exceeds", "validation"),
    ("request arn is invalid", "validation"),
    ("missing required parameter", "validation"),
    ("must satisfy regular expression pattern", "validation"),
    ("member must have length", "validation"),
    # throttling
    ("rate exceeded", "throttling"),
    ("request limit exceeded", "throttling"),
    ("reduce your request rate", "throttling"),
    ("too many requests", "throttling"),
    ("rate limit exceeded", "throttling"),
    ("retry quota exceeded", "throttling"),
    ("throttl*", "throttling"),
    # kms
    ("kms master key", "kms"),
    ("kms key provided is in an incorrect state", "kms"),
    ("the ciphertext refers to a customer master key", "kms"),
    ("error occurred accessing an amazon web services kms key", "kms"),
    ("describekey permissions", "kms"),
    ("default cmk", "kms"),
    ("key is disabled", "kms"),
    ("pending deletion", "kms"),
    # region
    ("sts is not activated in this region", "region"),
    ("you must specify a region", "region"),
    ("region is disabled", "region"),
    ("region is not enabled", "region"),
    ("doesn't match a supported format", "region"),
    ("could not find region", "region"),
    ("missing region in config", "region"),
    # not found
    ("does not exist", "not-found"),
    ("not found", "not-found"),
)


#: Each ASCII character as a regex atom (``re.escape`` once per character, not once per use).
_ESCAPED = {chr(code): re.escape(chr(code)) for code in range(128)}
_SPECIAL = {**_ESCAPED, " ": "[ \\t]{1,8}", "*": "\\w{0,40}", "#": "[0-9]{1,10}"}


def atoms(phrase: str) -> list[str]:
    """A phrase as regex atoms: a blank any run of blanks, ``*`` more letters, ``#`` a number."""
    return [_SPECIAL.get(char) or re.escape(char) for char in " ".join(phrase.split())]


def literal(text: str) -> list[str]:
    """A text as regex atoms that match it exactly, a character each."""
    return [_ESCAPED.get(char) or re.escape(char) for char in text]


_Atoms = tuple[str, ...]

#: The category of each leaf group of ``VOCABULARY`` (``match.lastgroup`` -> category).
CATEGORY_OF_GROUP: dict[str, str] = {}


def trie(items: list[tuple[list[str], str | None]]) -> str:
    """One pattern for many (atoms, category) items, sharing their prefixes (a trie): at each
    position the engine follows one branch instead of trying every item.  Where an item with a
    category ends, an empty named group records it, so ``match.lastgroup`` names it (the first
    category given for the same atoms counts).

    The trie is never built as nodes: the items sorted as tuples of atoms list each node's items
    together, the one that ends there first, then its children's in the order of their atoms."""
    category: dict[_Atoms, str | None] = {}
    for item, named in items:
        category.setdefault(tuple(item), named)
    return _render(sorted(category), category, 0, len(category), 0)


def _render(words: list[_Atoms], category: dict[_Atoms, str | None], lo: int, hi: int, depth: int) -> str:
    """The pattern of the node at ``depth`` that ``words[lo:hi]`` (sorted) pass through."""
    first, last = words[lo], words[hi - 1]
    shared = depth  # a run of nodes with one child and no item ending: their atoms, as they are
    while shared < len(first) and first[shared] == last[shared]:
        shared += 1
    prefix = "".join(first[depth:shared])
    ends = len(first) == shared
    branches = []
    start = lo + 1 if ends else lo
    while start < hi:  # the children, in the order of their atoms
        atom, stop = words[start][shared], start + 1
        while stop < hi and words[stop][shared] == atom:
            stop += 1
        branches.append(atom + _render(words, category, start, stop, shared + 1))
        start = stop
    named = category[first] if ends else None
    if ends and named is None:  # an item ends here: after every longer one, nothing
        branches.append("")
    elif named is not None:  # after every longer one, its category's group
        group = f"w{len(CATEGORY_OF_GROUP)}"
        CATEGORY_OF_GROUP[group] = named
        branches.append(f"(?P<{group}>)")
    return prefix + (branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")")


def _category(tokens: pp.ParseResults) -> None:
    """The parse action that names the category of a ``VOCABULARY`` match (``category``)."""
    found = tokens.as_dict()
    tokens["category"] = next(CATEGORY_OF_GROUP[name] for name in CATEGORY_OF_GROUP if found.get(name) is not None)


_CODES = trie([(literal(code), category) for code, category in CODES.items()])
_PHRASES = trie([(atoms(phrase), category) for phrase, category in PHRASES])
#: Every code (case-sensitive, whole codes) and phrase (any case, whole words) of the vocabulary;
#: ``category`` names what kind of failure the match is.
VOCABULARY = (
    pp.Regex(f"(?<![\\w.:\\\\]){_CODES}(?![\\w])|(?<![\\w])(?i:{_PHRASES})(?![\\w])")
    .add_parse_action(_category)
    .set_name("AWS error vocabulary")
)

_NAMESPACE = r"(?:[A-Za-z_][A-Za-z0-9_]{0,79}(?:\.|::|\\)){1,10}"
_BARE = "|".join(re.escape(name) for name in sorted(EXCEPTIONS, key=len, reverse=True) if name.isalnum())
#: An SDK's exception or error class: with a namespace, or a bare name listed in ``EXCEPTIONS``.
EXCEPTION = pp.Regex(
    rf"(?<![\w.:\\$])(?P<exception>{_NAMESPACE}[A-Z][A-Za-z0-9_]{{0,79}}(?:Exception|Error|Timeout|Errors::[A-Z]\w{{0,79}})"
    rf"|Aws::[A-Za-z0-9]{{1,40}}::Errors::[A-Z][A-Za-z0-9]{{0,79}}|(?:{_BARE}))(?![\w])"
).set_name("exception class")

#: Words that say something failed: a line with one of them, an AWS word and no known
#: vocabulary is still an error (never a silent ok) when it stands in a credential sequence.
FAILURE_PHRASES = (
    "fail", "failed", "fails", "failure", "unable to", "cannot", "can't", "could not", "couldn't", "denied", "error",
    "errors", "exception", "invalid", "inaccessible", "not accessible", "unavailable",
)  # fmt: skip
FAILURE_WORDS = pp.Regex(
    rf"(?i)(?<![\w])(?<!no )(?<!0 )(?P<failure>{trie([(atoms(word), None) for word in FAILURE_PHRASES])})(?![\w])"
).set_name("failure word")
#: Words that make a vague failure harmless: a retry, a skip, a debug or info level.  They only
#: silence a line that names no AWS code and no kind of failure ("failed to read tag, retrying").
BENIGN = pp.Regex(
    r"(?i)(?<![\w])(?P<benign>retry(?:ing)?|will retry|retrying|ignor(?:e|ed|ing)|skip(?:ped|ping)?|debug|trace"
    r"|info|level=(?:debug|info|trace))(?![\w])"
).set_name("benign word")

#: Topics that name where a failure happened without saying that it did: with a failure on the
#: same line (a failure word, an error status, an exception, a denial), they give its category.
#: The instance-metadata and KMS topics always do; the network ones (DNS, socket, proxy...) only
#: when nothing more precise on the line names a category.
TOPICS = pp.Regex(
    r"(?i)(?<![\w])(?:(?P<instance_credentials>imds(?:v2)?|ec2 ?metadata\w{0,20}|instance metadata|metadata service"
    r"|instance ?profile|169\.254\.169\.254|169\.254\.170\.2|ecs|ec2containercredentialsprovider\w{0,20}"
    r"|containercredentials\w{0,20})|(?P<kms>kms|customer master key|cmk)"
    r"|(?P<network>dns|socket|tcp|tls|ssl|proxy|connection|connect|resolve|hostname|awscrt::dns))(?![\w])"
).set_name("failure topic")

#: The category of each ``TOPICS`` group.
TOPIC_CATEGORY = {"instance_credentials": "instance-credentials", "kms": "kms", "network": "network"}

#: What makes a failure an AWS one: an AWS host, an ARN, an SDK or an AWS service named on the line.
AWS_CONTEXT = pp.Regex(
    r"(?i)amazonaws\.com|arn:aws|(?<![\w])(?:aws|amazon|sts|ec2|ebs|kms|iam|s3|rds|imds|boto3?|botocore"
    r"|awssdk|aws-sdk|assumerole|assume role|credentials?|security token|session token)(?![a-z])"
).set_name("AWS context")

#: Lower-case stems for the prefilter (with ``aws_errors.TRIGGERS``): failure, network and signing
#: words that may stand on a line without an AWS word.  A line with AWS context holds ``aws``,
#: ``amazon``, ``credential``, ``token`` or ``kms`` (aws_errors) anyway.  Chosen so that their
#: two-byte anchors stay rare: ``reset by``, ``no route``, ``ec2``, ``boto`` or ``certificate``
#: each doubled the prefilter's candidates on the bench corpus (measured), and lines with them
#: nearly always hold ``error``, ``fail`` or an AWS word too.
TRIGGERS = (
    "exception", "fail", "refused", "timed out", "unable", "forbidden", "invalid", "imds", "resolv", "handshake",
    "skew", "cmk",
)  # fmt: skip

SAMPLES: tuple[tuple[pp.ParserElement, str, dict[str, object]], ...] = (
    (VOCABULARY, "AccessDenied", {"category": "denied"}),
    (VOCABULARY, "Signature not  yet current", {"category": "skew"}),
    (VOCABULARY, "throttled by the service", {"category": "throttling"}),
    (VOCABULARY, "Invalid range for parameter", {"category": "validation"}),
    (EXCEPTION, "Amazon.EC2.AmazonEC2Exception", {"exception": "Amazon.EC2.AmazonEC2Exception"}),
    (EXCEPTION, "Aws::STS::Errors::AccessDenied", {"exception": "Aws::STS::Errors::AccessDenied"}),
    (EXCEPTION, "HttpRequestException", {"exception": "HttpRequestException"}),
    (FAILURE_WORDS, "failed", {"failure": "failed"}),
    (BENIGN, "Retrying after the failure", {"benign": "Retrying"}),
    (AWS_CONTEXT, "sts.us-east-1.amazonaws.com", {}),
    (TOPICS, "EC2MetadataClient", {"instance_credentials": "EC2MetadataClient"}),
)  # fmt: skip
