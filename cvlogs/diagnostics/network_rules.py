"""4xx: the network path from the access node to AWS endpoints."""

from __future__ import annotations

from cvlogs.correlate import Correlation, Sequence
from cvlogs.diagnostics.base import ErrorRule, Occurrence, register
from cvlogs.diagnostics.facts import event_account, event_role, has_phrase, sts_endpoint_kind
from cvlogs.model import Event

NETWORK_CODES = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ProxyConnectionError", "SSLError",
     "UnknownHostException", "SocketTimeoutException", "SSLHandshakeException"}
)  # fmt: skip
NETWORK_PHRASES = (
    "no such host", "i/o timeout", "unknownhostexception", "sockettimeoutexception", "connecttimeoutexception",
    "sslhandshakeexception", "certificate signed by unknown authority", "handshake failure",
    "unable to execute http request",
    "could not connect to the endpoint", "timeout on endpoint", "failed to connect to proxy", "ssl validation failed",
    "could not be resolved", "certificate verify failed", "connection refused", "timed out", "timeout was reached",
)  # fmt: skip
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
    the guide requires (for example `sts.us-east-1.amazonaws.com`), the global one, or another
    service's.  A private subnet without NAT or VPC endpoints, a proxy that does not allow
    `*.amazonaws.com`, or TLS inspection without the corporate CA are the usual causes.
    """

    code = "CVL401"
    name = "endpoint-unreachable"
    severity = "error"
    remedy = (
        "From the access node, check the path to the endpoint named (curl -v https://<host>/): route or NAT, "
        "security groups and NACLs on 443, DNS for *.amazonaws.com, proxy settings (allow *.amazonaws.com, "
        "NO_PROXY for 169.254.169.254) and TLS inspection (add the corporate CA or exempt AWS). The access node "
        "needs the regional STS endpoint, for example https://sts.us-east-1.amazonaws.com, or a VPC interface "
        "endpoint for STS with private DNS."
    )

    def explain(self, event: Event, sequence: Sequence | None, context: Correlation) -> Occurrence | None:
        error = event.error
        if error is None:
            return None
        network = (
            error.connection_error is not None
            or error.curl_code is not None
            or error.code in NETWORK_CODES
            or has_phrase(error, *NETWORK_PHRASES)
        )
        if not network:
            return None
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
        cause = CURL_MEANINGS.get(error.curl_code or -1) or error.connection_error or error.code or "no connection"
        message = f"could not reach {where}: {cause}"
        return self.occurrence(event, message, event_account(event, sequence), event_role(event, sequence))
