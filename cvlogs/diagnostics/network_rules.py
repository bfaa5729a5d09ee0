"""4xx: the network path from the access node to AWS endpoints."""

from __future__ import annotations

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, register
from cvlogs.diagnostics.facts import sts_endpoint_kind
from cvlogs.model import AwsError, Event

CURL_MEANINGS = {
    6: "the host name could not be resolved (DNS)",
    7: "the connection was refused or there is no route",
    28: "the connection timed out",
    35: "the TLS handshake failed",
    56: "the connection was reset",
    60: "the server certificate could not be verified (TLS inspection or a missing CA)",
}


@register
class EndpointUnreachable(ErrorRule):
    """An AWS endpoint could not be reached: DNS, timeout, refused connection, proxy or TLS failure.

    The finding names the endpoint host and says whether it is the regional STS endpoint that
    the guide requires (for example ``sts.us-east-1.amazonaws.com``), the global one, or another
    service's.  A private subnet without NAT or VPC endpoints, a proxy that does not allow
    ``*.amazonaws.com``, or TLS inspection without the corporate CA are the usual causes.
    """

    code = "CVL401"
    name = "endpoint-unreachable"
    severity = "error"
    category = "network"
    specificity = 60
    docs = (
        "https://docs.aws.amazon.com/general/latest/gr/sts.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_vpc-endpoint.html",
        "https://docs.aws.amazon.com/sdkref/latest/guide/feature-proxy.html",
    )
    remedy = (
        "From the access node, check the path to the endpoint named (curl -v https://<host>/): route or NAT, "
        "security groups and NACLs on 443, DNS for *.amazonaws.com, proxy settings (allow *.amazonaws.com, "
        "NO_PROXY for 169.254.169.254) and TLS inspection (add the corporate CA or exempt AWS). The access node "
        "needs the regional STS endpoint, for example https://sts.us-east-1.amazonaws.com, or a VPC interface "
        "endpoint for STS with private DNS."
    )

    def diagnose(self, event: Event, error: AwsError, sequence: Sequence | None, context: Correlation) -> str | None:
        host = error.endpoint
        kind = sts_endpoint_kind(host)
        if host is None:
            where = "an AWS endpoint (not named in the line)"
        elif kind == "regional":
            where = f"{host}, the regional STS endpoint"
        elif kind == "global":
            where = f"{host}, the global STS endpoint (the guide requires the regional one)"
        else:
            where = f"{host} (not an STS endpoint)"
        cause = (
            CURL_MEANINGS.get(error.curl_code or -1)
            or error.connection_error
            or error.code
            or next(iter(sorted(error.phrases)), None)
            or error.exception
            or "no connection"
        )
        return f"could not reach {where}: {cause}"
