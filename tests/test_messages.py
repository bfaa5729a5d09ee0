"""The message registry: each AWS wrapper style yields the same facts, and non-errors stay quiet."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvlogs.parsing import lines, messages
from cvlogs.parsing.messages import _VOLATILE, find_error, interpret, mask_volatile

DENIED = (
    "User: arn:aws:sts::111122223333:assumed-role/CVAccessNodeRole/i-0123456789abcdef0 is not authorized "
    "to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/CVTenantRole"
)


@pytest.mark.parametrize(
    "message",
    [
        f"An error occurred (AccessDenied) when calling the AssumeRole operation: {DENIED}",
        f"{DENIED} (Service: AWSSecurityTokenService; Status Code: 403; Error Code: AccessDenied; Request ID: 1)",
        f"operation error STS: AssumeRole, https response error StatusCode: 403, RequestID: 1, "
        f"api error AccessDenied: {DENIED}",
        f"AccessDenied: {DENIED}\n\tstatus code: 403, request id: 1",
        f'Error executing "AssumeRole" on "https://sts.us-east-1.amazonaws.com"; AWS HTTP error: Client error: '
        f"403 Forbidden AccessDenied (client): {DENIED}",
        f"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{DENIED}</Message></Error>",
        f"AssumeRole failed, code [AccessDenied]. {DENIED}",
    ],
    ids=["boto", "java", "go-v2", "go-v1", "php", "xml", "commvault"],
)
def test_every_wrapper_yields_the_same_denial(message: str) -> None:
    """Whatever SDK wrapped it, a denied AssumeRole yields code, action, principal and resource."""
    error = find_error(message, message.lower())
    assert error is not None
    assert error.code == "AccessDenied"
    assert error.action == "sts:AssumeRole"
    assert error.principal is not None
    assert error.principal.startswith("arn:aws:sts::111122223333:")
    assert error.resource == "arn:aws:iam::444455556666:role/CVTenantRole"


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        (
            'Could not connect to the endpoint URL: "https://sts.us-east-1.amazonaws.com/"',
            "endpoint",
            "sts.us-east-1.amazonaws.com",
        ),
        ("Curl returned error code 7 - Couldn't connect to server", "curl_code", 7),
        (
            "Signature expired: 20151221T200419Z is now earlier than 20151221T201450Z (20151221T201950Z - 5 min.)",
            "server_time",
            "20151221T201950Z",
        ),
        (
            "An error occurred (RegionDisabledException) when calling the AssumeRole operation: STS is not "
            "activated in this region for account:444455556666.",
            "region_account",
            "444455556666",
        ),
        (
            "An error occurred (ValidationError) when calling the AssumeRole operation: 1 validation error "
            "detected: Value '%20' at 'externalId' failed to satisfy constraint: Member must satisfy",
            "parameter",
            "externalId",
        ),
        (
            "Parameter validation failed:\nInvalid length for parameter RoleArn, value: 12, valid min length: 20",
            "parameter",
            "RoleArn",
        ),
        (
            "An error occurred (Throttling) when calling the AssumeRole operation (reached max retries: 4): "
            "Rate exceeded",
            "code",
            "Throttling",
        ),
        (
            "Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state",
            "code",
            "Client.InvalidKMSKey.InvalidState",
        ),
        ("AccessDeniedException: Reason: UNAUTHORIZED_ACCOUNT", "reason", "UNAUTHORIZED_ACCOUNT"),
    ],
)
def test_error_facts(message: str, field: str, value: object) -> None:
    """Each failure mode's key fact is extracted from its documented text."""
    error = find_error(message, message.lower())
    assert error is not None
    assert getattr(error, field) == value


@pytest.mark.parametrize(
    "message",
    [
        "Unable to locate credentials",
        "Error retrieving metadata: Unable to retrieve token for use in IMDSv2 call and IMDSv1 has been disabled",
        "Unable to get IAM security credentials from EC2 Instance Metadata Service.",
    ],
)
def test_instance_credential_failures_are_errors_with_phrases(message: str) -> None:
    """IMDS failures carry no code; their key phrase marks them."""
    error = find_error(message, message.lower())
    assert error is not None
    assert error.phrases


@pytest.mark.parametrize(
    "message",
    [
        "Connecting to Url=[default], username[arn:aws:iam::444455556666:role/CVTenantRole]",
        "Created snapshot [snap-0a1b] for volume [vol-0123]",
        "Cached session token refreshed, expires in [3600] s",
        "Error count [0] after stream [4]",
    ],
)
def test_ordinary_messages_are_not_errors(message: str) -> None:
    """Lines that merely mention words of the vocabulary are not AWS errors."""
    assert find_error(message, message.lower()) is None


def test_connect_and_validate_are_recognised() -> None:
    """Connect and Assume role messages become steps with their role ARN."""
    connect = interpret(
        "CAmazonInfo", "Connect", "Connecting to Url=[default], user name[arn:aws:iam::444455556666:role/R]"
    )
    validate = interpret("AmazonConnection", "ValidateCredentials", "Assume role [arn:aws:iam::444455556666:role/R]")
    assert connect is not None
    assert (connect.kind, connect.url, connect.role and connect.role.account_id) == (
        "connect",
        "default",
        "444455556666",
    )
    assert validate is not None
    assert (validate.kind, validate.role and validate.role.name) == ("validate", "R")


def test_unknown_credential_vocabulary_is_unrecognized_not_dropped() -> None:
    """A credential line that no grammar explains is kept as 'unrecognized' (for CVL901)."""
    meaning = interpret("CvSession", "Refresh", "Cached session token refreshed")
    assert meaning is not None
    assert meaning.kind == "unrecognized"


def test_volatile_parts_are_masked_for_the_cache() -> None:
    """Request ids and encoded blobs do not make otherwise equal messages distinct."""
    one = mask_volatile("AccessDenied (Request ID: 1f2e3d4c-5b6a) Encoded authorization failure message: QUJD")
    two = mask_volatile("AccessDenied (Request ID: 99999999-0000) Encoded authorization failure message: WFla")
    assert one == two


VOLATILE_PIECES = st.sampled_from([
    "Request ID: ", "request id=", "RequestId:", "X-Amz-Request-Id: ", "<RequestId>", "</RequestId>",
    "Encoded authorization failure message: ", "ENCODED", "abcd-1234", "QUJD+/=", "x", " ", "é", "İ", "\n",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(VOLATILE_PIECES, max_size=12))
def test_masking_fast_path_equals_the_case_insensitive_pattern(pieces: list[str]) -> None:
    """The lower-cased search from the first anchor masks exactly what the (?i) pattern masks."""
    message = "".join(pieces)
    assert mask_volatile(message) == _VOLATILE.sub(r"\g<keep><masked>", message)


def test_long_texts_stay_out_of_the_caches() -> None:
    """A megabyte line is read like any other but not kept: the caches' memory stays bounded."""
    long_message = "AccessDenied: User: arn:aws:iam::123456789012:user/x is not authorized " + "x" * 1_000_000
    line = f"4012 1a2c 11/20 10:00:01 123 CAmazonInfo::Connect() - {long_message}"
    caches = (lines._cached_rest, messages._meaning_of, messages._masked_meaning, messages._cached_interpret)
    sizes = [cache.cache_info().currsize for cache in caches]
    fields = lines.match_header(line)
    assert fields is not None
    assert fields.message == long_message
    meaning = messages.meaning_of(fields.class_name, fields.method, fields.message)
    assert meaning is not None
    assert meaning.kind == "error"
    assert [cache.cache_info().currsize for cache in caches] == sizes


ACCOUNT = st.one_of(
    st.from_regex(r"[0-9]{12}", fullmatch=True),  # an id; some repeat, as equal ids do across a message
    st.sampled_from(["111122223333", "444455556666", "xxxxxxxxxxxx", "97531864000", "975318640001"]),
    st.from_regex(r"[0-9]{10,14}", fullmatch=True),  # too short or too long: CVL202's "not 12 digits"
    st.from_regex(r" ?[0-9]{12}  ?", fullmatch=True),  # blanks around it, as in the seed guide
)
ROLE_ARN = st.builds(
    "{}:{}:{}:{}{}:{}{}".format,
    st.sampled_from(["arn", "arn ", "ARN", "am"]),
    st.sampled_from(["aws", "aws-cn", "aws-us-gov", ""]),
    st.sampled_from(["iam", "sts"]),
    st.sampled_from([":", "", ": "]),  # "::" or a single colon before the account id
    ACCOUNT,
    st.sampled_from(["role/", "role/path/", "user/", "role/ ", "assumed-role/"]),
    st.text(alphabet="CVTenantRole_+=,.@-0123456789 é", max_size=14),
)
STEP = st.sampled_from([
    ("CAmazonInfo", "Connect", "Connecting to Url=[default], username[{0}]"),
    ("CAmazonInfo", "Connect", "Connecting to Url=[https://sts.us-east-1.amazonaws.com], user name[{0}]"),
    ("AmazonConnection", "ValidateCredentials", "Assume role [{0}]"),
    ("AmazonConnection", "ValidateCredentials", "Assume role [{0}] for account {1}"),
    ("AmazonConnection", "ValidateCredentials", "An error occurred (AccessDenied) when calling the AssumeRole "
     "operation: User: arn:aws:sts::{1}:assumed-role/CVAccessNodeRole/i-1 is not authorized to perform: "
     "sts:AssumeRole on resource: {0}"),
    ("AmazonConnection", "ValidateCredentials", "An error occurred (RegionDisabledException) when calling the "
     "AssumeRole operation: STS is not activated in this region for account:{1}. Role {0}"),
    ("CVSAmazonInfo", "Discover", "AssumeRole failed, code [ValidationError]. 1 validation error detected: Value "
     "'{0}' at 'roleArn' failed to satisfy constraint; account {1}{1}"),
    ("CvSession", "Refresh", "Cached session token refreshed for {1}, role {0}"),
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(STEP, ROLE_ARN, ACCOUNT)
def test_a_templated_message_means_what_the_message_means(step: tuple[str, str, str], arn: str, other: str) -> None:
    """Parsing the message with its account ids masked, then putting them back, gives exactly the meaning
    of parsing it as it stands: malformed ARNs keep their problems (CVL202), blanks included."""
    class_name, method, template = step
    message = template.format(arn, other)
    assert messages._templated(class_name, method, message) == messages._interpret(class_name, method, message)


def test_tenants_share_one_parse() -> None:
    """Two tenants' Assume role messages differ only by the account id: the second costs no pyparsing."""
    messages._cached_interpret.cache_clear()
    first = messages.meaning_of(
        "AmazonConnection", "ValidateCredentials", "Assume role [arn:aws:iam::100000000001:role/T]"
    )
    second = messages.meaning_of(
        "AmazonConnection", "ValidateCredentials", "Assume role [arn:aws:iam::100000000002:role/T]"
    )
    assert (first and first.role and first.role.account_id, second and second.role and second.role.account_id) == (
        "100000000001",
        "100000000002",
    )
    assert messages._cached_interpret.cache_info().currsize == 1
